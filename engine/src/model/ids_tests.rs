//! Unit tests of `ids.rs`.

use super::*;
use chrono::Duration;

#[test]
fn ids_sort_by_creation_time() {
    let t = Utc::now();
    let a = WorkId::new(t);
    let b = WorkId::new(t + Duration::milliseconds(1));
    assert!(a.key() < b.key());
    assert_eq!(a.to_string().parse::<WorkId>().unwrap(), a);
    assert!("nope".parse::<WorkId>().is_err());
}

#[test]
fn ids_debug_as_the_text_the_admin_shows() {
    let id = WorkId::new(Utc::now());
    assert_eq!(format!("{id:?}"), id.to_string());
    // As a log line prints a record holding one.
    let event = crate::model::Actor::Staff(UserId(id.0));
    assert_eq!(format!("{event:?}"), format!("Staff({id})"));
    assert!(!format!("{:?}", Some(id)).contains("Ulid("));
}
