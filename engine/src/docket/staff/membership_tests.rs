//! Unit tests of `membership.rs`.

use super::*;
use crate::NewUser;
use crate::docket::test_support::docket_at;

const PASSWORD: &str = "correct horse battery";

fn secret_in_outbox(docket: &Docket, to: &str) -> String {
    let message = docket
        .outbox(None, 10)
        .unwrap()
        .into_iter()
        .find(|m| m.to == to)
        .unwrap();
    let body = message.custom.unwrap().1;
    let start = body.find("/admin/invite/").unwrap() + "/admin/invite/".len();
    body[start..].split_whitespace().next().unwrap().to_string()
}

#[test]
fn an_invited_member_sets_a_password_once_before_it_expires() {
    let (docket, clock) = docket_at("2027-01-10T09:00:00Z");
    let sam = docket
        .invite_user(
            NewInvite {
                email: "Sam@Firm.example".into(),
                name: "Sam".into(),
                role: Role::Staff,
            },
            "Ada",
        )
        .unwrap();
    assert!(sam.invited_until.is_some());
    assert!(
        docket
            .verify_password("sam@firm.example", "")
            .unwrap()
            .is_none()
    );
    let secret = secret_in_outbox(&docket, "sam@firm.example");
    assert_eq!(docket.invited_user(&secret).unwrap().id, sam.id);
    assert!(docket.accept_invite(&secret, "short").is_err());
    docket.accept_invite(&secret, PASSWORD).unwrap();
    assert!(
        docket
            .verify_password("sam@firm.example", PASSWORD)
            .unwrap()
            .is_some()
    );
    assert!(matches!(
        docket.accept_invite(&secret, PASSWORD),
        Err(Error::Gone(_))
    ));
    // Once handed over, the outbox keeps the email without the secret.
    let claimed = docket.claim_due_messages(10).unwrap();
    let outcomes = claimed
        .into_iter()
        .map(|m| {
            let subject = m.subject.clone().unwrap_or_default();
            (m, crate::docket::Delivery::Sent { subject })
        })
        .collect();
    docket.settle_messages(outcomes).unwrap();
    let kept = docket.outbox(None, 10).unwrap().pop().unwrap();
    let body = kept.custom.unwrap().1;
    assert!(!body.contains(&secret), "{body}");
    assert!(body.contains("/admin/invite/…"), "{body}");

    docket
        .invite_user(
            NewInvite {
                email: "late@firm.example".into(),
                name: String::new(),
                role: Role::Admin,
            },
            "Ada",
        )
        .unwrap();
    let late = secret_in_outbox(&docket, "late@firm.example");
    clock.advance(INVITE_LIFETIME);
    assert!(matches!(docket.invited_user(&late), Err(Error::Gone(_))));
    assert!(matches!(
        docket.accept_invite(&late, PASSWORD),
        Err(Error::Gone(_))
    ));
    assert!(
        docket
            .invite_user(
                NewInvite {
                    email: "sam@firm.example".into(),
                    name: String::new(),
                    role: Role::Staff,
                },
                "Ada",
            )
            .is_err(),
        "one member per email"
    );
}

#[test]
fn a_sent_invitation_keeps_no_secret() {
    assert_eq!(
        redact_invite_links("Set it here:\n\nhttps://x/admin/invite/abc_DEF-1\n\nBye"),
        "Set it here:\n\nhttps://x/admin/invite/…\n\nBye"
    );
    assert_eq!(redact_invite_links("no link"), "no link");
}

#[test]
fn the_last_active_admin_stays_and_disabled_members_are_kept_out() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    for (email, role) in [
        ("ada@firm.example", Role::Admin),
        ("sam@firm.example", Role::Staff),
    ] {
        docket
            .add_user(NewUser {
                email: email.into(),
                name: email.into(),
                role,
                password: PASSWORD.into(),
            })
            .unwrap();
    }
    assert!(matches!(
        docket.set_user_role("ada@firm.example", Role::Staff),
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        docket.disable_user("ada@firm.example"),
        Err(Error::Conflict(_))
    ));
    let cookie = match docket
        .staff_sign_in("sam@firm.example", PASSWORD, "192.0.2.1", "test")
        .unwrap()
    {
        crate::docket::StaffSignIn::SignedIn { cookie, .. } => cookie,
        other => panic!("{other:?}"),
    };
    assert!(docket.staff_session(&cookie).unwrap().is_some());
    let sam = docket.disable_user("sam@firm.example").unwrap();
    assert!(sam.disabled_at.is_some());
    assert!(
        docket.staff_session(&cookie).unwrap().is_none(),
        "sessions end"
    );
    assert!(
        docket
            .verify_password("sam@firm.example", PASSWORD)
            .unwrap()
            .is_none()
    );
    docket.enable_user("sam@firm.example").unwrap();
    assert!(
        docket
            .verify_password("sam@firm.example", PASSWORD)
            .unwrap()
            .is_some()
    );
    // With a second admin, the first may step down.
    docket
        .set_user_role("sam@firm.example", Role::Admin)
        .unwrap();
    let ada = docket
        .set_user_role("ada@firm.example", Role::Staff)
        .unwrap();
    assert_eq!(ada.role, Role::Staff);
    assert!(matches!(
        docket.disable_user("sam@firm.example"),
        Err(Error::Conflict(_))
    ));
}
