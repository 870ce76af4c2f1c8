//! Staff's daily desk: the work list says whose work it is (client, template, last client
//! activity) and sorts by links; the header's search box finds work and contacts; the saved
//! views; the home page with the member's work due this week, overdue client tasks, what
//! clients did since they last looked and failed emails; and `GET /api/work?sort=`.

use docket_engine::model::{Actor, Role, WorkStatus};
use reqwest::StatusCode;
use serde_json::Value;

use super::{Admin, STAFF, body, client, location};

/// Where `needle` first is in `page`, or a failure naming it.
fn at(page: &str, needle: &str) -> usize {
    page.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is not on the page: {page}"))
}

#[test]
fn the_work_list_says_whose_work_it_is_and_sorts_by_links() {
    let admin = Admin::start();
    let planned = admin.planned_work();
    let sam = admin.browser(STAFF);
    let sent = format!("/admin/work/{}", admin.work);
    let later = format!("/admin/work/{planned}");
    let list = |query: &str| -> (StatusCode, String) {
        let answer = admin.get(&format!("/admin/work{query}"), Some(&sam));
        (answer.status(), body(answer))
    };

    // Nothing done by the client yet; then Ann ticks a task of the sent work.
    let (_, page) = list("");
    for expected in [
        "<th scope=\"col\"><a href=\"/admin/work?sort=client\">Client<span class=\"visually-hidden\">; sort by client</span></a></th>",
        "Ann Archer",
        "Year end",
        "Last client activity",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    let ann = admin.docket.work(admin.work).unwrap().groups[0].recipient;
    admin.clock.advance(chrono::Duration::minutes(90));
    admin
        .docket
        .set_task_done(admin.work, 0, 0, true, Actor::Contact(ann))
        .unwrap();
    let (_, page) = list("");
    // Dublin is on UTC in March: 08:00 and an hour and a half.
    assert!(
        page.contains("<td data-label=\"Last client activity\">2 Mar 2026, 09:30</td>"),
        "{page}"
    );

    // Newest first by default; the Work head's link turns it to oldest first, and back.
    assert!(at(&page, &later) < at(&page, &sent));
    assert!(page.contains("aria-sort=\"descending\""), "{page}");
    assert!(page.contains("href=\"/admin/work?sort=oldest\""), "{page}");
    let (status, page) = list("?sort=oldest");
    assert_eq!(status, StatusCode::OK);
    assert!(at(&page, &sent) < at(&page, &later));
    assert!(page.contains("href=\"/admin/work?sort=newest\""), "{page}");
    // Soonest due first, filters kept in the heads' links and in the form.
    let (status, page) = list("?sort=due&status=waiting_on_client");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&sent) && !page.contains(&later), "{page}");
    assert!(
        page.contains("href=\"/admin/work?status=waiting_on_client&amp;sort=newest\""),
        "{page}"
    );
    assert!(
        page.contains("<input type=\"hidden\" name=\"sort\" value=\"due\">"),
        "{page}"
    );
    let (_, page) = list("?sort=due");
    assert!(at(&page, &sent) < at(&page, &later));
    // The order leaves out work with nothing open for the client, and says so.
    assert!(
        page.contains("only work with a client task still open is listed"),
        "{page}"
    );
    // Client, status and assignee sort too: planned work before work waiting on the client.
    for key in ["client", "status", "assignee"] {
        assert!(
            page.contains(&format!("href=\"/admin/work?sort={key}\"")),
            "{key}: {page}"
        );
    }
    let (status, page) = list("?sort=status");
    assert_eq!(status, StatusCode::OK);
    assert!(at(&page, &later) < at(&page, &sent), "{page}");
    assert!(
        page.contains("aria-sort=\"ascending\"><a href=\"/admin/work?sort=status\">Status"),
        "{page}"
    );
    let (status, page) = list("?sort=client&status=waiting_on_client");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&sent) && !page.contains(&later), "{page}");
    let (status, page) = list("?sort=title");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("This list cannot be sorted by “title”; use the links in the column heads."),
        "{page}"
    );

    // The saved views are links by name, resolved when the page is asked for; the one open is
    // marked, and names the page.
    let (_, page) = list("?view=mine");
    assert!(
        page.contains("<a href=\"/admin/work?view=mine\" aria-current=\"page\">My work</a>"),
        "{page}"
    );
    assert!(page.contains("<h1>My work</h1>"), "{page}");
    for view in [
        "href=\"/admin/work?view=waiting\"",
        "href=\"/admin/work?view=overdue\"",
        "href=\"/admin/work?view=attention\"",
        "href=\"/admin/activity/failed\"",
        "href=\"/admin/activity\"",
    ] {
        assert!(page.contains(view), "{view}: {page}");
    }
    assert!(
        !page.contains("due_to=2026"),
        "no date kept in a view's link: {page}"
    );
    // The overdue view is yesterday's, today: the same list as its filters give.
    let (status, overdue) = list("?view=overdue");
    assert_eq!(status, StatusCode::OK);
    assert!(
        overdue.contains("<h1>Overdue client tasks</h1>"),
        "{overdue}"
    );
    assert!(overdue.contains("value=\"2026-03-01\""), "{overdue}");
    // An old link with the filters themselves still works; a view there is not is said.
    let (status, old) = list("?due_to=2026-03-01&waiting_on_client=true");
    assert_eq!(status, StatusCode::OK);
    assert!(old.contains("<h1>All work</h1>"), "{old}");
    let (status, page) = list("?view=someday");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("no saved view called “someday”"), "{page}");

    // The API sorts the same way, and names the parameter when it cannot.
    let secret = admin.api_secret(Role::Staff);
    let api = |query: &str| {
        let response = client()
            .get(admin.url(&format!("/api/work{query}")))
            .bearer_auth(&secret)
            .send()
            .unwrap();
        (response.status(), response.json::<Value>().unwrap())
    };
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, newest) = api("");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&newest), [planned.to_string(), admin.work.to_string()]);
    let (_, oldest) = api("?sort=oldest");
    assert_eq!(ids(&oldest), [admin.work.to_string(), planned.to_string()]);
    let (_, by_status) = api("?sort=status");
    assert_eq!(
        ids(&by_status),
        [planned.to_string(), admin.work.to_string()]
    );
    let (status, refused) = api("?sort=title");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused
            .to_string()
            .contains("sort is newest, oldest, due, client, status or assignee"),
        "{refused}"
    );
}

#[test]
fn the_header_search_finds_work_and_contacts_by_any_words_beginning() {
    let admin = Admin::start();
    let planned = admin.planned_work();
    let sam = admin.browser(STAFF);
    let search = |q: &str| body(admin.get(&format!("/admin/search?q={q}"), Some(&sam)));

    // Every admin page has the box.
    let home = body(admin.get("/admin", Some(&sam)));
    assert!(
        home.contains("<form method=\"get\" action=\"/admin/search\" role=\"search\""),
        "{home}"
    );

    // The client's name finds both their work items and the contact.
    let page = search("arch");
    assert!(
        page.contains("<h1>Search for “<bdi>arch</bdi>”</h1>"),
        "{page}"
    );
    assert!(
        page.contains(&format!("/admin/work/{}", admin.work)),
        "{page}"
    );
    assert!(page.contains(&format!("/admin/work/{planned}")), "{page}");
    assert!(page.contains("ann@client.example"), "{page}");
    assert!(
        page.contains("value=\"arch\""),
        "the box keeps the search: {page}"
    );
    // Every word must match: the template's name and the client's email narrow it to nothing
    // else; a word nothing begins with finds nothing.
    let page = search("2025+ANN%40client");
    assert!(
        page.contains(&format!("/admin/work/{}", admin.work)),
        "{page}"
    );
    assert!(!page.contains(&format!("/admin/work/{planned}")), "{page}");
    let page = search("vat+year");
    assert!(page.contains(&format!("/admin/work/{planned}")), "{page}");
    let page = search("zebra");
    assert!(
        page.contains("No work matches.") && page.contains("No contacts match."),
        "{page}"
    );
    // Nothing typed: how to search.
    let page = search("");
    assert!(page.contains("Type in the search box"), "{page}");
    // Signed out: to the sign-in page.
    assert_eq!(
        admin.get("/admin/search?q=a", None).status(),
        StatusCode::SEE_OTHER
    );
}

#[test]
fn the_home_page_is_the_members_desk() {
    let admin = Admin::start();
    // Signing in lands on the home page: Sam's first look.
    let sam = admin.browser(STAFF);
    admin.clock.advance(chrono::Duration::minutes(1));
    let ann = admin.docket.work(admin.work).unwrap().groups[0].recipient;
    admin
        .docket
        .set_task_done(admin.work, 0, 0, true, Actor::Contact(ann))
        .unwrap();

    // Sam's work is due this week? Its tasks are due in two and three weeks: not yet. What
    // Ann did since the last look is there.
    let home = body(admin.get("/admin", Some(&sam)));
    assert!(home.contains("<h1>Your desk</h1>"), "{home}");
    assert!(
        home.contains("None of your work has a task due in the next seven days."),
        "{home}"
    );
    assert!(
        home.contains("No client has a task past its due date."),
        "{home}"
    );
    assert!(
        home.contains("What clients did since you last looked"),
        "{home}"
    );
    let done = &home[at(&home, "id=\"done\"")..at(&home, "id=\"failed\"")];
    assert!(done.contains("Archer — 2025 accounts"), "{done}");
    assert!(home.contains("No email has failed."), "{home}");

    // Seventeen days on: the open task (due on the 23rd) is due this week; nothing new.
    admin.clock.advance(chrono::Duration::days(17));
    // (A session idle that long has ended: Sam signs in again, which is a look too.)
    let sam = admin.browser(STAFF);
    let home = body(admin.get("/admin", Some(&sam)));
    assert!(home.contains("since you last looked"), "{home}");
    assert!(home.contains("Nothing new from clients."), "{home}");
    let due = &home[at(&home, "id=\"due-week\"")..at(&home, "id=\"overdue\"")];
    assert!(due.contains("Archer — 2025 accounts"), "{due}");
    // A month on, the tasks are overdue and the client is chased from here.
    admin.clock.advance(chrono::Duration::days(20));
    let sam = admin.browser(STAFF);
    let home = body(admin.get("/admin", Some(&sam)));
    let overdue = &home[at(&home, "id=\"overdue\"")..at(&home, "id=\"done\"")];
    assert!(overdue.contains("Archer — 2025 accounts"), "{overdue}");

    // The activity views.
    let active = body(admin.get("/admin/activity", Some(&sam)));
    assert!(
        active.contains("<h1>Recently active clients</h1>") && active.contains("Ann Archer"),
        "{active}"
    );
    let failed = body(admin.get("/admin/activity/failed", Some(&sam)));
    assert!(failed.contains("No email has failed."), "{failed}");
}

#[test]
fn work_ticked_in_the_list_is_sent_assigned_and_completed_at_once_with_a_summary() {
    let admin = Admin::start();
    let planned = admin.planned_work();
    let sam = admin.browser(STAFF);
    let (sent_id, planned_id) = (admin.work.to_string(), planned.to_string());
    let list = body(admin.get("/admin/work", Some(&sam)));
    for id in [&sent_id, &planned_id] {
        assert!(
            list.contains(&format!(
                "<input type=\"checkbox\" name=\"work\" value=\"{id}\""
            )),
            "{list}"
        );
    }
    // The post redirects to its summary (post/redirect/get), which is followed as a browser does.
    let bulk = |fields: &[(&str, &str)]| {
        let answer = admin.post("/admin/work/selection", &sam, fields);
        if answer.status() == StatusCode::SEE_OTHER {
            let summary = admin.get(&location(&answer), Some(&sam));
            return (summary.status(), body(summary));
        }
        (answer.status(), body(answer))
    };
    let both = |action: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("action", action.to_string()),
            ("work", sent_id.clone()),
            ("work", planned_id.clone()),
        ]
    };
    let fields = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let post = |v: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
        bulk(&pairs)
    };

    // Send: the planned work's group goes; the one sent already is refused, saying why.
    let (status, page) = post(both("send"));
    assert_eq!(status, StatusCode::OK);
    let done = &page[at(&page, "id=\"bulk-done\"")..at(&page, "id=\"bulk-refused\"")];
    let refused = &page[at(&page, "id=\"bulk-refused\"")..];
    assert!(
        done.contains("Archer — VAT return — Documents</bdi></a>: Sent."),
        "{done}"
    );
    assert!(
        refused.contains("Archer — 2025 accounts</bdi></a>: Every group was sent already; choose Send again for new links."),
        "{refused}"
    );
    assert!(
        admin.docket.work(planned).unwrap().groups[0]
            .sent_at
            .is_some()
    );

    // Send again: both now.
    let (_, page) = post(both("resend"));
    assert!(
        page.contains("Done <span class=\"size\">(2)</span>"),
        "{page}"
    );
    assert!(page.contains("Nothing was refused."), "{page}");
    let said = |id| -> Vec<String> {
        admin
            .docket
            .work_timeline(id, 100)
            .unwrap()
            .into_iter()
            .map(|e| e.summary)
            .collect()
    };
    // Who sent it is the line's own: the sentence does not say it again.
    assert!(
        said(planned).contains(&"“Documents” sent again to ann@client.example".to_string()),
        "{:?}",
        said(planned)
    );

    // Assign both to Ada.
    let mut assign = both("assign");
    assign.push(("assignee", "ada@firm.example".into()));
    let (_, page) = post(fields(&assign));
    assert!(page.contains(": Now assigned to Ada Admin."), "{page}");
    let ada = admin
        .docket
        .user_by_email("ada@firm.example")
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(admin.docket.work(planned).unwrap().assignee, Some(ada));
    assert_eq!(admin.docket.work(admin.work).unwrap().assignee, Some(ada));
    assert!(
        said(planned).contains(&"Assigned to Ada Admin (it had no assignee)".to_string()),
        "{:?}",
        said(planned)
    );
    // Again: both are Ada's already, which is neither done nor refused.
    let (_, page) = post(fields(&assign));
    assert!(page.contains("Nothing to do for 2 items."), "{page}");
    assert!(page.contains("Nothing was done."), "{page}");
    assert!(page.contains("Nothing was refused."), "{page}");
    let already = &page[at(&page, "id=\"bulk-unchanged\"")..at(&page, "id=\"bulk-refused\"")];
    assert!(
        already.contains("Archer — VAT return</bdi></a>: Already assigned to Ada Admin."),
        "{already}"
    );

    // Complete: tasks are open, so a confirmation first, and nothing completed yet.
    let (status, page) = post(both("complete"));
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<h1>Complete work with open tasks?</h1>"),
        "{page}"
    );
    assert!(
        page.contains("Archer — VAT return</bdi></a>: 2 tasks still open"),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "<input type=\"hidden\" name=\"work\" value=\"{planned_id}\">"
        )),
        "{page}"
    );
    assert_ne!(
        admin.docket.work(planned).unwrap().status,
        WorkStatus::Completed
    );
    let mut confirmed = both("complete");
    confirmed.push(("confirm", "yes".into()));
    let (_, page) = post(confirmed);
    assert!(
        page.contains("Done <span class=\"size\">(2)</span>"),
        "{page}"
    );
    assert_eq!(
        admin.docket.work(planned).unwrap().status,
        WorkStatus::Completed
    );
    // Completed work is not sent, nor sent again: that is the reason given, once for each.
    for action in ["send", "resend"] {
        let (_, page) = post(both(action));
        assert_eq!(
            page.matches("The work is completed; reopen it before sending.")
                .count(),
            2,
            "{action}: {page}"
        );
        assert!(!page.contains("Every group was sent already"), "{page}");
    }

    // A selection the page cannot act on: nothing ticked, an id that is not one, no action.
    let (status, page) = bulk(&[("action", "send")]);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("No work was selected"), "{page}");
    let (status, page) = bulk(&[("action", "send"), ("work", "nope")]);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("“nope” is not a work item&#x27;s id."),
        "{page}"
    );
    let (status, page) = bulk(&[("action", "delete"), ("work", &sent_id)]);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("“delete” is not an action"), "{page}");
}

#[test]
fn send_again_on_a_selection_clicked_twice_sends_once() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let id = admin.work.to_string();
    let once = super::hidden(&body(admin.get("/admin/work", Some(&sam))), "once");
    assert!(!once.is_empty());
    let sends = admin.docket.work(admin.work).unwrap().groups[0].sends;
    let fields = [("once", once.as_str()), ("action", "resend"), ("work", &id)];
    let first = admin.post("/admin/work/selection", &sam, &fields);
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    // A double click: nothing sent again, and the first sending's summary shown.
    let again = admin.post("/admin/work/selection", &sam, &fields);
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), location(&first));
    assert_eq!(
        admin.docket.work(admin.work).unwrap().groups[0].sends,
        sends + 1
    );
    let page = body(admin.get(&location(&again), Some(&sam)));
    assert!(page.contains("Sent again with a new link."), "{page}");
}
