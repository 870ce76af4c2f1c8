//! Unit tests of `transport.rs`.

use super::DataBody;

#[test]
fn data_bodies_are_dot_stuffed_and_terminated_once() {
    assert_eq!(
        DataBody("Subject: x\r\n\r\n.hidden\r\nend\r\n").to_string(),
        "Subject: x\r\n\r\n..hidden\r\nend\r\n.\r\n"
    );
    assert_eq!(DataBody("no newline").to_string(), "no newline\r\n.\r\n");
    assert_eq!(DataBody(".").to_string(), "..\r\n.\r\n");
}
