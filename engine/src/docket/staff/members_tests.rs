//! Unit tests of `members.rs`.

use super::*;
use crate::docket::test_support::docket_at;

#[test]
fn users_sign_in_with_their_password_only() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let new = NewUser {
        email: "Boss@Firm.example".into(),
        name: "Boss".into(),
        role: Role::Admin,
        password: "correct horse battery".into(),
    };
    let user = docket.add_user(new.clone()).unwrap();
    assert_eq!(user.email, "boss@firm.example");
    assert!(
        docket
            .verify_password("boss@firm.example", "correct horse battery")
            .unwrap()
            .is_some()
    );
    assert!(
        docket
            .verify_password("boss@firm.example", "wrong horse battery")
            .unwrap()
            .is_none()
    );
    assert!(
        docket
            .verify_password("nobody@firm.example", "correct horse battery")
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        docket.add_user(new.clone()),
        Err(Error::Conflict(_))
    ));
    for password in ["short", "            ", "     abc      "] {
        let weak = NewUser {
            email: "x@firm.example".into(),
            password: password.into(),
            ..new.clone()
        };
        assert!(
            docket
                .add_user(weak)
                .unwrap_err()
                .to_string()
                .contains("at least 12"),
            "{password:?}"
        );
    }
}

#[test]
fn api_tokens_authenticate_by_secret() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let (token, secret) = docket
        .create_api_token(
            "ci",
            crate::model::Role::Admin,
            crate::model::TokenCreator::CommandLine,
        )
        .unwrap();
    assert!(secret.starts_with("dkt_") && secret.len() == 4 + 43);
    assert_eq!(
        docket.authenticate_api_token(&secret).unwrap().unwrap().id,
        token.id
    );
    let mut forged = secret.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert!(docket.authenticate_api_token(&forged).unwrap().is_none());
    assert!(docket.authenticate_api_token("").unwrap().is_none());
    assert_eq!(
        token.role,
        Role::Admin,
        "tokens made without a role are admin tokens"
    );
}
