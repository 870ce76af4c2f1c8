//! Tests of staff reviewing a client's task: sent back (reopened, reminders counted afresh, the
//! reason on the checklist and in the digest email, on the fast clock and the real one) and
//! accepted; and what an upload's review state says.
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;

use super::*;
use crate::config::FirmConfig;
use crate::docket::ClientSession;
use crate::docket::test_firm::{Firm, seeded, utc};
use crate::model::{ContactId, StoredFile};
use crate::workers::{WorkerOptions, Workers};
use crate::{Clock, ScaledClock};

const STAFF: Actor = Actor::System;

fn sam(docket: &Docket) -> Actor {
    let id = docket
        .add_user(crate::docket::NewUser {
            email: "sam@firm.example".into(),
            name: "Sam Lee".into(),
            role: crate::model::Role::Staff,
            password: "correct horse battery".into(),
        })
        .unwrap()
        .id;
    Actor::Staff(id)
}

fn ann(docket: &Docket) -> ContactId {
    docket
        .contact_by_email("ann@client.example")
        .unwrap()
        .unwrap()
        .id
}

fn session(docket: &Docket, work: WorkId) -> ClientSession {
    ClientSession {
        work,
        group: 0,
        contact: ann(docket),
        locked: false,
        device_until: None,
        holder: "test".into(),
    }
}

/// The client uploads a file to task `task` of the first group, as the checklist does.
fn upload(docket: &Docket, work: WorkId, task: usize) {
    let client = Actor::Contact(ann(docket));
    docket
        .add_file(
            work,
            crate::docket::NewUpload {
                name: "statement.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4".to_vec(),
                task: Some((0, task)),
            },
            client,
        )
        .unwrap();
}

fn digests_in(sent: &[(chrono::DateTime<chrono::Utc>, String)]) -> Vec<String> {
    sent.iter()
        .filter(|(_, raw)| raw.contains("Subject: New message"))
        .map(|(_, raw)| raw.clone())
        .collect()
}

fn sent_back(reason: &str) -> Review {
    Review {
        accept: false,
        reason: Some(reason.into()),
    }
}

#[test]
fn a_task_sent_back_reopens_for_the_client_with_the_reason() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let sam = sam(&firm.docket);
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, STAFF).unwrap();
    firm.deliver();
    // Reminders go out for both tasks until the client ticks them; then staff look.
    firm.run_until(utc("2026-03-20T12:00:00Z"));
    let client = Actor::Contact(ann(&firm.docket));
    for task in 0..2 {
        firm.docket
            .set_task_done(id, 0, task, true, client.clone())
            .unwrap();
    }
    let before = firm.docket.work(id).unwrap();
    assert!(before.groups[0].tasks[0].reminders_sent > 0, "{before:?}");
    assert_eq!(before.status, WorkStatus::InProgress);
    let sent_before = firm.sent().len();

    let work = firm
        .docket
        .review_task(id, 0, 0, sent_back("Page 2 is missing"), sam.clone())
        .unwrap();
    let task = &work.groups[0].tasks[0];
    assert_eq!(task.done_at, None, "the task is open for the client again");
    assert_eq!(task.reminders_sent, 0, "its reminder count restarts");
    let review = task.review().unwrap();
    assert!(!review.accepted);
    assert_eq!(review.reason.as_deref(), Some("Page 2 is missing"));
    assert_eq!(review.by, sam);
    assert_eq!(work.status, WorkStatus::WaitingOnClient);
    assert!(work.groups[0].next.is_some(), "a reminder is planned again");
    assert_eq!(
        work.groups[0].tasks[1], before.groups[0].tasks[1],
        "the other task is as it was"
    );
    let event = &firm.docket.work_timeline(id, 1).unwrap()[0];
    assert_eq!(event.kind, EventKind::TaskReviewed);
    assert_eq!(event.actor, sam, "the timeline says who sent it back");
    assert!(
        event
            .summary
            .contains("“Bank statements” sent back to the client: Page 2 is missing"),
        "{}",
        event.summary
    );

    // On the checklist, once: beside the task, not again as a comment.
    let list = firm.docket.checklist(&session(&firm.docket, id)).unwrap();
    assert!(!list.tasks[0].done);
    assert!(list.tasks[0].comments.is_empty(), "{:?}", list.tasks[0]);
    assert_eq!(
        list.tasks[0].review,
        Some(UploadReview::SentBack("Page 2 is missing".into()))
    );

    // In the comment digest at once, saying it was sent back: a staff reply half a minute
    // later goes with it and does not hold it for the usual ten minutes.
    let sent_at = firm.docket.now();
    firm.clock.set(sent_at + Duration::seconds(30));
    firm.docket
        .add_comment_on(id, Some((0, Some(0))), "Page 2 is the one", sam.clone())
        .unwrap();
    firm.run_until(sent_at + Duration::minutes(1));
    let digests = digests_in(&firm.sent()[sent_before..]);
    assert_eq!(
        digests.len(),
        1,
        "one digest within a minute: {:?}",
        firm.sent()
    );
    for said in [
        "Sent back:",
        "Bank statements",
        "Page 2 is missing",
        "Page 2 is the one",
    ] {
        assert!(digests[0].contains(said), "{said}: {}", digests[0]);
    }
    let sent_before = firm.sent().len();

    // The client ticks it again: it waits for a new look.
    firm.docket
        .set_task_done(id, 0, 0, true, client.clone())
        .unwrap();
    assert_eq!(
        firm.docket.work(id).unwrap().groups[0].tasks[0].review(),
        None
    );

    // Accepted: the review says so, and accepting twice changes nothing.
    let accept = Review {
        accept: true,
        reason: None,
    };
    let work = firm
        .docket
        .review_task(id, 0, 0, accept.clone(), sam.clone())
        .unwrap();
    let review = work.groups[0].tasks[0].review().unwrap().clone();
    assert_eq!(
        work.groups[0].tasks[0].reviews.len(),
        2,
        "the send-back is kept"
    );
    assert!(review.accepted && review.reason.is_none());
    assert!(work.groups[0].tasks[0].done_at.is_some());
    assert_eq!(work.status, WorkStatus::InProgress);
    // The acceptance reaches the client at once too.
    firm.run_until(firm.docket.now() + Duration::minutes(1));
    let digests = digests_in(&firm.sent()[sent_before..]);
    assert_eq!(
        digests.len(),
        1,
        "the acceptance is emailed: {:?}",
        firm.sent()
    );
    assert!(digests[0].contains("Accepted:"), "{}", digests[0]);
    assert!(digests[0].contains("Bank statements"), "{}", digests[0]);
    // Accepting it again is refused, and changes nothing.
    let events = firm.docket.work_timeline(id, 100).unwrap().len();
    let again = firm.docket.review_task(id, 0, 0, accept, sam).unwrap_err();
    assert!(
        matches!(&again, Error::Conflict(why) if why.contains("already accepted")),
        "{again}"
    );
    assert_eq!(firm.docket.work_timeline(id, 100).unwrap().len(), events);
}

#[test]
fn a_task_still_sent_back_is_not_sent_back_again() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let sam = sam(&firm.docket);
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, STAFF).unwrap();
    let client = Actor::Contact(ann(&firm.docket));
    firm.docket.set_task_done(id, 0, 0, true, client).unwrap();
    firm.docket
        .review_task(id, 0, 0, sent_back("Page 2 is missing"), sam.clone())
        .unwrap();
    firm.run_until(firm.docket.now() + Duration::minutes(1));
    let sent = firm.sent().len();
    // The same or another reason while the client has not answered: refused, nothing emailed.
    for reason in ["Page 2 is missing", "Page 3 too"] {
        let err = firm
            .docket
            .review_task(id, 0, 0, sent_back(reason), sam.clone())
            .unwrap_err();
        assert!(
            matches!(&err, Error::Conflict(why) if why.contains("already sent back; the client has not answered yet")),
            "{err}"
        );
    }
    firm.run_until(firm.docket.now() + Duration::minutes(30));
    assert_eq!(firm.sent().len(), sent, "{:?}", &firm.sent()[sent..]);
    assert_eq!(
        firm.docket.work(id).unwrap().groups[0].tasks[0]
            .reviews
            .len(),
        1
    );
    // An upload is an answer: it may be sent back again.
    upload(&firm.docket, id, 0);
    firm.docket
        .review_task(id, 0, 0, sent_back("Still blurred"), sam)
        .unwrap();
}

#[test]
fn accepting_an_open_task_marks_it_done() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, STAFF).unwrap();
    upload(&firm.docket, id, 1);
    let work = firm
        .docket
        .review_task(
            id,
            0,
            1,
            Review {
                accept: true,
                reason: None,
            },
            STAFF,
        )
        .unwrap();
    assert!(work.groups[0].tasks[1].done_at.is_some());
    assert!(work.groups[0].tasks[1].review().unwrap().accepted);
    assert!(work.groups[0].tasks[0].done_at.is_none());
}

#[test]
fn a_review_that_cannot_be_done_is_refused_by_its_field() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let id = firm.work("2026-03-02");
    let before = firm.docket.work(id).unwrap();
    let review = |r: Review, task: usize| firm.docket.review_task(id, 0, task, r, STAFF);
    // Not sent yet: the client has nothing to send back.
    let err = review(sent_back("Page 2 is missing"), 0).unwrap_err();
    assert!(err.to_string().contains("has not been sent"), "{err}");
    firm.docket.send_group(id, 0, STAFF).unwrap();
    upload(&firm.docket, id, 0);
    for (given, field) in [
        (None, "reason"),
        (Some("   "), "reason"),
        (Some(&*"x".repeat(10_001)), "reason"),
    ] {
        let err = review(
            Review {
                accept: false,
                reason: given.map(str::to_string),
            },
            0,
        )
        .unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
    }
    let err = review(
        Review {
            accept: true,
            reason: Some("fine".into()),
        },
        0,
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    let err = review(sent_back("no such task"), 9).unwrap_err();
    assert!(err.to_string().contains("no task 9"), "{err}");
    firm.docket.complete_work(id, STAFF).unwrap();
    let err = review(sent_back("too late"), 0).unwrap_err();
    assert!(err.to_string().contains("completed"), "{err}");
    let after = firm.docket.work(id).unwrap();
    assert_eq!(
        after.groups[0].tasks, before.groups[0].tasks,
        "nothing changed"
    );
}

#[test]
fn only_what_the_client_sent_is_reviewed() {
    let firm = Firm::new("2026-03-02T08:00:00Z", FirmConfig::default());
    let sam = sam(&firm.docket);
    let id = firm.work("2026-03-02");
    firm.docket.send_group(id, 0, STAFF).unwrap();
    let accept = Review {
        accept: true,
        reason: None,
    };
    // Nothing from the client: refused as a conflict naming the task, nothing changed.
    let before = firm.docket.work(id).unwrap();
    for review in [accept.clone(), sent_back("blurred")] {
        let err = firm
            .docket
            .review_task(id, 0, 0, review, sam.clone())
            .unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err:?}");
        assert!(err.to_string().contains("“Bank statements”"), "{err}");
        assert!(err.to_string().contains("sent nothing"), "{err}");
    }
    // Staff ticking it on the client's behalf is not the client sending it.
    firm.docket
        .set_task_done(id, 0, 0, true, sam.clone())
        .unwrap();
    let err = firm
        .docket
        .review_task(id, 0, 0, accept.clone(), sam.clone())
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    firm.docket
        .set_task_done(id, 0, 0, false, sam.clone())
        .unwrap();
    assert_eq!(
        firm.docket.work(id).unwrap().groups[0].tasks,
        before.groups[0].tasks
    );
    // Ticked by the client, or uploaded to: reviewed.
    let client = Actor::Contact(ann(&firm.docket));
    firm.docket.set_task_done(id, 0, 0, true, client).unwrap();
    assert!(firm.docket.work(id).unwrap().groups[0].tasks[0].ticked_by_client());
    firm.docket
        .review_task(id, 0, 0, sent_back("blurred"), sam.clone())
        .unwrap();
    upload(&firm.docket, id, 1);
    let work = firm.docket.review_task(id, 0, 1, accept, sam).unwrap();
    assert!(work.groups[0].tasks[1].review().unwrap().accepted);
}

#[test]
fn an_upload_shows_the_review_that_came_after_it() {
    let at = utc("2026-03-05T10:00:00Z");
    let file = UploadedFile {
        id: crate::model::new_id(at),
        work: WorkId::new(at),
        at,
        uploaded_by: Actor::System,
        name: "statement.pdf".into(),
        content_type: "application/pdf".into(),
        content: StoredFile {
            sha256: "0".repeat(64),
            size: 1,
        },
        task: Some((0, 0)),
        type_mismatch: None,
    };
    let mut task = ClientTask {
        title: "Bank statements".into(),
        description: String::new(),
        due_date: "2026-03-16".parse().unwrap(),
        documents: Vec::new(),
        done_at: None,
        done_by: None,
        reminders_sent: 0,
        reviews: Vec::new(),
    };
    assert_eq!(upload_review(&task, &file), UploadReview::Waiting);
    let review = |accepted: bool, reason: Option<&str>, minutes: i64| TaskReview {
        accepted,
        reason: reason.map(str::to_string),
        by: Actor::System,
        at: at + Duration::minutes(minutes),
    };
    // A file sent after the task was sent back waits for a new look.
    task.reviews.push(review(false, Some("blurred"), -5));
    assert_eq!(upload_review(&task, &file), UploadReview::Waiting);
    assert_eq!(
        task.review().map(|r| r.accepted),
        Some(false),
        "sent back and still open"
    );
    // The first review after it is its own; a later one is about a later file.
    task.reviews.push(review(false, Some("cut off"), 5));
    task.reviews.push(review(true, None, 9));
    assert_eq!(
        upload_review(&task, &file),
        UploadReview::SentBack("cut off".into())
    );
    let later = UploadedFile {
        at: at + Duration::minutes(7),
        ..file.clone()
    };
    assert_eq!(upload_review(&task, &later), UploadReview::Accepted);
    // The task ticked after the acceptance waits for a new review; accepted and done, it stands.
    task.done_at = Some(at + Duration::minutes(10));
    assert_eq!(task.review(), None);
    task.done_at = Some(at + Duration::minutes(8));
    assert!(task.review().unwrap().accepted);
}

#[test]
fn the_reason_is_emailed_on_the_real_clock() {
    let start = utc("2026-03-03T10:00:00.000400123Z");
    let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(start, 1.0));
    let (docket, mailer, sent, _) = seeded(clock, &FirmConfig::default());
    // The usual digest wait is long: a send-back does not wait for it.
    let docket = docket.with_comment_digest_delay(Duration::minutes(10));
    let id =
        crate::docket::test_firm::new_work(&docket, "Year end", "2026-03-02", "ann@client.example");
    docket.send_group(id, 0, STAFF).unwrap();
    upload(&docket, id, 1);
    let workers = Workers::start(
        docket.clone(),
        Arc::new(mailer),
        WorkerOptions {
            idle: StdDuration::from_millis(100),
            ..WorkerOptions::default()
        },
    )
    .unwrap();
    // A staff comment just before would hold a digest ten minutes; the send-back takes it along
    // at once.
    docket
        .add_comment(id, "Please send the 2025 one", Actor::Api("desk".into()))
        .unwrap();
    docket
        .review_task(
            id,
            0,
            1,
            sent_back("The P60 is for 2024"),
            Actor::Api("desk".into()),
        )
        .unwrap();
    let digests = || digests_in(&sent.0.lock().unwrap());
    let began = Instant::now();
    while digests().is_empty() && began.elapsed() < StdDuration::from_secs(20) {
        std::thread::sleep(StdDuration::from_millis(20));
    }
    // A little longer, to see that it goes once.
    std::thread::sleep(StdDuration::from_millis(500));
    workers.stop();
    let digests = digests();
    assert_eq!(digests.len(), 1, "one digest within 20 s");
    assert!(digests[0].contains("The P60 is for 2024"), "{}", digests[0]);
    assert!(digests[0].contains("Sent back:"), "{}", digests[0]);
    assert!(
        digests[0].contains("Please send the 2025 one"),
        "{}",
        digests[0]
    );
}
