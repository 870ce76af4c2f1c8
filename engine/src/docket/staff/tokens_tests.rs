//! Unit tests of `tokens.rs`.

use super::*;
use crate::docket::test_support::docket_at;

#[test]
fn tokens_carry_a_role_and_revoked_ones_are_refused() {
    let (docket, clock) = docket_at("2027-01-10T09:00:00Z");
    let (staff, secret) = docket
        .create_api_token("zapier", Role::Staff, TokenCreator::CommandLine)
        .unwrap();
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
        .create_api_token(
            "backup",
            crate::model::Role::Admin,
            TokenCreator::CommandLine,
        )
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
    assert!(
        docket
            .create_api_token("  ", Role::Admin, TokenCreator::CommandLine)
            .is_err()
    );
    // A live token's name is refused; a revoked token's name may be used again.
    let err = docket
        .create_api_token("Backup", Role::Staff, TokenCreator::CommandLine)
        .unwrap_err()
        .to_string();
    assert!(err.contains("already named `Backup`"), "{err}");
    assert_eq!(docket.list_api_tokens().unwrap().len(), 2, "nothing made");
    docket
        .create_api_token("zapier", Role::Staff, TokenCreator::CommandLine)
        .unwrap();
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

#[test]
fn a_token_of_the_second_format_has_no_known_creator() {
    let old = serde_json::json!({
        "id": TokenId::new(chrono::Utc::now()).to_string(),
        "name": "zapier",
        "created_at": "2026-01-01T00:00:00Z",
        "role": "staff",
        "revoked_at": "2026-02-01T00:00:00Z",
    });
    let upgraded = <ApiToken as crate::model::Record>::upgrade(2, old).unwrap();
    let token: ApiToken = serde_json::from_value(upgraded).unwrap();
    assert_eq!(token.role, Role::Staff);
    assert_eq!(token.created_by, TokenCreator::Unknown);
    assert_eq!(token.member(), None);
    assert_eq!(token.revoked_because, Some(TokenEnd::Revoked));
}

/// Two admins, Ada and Bea; Ada's token in the store and its secret.
fn firm_with_adas_token(role: Role) -> (Docket, UserId, ApiToken, String) {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let mut ada = None;
    for email in ["ada@firm.example", "bea@firm.example"] {
        let member = docket
            .add_user(crate::NewUser {
                email: email.into(),
                name: email.into(),
                role: Role::Admin,
                password: "correct horse battery".into(),
            })
            .unwrap();
        ada.get_or_insert(member.id);
    }
    let ada = ada.unwrap();
    let by = TokenCreator::Member {
        id: ada,
        email: "ada@firm.example".into(),
    };
    let (token, secret) = docket.create_api_token("ada's script", role, by).unwrap();
    (docket, ada, token, secret)
}

#[test]
fn disabling_a_member_ends_their_tokens_for_good() {
    let (docket, ada, token, secret) = firm_with_adas_token(Role::Admin);
    let (cli, cli_secret) = docket
        .create_api_token("backup", Role::Admin, TokenCreator::CommandLine)
        .unwrap();
    assert_eq!(
        docket
            .authenticate_api_token(&secret)
            .unwrap()
            .unwrap()
            .role,
        Role::Admin
    );

    docket.disable_user("ada@firm.example").unwrap();
    assert!(docket.authenticate_api_token(&secret).unwrap().is_none());
    let listed = docket.list_api_tokens().unwrap();
    let ended = listed.iter().find(|t| t.id == token.id).unwrap();
    assert_eq!(ended.revoked_at, Some(docket.now()));
    assert_eq!(ended.revoked_because, Some(TokenEnd::MemberDisabled));
    // A token of no member is not touched.
    let kept = listed.iter().find(|t| t.id == cli.id).unwrap();
    assert_eq!(kept.revoked_at, None);
    assert!(
        docket
            .authenticate_api_token(&cli_secret)
            .unwrap()
            .is_some()
    );
    // A disabled member makes no token, and enabling them does not revive the ended one.
    let err = docket
        .create_api_token(
            "another",
            Role::Staff,
            TokenCreator::Member {
                id: ada,
                email: String::new(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err}");
    docket.enable_user("ada@firm.example").unwrap();
    assert!(docket.authenticate_api_token(&secret).unwrap().is_none());
    let (_, fresh) = docket
        .create_api_token(
            "ada's new script",
            Role::Admin,
            TokenCreator::Member {
                id: ada,
                email: String::new(),
            },
        )
        .unwrap();
    let fresh = docket.authenticate_api_token(&fresh).unwrap().unwrap();
    // The creator's email is the member's as stored, whatever the caller said.
    assert_eq!(
        fresh.created_by,
        TokenCreator::Member {
            id: ada,
            email: "ada@firm.example".into()
        }
    );
}

#[test]
fn a_token_is_refused_while_its_member_is_disabled_however_it_was_written() {
    let (docket, _, token, secret) = firm_with_adas_token(Role::Admin);
    docket.disable_user("ada@firm.example").unwrap();
    // A token record that says it is live (restored from elsewhere, say) is still refused.
    let revived = ApiToken {
        revoked_at: None,
        revoked_because: None,
        ..token
    };
    let mut batch = Batch::default();
    batch.put_record(Tree::ApiTokens, token_hash(&secret), &revived);
    docket.store.commit(batch).unwrap();
    assert!(docket.authenticate_api_token(&secret).unwrap().is_none());
}

#[test]
fn demoting_a_member_lowers_their_tokens_and_promoting_does_not_raise_them() {
    let (docket, ada, token, secret) = firm_with_adas_token(Role::Admin);
    docket
        .set_user_role("ada@firm.example", Role::Staff)
        .unwrap();
    let used = docket.authenticate_api_token(&secret).unwrap().unwrap();
    assert_eq!(used.role, Role::Staff);
    let listed = docket.list_api_tokens().unwrap();
    assert_eq!(listed[0].id, token.id);
    assert_eq!(listed[0].role, Role::Staff);
    assert_eq!(listed[0].revoked_at, None);
    // A staff member cannot make an admin token.
    let err = docket
        .create_api_token(
            "escalate",
            Role::Admin,
            TokenCreator::Member {
                id: ada,
                email: String::new(),
            },
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("role"), "{err}");
    docket
        .set_user_role("ada@firm.example", Role::Admin)
        .unwrap();
    assert_eq!(
        docket
            .authenticate_api_token(&secret)
            .unwrap()
            .unwrap()
            .role,
        Role::Staff
    );
}

#[test]
fn a_members_role_caps_a_token_written_with_more() {
    let (docket, _, token, secret) = firm_with_adas_token(Role::Admin);
    docket
        .set_user_role("ada@firm.example", Role::Staff)
        .unwrap();
    let mut batch = Batch::default();
    batch.put_record(
        Tree::ApiTokens,
        token_hash(&secret),
        &ApiToken {
            role: Role::Admin,
            ..token
        },
    );
    docket.store.commit(batch).unwrap();
    assert_eq!(
        docket
            .authenticate_api_token(&secret)
            .unwrap()
            .unwrap()
            .role,
        Role::Staff
    );
}
