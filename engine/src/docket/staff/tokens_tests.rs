//! Unit tests of `tokens.rs`.

use super::*;
use crate::docket::test_support::docket_at;

#[test]
fn tokens_carry_a_role_and_revoked_ones_are_refused() {
    let (docket, clock) = docket_at("2027-01-10T09:00:00Z");
    let (staff, secret) = docket.create_api_token("zapier", Role::Staff).unwrap();
    assert_eq!(staff.role, Role::Staff);
    assert_eq!(staff.last_used_at, None);
    let used = docket.authenticate_api_token(&secret).unwrap().unwrap();
    assert_eq!(used.last_used_at, Some(docket.now()));
    // Within the minute nothing is written again.
    let first = docket.now();
    clock.advance(chrono::Duration::seconds(30));
    docket.authenticate_api_token(&secret).unwrap().unwrap();
    assert_eq!(
        docket.list_api_tokens().unwrap()[0].last_used_at,
        Some(first)
    );
    clock.advance(chrono::Duration::seconds(31));
    docket.authenticate_api_token(&secret).unwrap().unwrap();
    assert_eq!(
        docket.list_api_tokens().unwrap()[0].last_used_at,
        Some(docket.now())
    );

    let (other, other_secret) = docket
        .create_api_token("backup", crate::model::Role::Admin)
        .unwrap();
    let revoked = docket.revoke_api_token(staff.id).unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(docket.authenticate_api_token(&secret).unwrap().is_none());
    assert!(
        docket
            .authenticate_api_token(&other_secret)
            .unwrap()
            .is_some()
    );
    assert_eq!(docket.revoke_api_token(staff.id).unwrap(), revoked);
    let listed = docket.list_api_tokens().unwrap();
    assert_eq!(
        listed.iter().map(|t| t.id).collect::<Vec<_>>(),
        [staff.id, other.id]
    );
    assert!(matches!(
        docket.revoke_api_token(TokenId::new(docket.now())),
        Err(Error::NotFound { .. })
    ));
    assert!(docket.create_api_token("  ", Role::Admin).is_err());
    // A live token's name is refused; a revoked token's name may be used again.
    let err = docket
        .create_api_token("Backup", Role::Staff)
        .unwrap_err()
        .to_string();
    assert!(err.contains("already named `Backup`"), "{err}");
    assert_eq!(docket.list_api_tokens().unwrap().len(), 2, "nothing made");
    docket.create_api_token("zapier", Role::Staff).unwrap();
}

#[test]
fn a_token_of_the_first_format_is_an_admin_token() {
    let old = serde_json::json!({
        "id": TokenId::new(chrono::Utc::now()).to_string(),
        "name": "old script",
        "created_at": "2026-01-01T00:00:00Z",
    });
    let upgraded = <ApiToken as crate::model::Record>::upgrade(1, old).unwrap();
    let token: ApiToken = serde_json::from_value(upgraded).unwrap();
    assert_eq!(token.role, Role::Admin);
    assert_eq!(token.revoked_at, None);
}
