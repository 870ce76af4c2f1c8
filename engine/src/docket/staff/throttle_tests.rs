//! Unit tests of `throttle.rs`.

use super::*;

#[test]
fn delays_grow_from_the_first_counted_failure_up_to_the_cap() {
    let s = Duration::seconds;
    for (failures, account, address) in [
        (0, s(0), s(0)),
        (2, s(0), s(0)),
        (3, s(5), s(0)),
        (4, s(10), s(0)),
        (5, s(20), s(0)),
        (9, s(320), s(0)),
        (10, s(640), s(5)),
        (11, s(900), s(10)),
        (40, s(900), s(900)),
        (u32::MAX, s(900), s(900)),
    ] {
        assert_eq!(ACCOUNT_BACKOFF.delay(failures), account, "{failures}");
        assert_eq!(ADDRESS_BACKOFF.delay(failures), address, "{failures}");
    }
}

#[test]
fn addresses_are_grouped_as_networks_hand_them_out() {
    for (given, counted) in [
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::99", "2001:db8:1:2::/64"),
        ("unknown", "unknown"),
    ] {
        assert_eq!(address_group(given), counted);
    }
}

#[test]
fn waits_read_as_words() {
    assert_eq!(wait_in_words(Duration::milliseconds(300)), "1 second");
    assert_eq!(wait_in_words(Duration::milliseconds(4200)), "5 seconds");
    assert_eq!(wait_in_words(Duration::seconds(90)), "90 seconds");
    assert_eq!(wait_in_words(Duration::seconds(600)), "10 minutes");
    assert_eq!(wait_in_words(Duration::seconds(601)), "11 minutes");
}
