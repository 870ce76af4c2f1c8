//! Unit tests of `directory.rs`.

use super::*;
use crate::docket::test_support::docket_at;

#[test]
fn contacts_are_unique_by_email_and_validated() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let new = |email: &str, tz: Option<&str>| NewContact {
        name: "Ann Client".into(),
        email: email.into(),
        timezone: tz.map(Into::into),
        locale: None,
    };
    let ann = docket
        .create_contact(
            new("ann@client.example", Some("America/New_York")),
            Actor::System,
        )
        .unwrap();
    assert_eq!(
        docket
            .contact_by_email("ANN@client.example")
            .unwrap()
            .unwrap(),
        ann
    );
    let err = docket
        .create_contact(new("Ann@Client.example", None), Actor::System)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a contact with email Ann@Client.example already exists"
    );
    let err = docket
        .create_contact(new("bob@client.example", Some("Mars/Base")), Actor::System)
        .unwrap_err();
    assert!(err.to_string().contains("not an IANA timezone"));
    assert_eq!(docket.list_contacts(None, 10).unwrap().len(), 1);
    assert_eq!(docket.contact_timeline(ann.id, 10).unwrap().len(), 1);
}
