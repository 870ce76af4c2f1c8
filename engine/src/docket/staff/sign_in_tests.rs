//! Unit tests of `sign_in.rs`.

use super::*;
use crate::docket::NewUser;
use crate::docket::staff::throttle::{ACCOUNT_BACKOFF, ADDRESS_BACKOFF};
use crate::docket::test_support::docket_at;
use crate::model::Role;

const PASSWORD: &str = "correct horse battery";

fn firm() -> (Docket, std::sync::Arc<crate::ManualClock>) {
    let (docket, clock) = docket_at("2027-01-10T09:00:00Z");
    docket
        .add_user(NewUser {
            email: "sam@firm.example".into(),
            name: "Sam Lee".into(),
            role: Role::Staff,
            password: PASSWORD.into(),
        })
        .unwrap();
    (docket, clock)
}

fn sign_in(docket: &Docket, email: &str, password: &str, address: &str) -> StaffSignIn {
    docket
        .staff_sign_in(email, password, address, "test browser")
        .unwrap()
}

fn cookie_of(answer: StaffSignIn) -> String {
    match answer {
        StaffSignIn::SignedIn { cookie, .. } => cookie,
        other => panic!("not signed in: {other:?}"),
    }
}

fn waits(answer: &StaffSignIn) -> Option<Duration> {
    match answer {
        StaffSignIn::Wait(w) => Some(*w),
        _ => None,
    }
}

#[test]
fn a_session_is_its_cookie_and_only_its_hash_is_stored() {
    let (docket, _) = firm();
    let answer = sign_in(&docket, "Sam@Firm.example", PASSWORD, "203.0.113.7");
    let StaffSignIn::SignedIn { member, cookie } = answer else {
        panic!("not signed in");
    };
    assert_eq!(member.staff.name, "Sam Lee");
    let secret = cookie.split_once('.').unwrap().1;
    let stored = docket
        .store
        .scan(Tree::StaffSessions, b"", None, 10, false)
        .unwrap();
    assert_eq!(stored.len(), 1);
    let raw = format!("{stored:?}");
    assert!(!raw.contains(secret), "the secret is stored");
    assert!(
        String::from_utf8_lossy(&stored[0].0).ends_with(&secret_hash(secret)),
        "stored by its hash"
    );
    let again = docket.staff_session(&cookie).unwrap().unwrap();
    assert_eq!(again, member);
    assert!(again.form_token_matches(&member.form_token));
    assert!(!again.form_token_matches(""));
    assert!(!again.form_token_matches(&format!("{}x", member.form_token)));
    // A forged secret, another member's id, or rubbish is no session.
    let mut forged = cookie.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for bad in [
        forged.as_str(),
        "",
        "nonsense",
        &format!("{}.{secret}", UserId::new(docket.now())),
    ] {
        assert!(docket.staff_session(bad).unwrap().is_none(), "{bad}");
    }
    docket.staff_sign_out(&cookie).unwrap();
    assert!(docket.staff_session(&cookie).unwrap().is_none());
}

#[test]
fn unknown_email_and_wrong_password_are_one_answer() {
    let (docket, _) = firm();
    assert!(matches!(
        sign_in(&docket, "sam@firm.example", "wrong horse battery", "a"),
        StaffSignIn::Refused
    ));
    assert!(matches!(
        sign_in(&docket, "nobody@firm.example", PASSWORD, "b"),
        StaffSignIn::Refused
    ));
    assert!(matches!(
        sign_in(&docket, "not an email", PASSWORD, "c"),
        StaffSignIn::Refused
    ));
}

#[test]
fn sessions_end_when_idle_and_at_their_lifetime() {
    let (docket, clock) = firm();
    let cookie = cookie_of(sign_in(&docket, "sam@firm.example", PASSWORD, "a"));
    // Used every hour and a half: alive until the lifetime ends.
    let step = Duration::minutes(90);
    let mut elapsed = Duration::zero();
    while elapsed + step < STAFF_SESSION_LIFETIME {
        clock.advance(step);
        elapsed += step;
        assert!(
            docket.staff_session(&cookie).unwrap().is_some(),
            "{elapsed}"
        );
    }
    clock.advance(STAFF_SESSION_LIFETIME - elapsed);
    assert!(docket.staff_session(&cookie).unwrap().is_none());
    // Left alone past the idle limit: gone, and its record with it.
    let cookie = cookie_of(sign_in(&docket, "sam@firm.example", PASSWORD, "a"));
    clock.advance(STAFF_SESSION_IDLE - Duration::seconds(1));
    assert!(docket.staff_session(&cookie).unwrap().is_some());
    clock.advance(STAFF_SESSION_IDLE);
    assert!(docket.staff_session(&cookie).unwrap().is_none());
    assert_eq!(docket.store.len(Tree::StaffSessions).unwrap(), 0);
}

#[test]
fn failures_make_the_account_wait_longer_each_time_but_never_for_good() {
    let (docket, clock) = firm();
    let email = "sam@firm.example";
    for _ in 0..ACCOUNT_BACKOFF.free {
        assert!(matches!(
            sign_in(&docket, email, "wrong", "198.51.100.1"),
            StaffSignIn::Refused
        ));
    }
    // Now even the right password waits, and the refused attempt is not counted.
    let first = waits(&sign_in(&docket, email, PASSWORD, "198.51.100.2")).unwrap();
    assert_eq!(first, ACCOUNT_BACKOFF.first);
    assert_eq!(
        waits(&sign_in(&docket, email, PASSWORD, "198.51.100.2")),
        Some(first)
    );
    clock.advance(first);
    assert!(matches!(
        sign_in(&docket, email, "wrong", "198.51.100.1"),
        StaffSignIn::Refused
    ));
    let second = waits(&sign_in(&docket, email, "wrong", "198.51.100.1")).unwrap();
    assert_eq!(second, first * 2, "the delay grows");
    clock.advance(second);
    let cookie = cookie_of(sign_in(&docket, email, PASSWORD, "198.51.100.2"));
    assert!(docket.staff_session(&cookie).unwrap().is_some());
    // Success clears the account's count.
    assert!(matches!(
        sign_in(&docket, email, "wrong", "198.51.100.1"),
        StaffSignIn::Refused
    ));
}

#[test]
fn a_stranger_cannot_keep_a_member_out_of_their_own_address() {
    let (docket, clock) = firm();
    let email = "sam@firm.example";
    let home = "203.0.113.7";
    cookie_of(sign_in(&docket, email, PASSWORD, home));
    // A stranger hammers the account from elsewhere, as fast as the delays let them,
    // and has just failed again.
    let mut failed = 0;
    while failed < 30 {
        match sign_in(&docket, email, "guess", "192.0.2.66") {
            StaffSignIn::Wait(w) => clock.advance(w),
            StaffSignIn::Refused => failed += 1,
            StaffSignIn::SignedIn { .. } => panic!("a guess signed in"),
        }
    }
    // From another new address the account waits; from home the member signs in at once.
    assert!(waits(&sign_in(&docket, email, PASSWORD, "192.0.2.99")).is_some());
    cookie_of(sign_in(&docket, email, PASSWORD, home));
    // An address's own failures still slow it down, even a known one.
    for _ in 0..ADDRESS_BACKOFF.free {
        sign_in(&docket, email, "typo", home);
    }
    let wait = waits(&sign_in(&docket, email, PASSWORD, home)).unwrap();
    clock.advance(wait);
    cookie_of(sign_in(&docket, email, PASSWORD, home));
}

#[test]
fn a_password_change_needs_the_current_one_and_ends_other_sessions() {
    let (docket, _) = firm();
    let email = "sam@firm.example";
    let here = cookie_of(sign_in(&docket, email, PASSWORD, "a"));
    let there = cookie_of(sign_in(&docket, email, PASSWORD, "b"));
    let new = "a much better passphrase";
    assert_eq!(
        docket.change_password(&here, "wrong", new, "a").unwrap(),
        PasswordChange::WrongPassword
    );
    assert!(
        docket
            .change_password(&here, PASSWORD, "short", "a")
            .unwrap_err()
            .to_string()
            .contains("at least 12")
    );
    assert!(docket.verify_password(email, PASSWORD).unwrap().is_some());
    let before = docket.staff_session(&here).unwrap().unwrap();
    let PasswordChange::Changed { cookie: fresh } =
        docket.change_password(&here, PASSWORD, new, "a").unwrap()
    else {
        panic!("the password is changed")
    };
    assert!(docket.verify_password(email, PASSWORD).unwrap().is_none());
    assert!(docket.verify_password(email, new).unwrap().is_some());
    // Every session ends, the one that changed it too: a cookie stolen before the change is
    // worth nothing after it. The browser goes on with a fresh session and form token.
    assert!(docket.staff_session(&here).unwrap().is_none());
    assert!(docket.staff_session(&there).unwrap().is_none());
    assert_ne!(fresh, here);
    let after = docket.staff_session(&fresh).unwrap().unwrap();
    assert_eq!(after.staff.id, before.staff.id);
    assert_ne!(after.form_token, before.form_token);
    let sessions = docket.sessions_of(after.staff.id).unwrap();
    assert_eq!(sessions.len(), 1, "only the fresh session is left");
    assert!(matches!(
        docket.change_password("nonsense", new, PASSWORD, "a"),
        Err(Error::Forbidden(_))
    ));
}

#[test]
fn only_admins_pass_the_admin_check() {
    let (docket, _) = firm();
    let cookie = cookie_of(sign_in(&docket, "sam@firm.example", PASSWORD, "a"));
    let member = docket.staff_session(&cookie).unwrap().unwrap();
    let refused = member
        .require_admin("change the firm's settings")
        .unwrap_err();
    assert!(matches!(refused, Error::Forbidden(_)));
    assert_eq!(
        refused.to_string(),
        "only an admin can change the firm's settings; ask one of the firm's admins"
    );
}
