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
