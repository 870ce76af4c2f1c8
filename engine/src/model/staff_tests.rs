//! Unit tests of `staff.rs`.

use super::*;

#[test]
fn a_member_never_carries_the_password_hash() {
    let user = StaffUser {
        id: UserId::new(Utc::now()),
        email: "sam@firm.example".into(),
        name: "Sam".into(),
        role: Role::Staff,
        password_hash: "$argon2id$v=19$secret".into(),
        created_at: Utc::now(),
        disabled_at: None,
        invite: Some(crate::model::StaffInvite {
            hash: "invitehash".into(),
            expires_at: Utc::now(),
        }),
    };
    let shown = serde_json::to_string(&StaffMember::from(&user)).unwrap();
    assert!(
        !shown.contains("argon2") && !shown.contains("password") && !shown.contains("invitehash"),
        "{shown}"
    );
    assert!(shown.contains("\"role\":\"staff\""), "{shown}");
}
