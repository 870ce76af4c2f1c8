//! Unit tests of `pause.rs`.

use super::*;
use crate::docket::test_support::docket_at;

#[test]
fn a_pause_is_kept_until_resumed_and_says_since_when_and_why() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    assert_eq!(docket.sending_pause().unwrap(), None);
    assert!(!docket.sending_paused());
    assert_eq!(
        docket.resume_sending("ada").unwrap(),
        None,
        "nothing to resume"
    );

    let pause = docket.pause_sending("restored from a backup").unwrap();
    assert!(docket.sending_paused());
    assert_eq!(docket.sending_pause().unwrap(), Some(pause.clone()));
    assert_eq!(
        pause_text(&pause, chrono_tz::Europe::London),
        "Sending is paused since 10 Jan 2027, 09:00 Europe/London (restored from a backup): nothing is emailed or posted until an admin resumes it."
    );
    assert_eq!(docket.resume_sending("ada").unwrap(), Some(pause));
    assert!(!docket.sending_paused());
}
