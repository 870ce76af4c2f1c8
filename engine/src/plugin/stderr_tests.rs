//! Unit tests of `stderr.rs`.

use super::*;

#[test]
fn the_tail_keeps_the_end_and_finds_the_last_panic() {
    let tail = StderrTail::default();
    let mut stream = tail.clone();
    OutputStream::write(&mut stream, Bytes::from(vec![b'x'; 3 * KEPT])).unwrap();
    OutputStream::write(
        &mut stream,
        Bytes::from_static(
            b"\ndocket-plugin-panic\tsrc/lib.rs:7\tfirst\ndocket-plugin-panic\tsrc/lib.rs:9\tindex out of bounds\n",
        ),
    )
    .unwrap();
    assert_eq!(tail.text().len(), KEPT);
    assert_eq!(
        tail.panic(),
        Some(Failure {
            kind: "panic".into(),
            message: "index out of bounds".into(),
            location: "src/lib.rs:9".into(),
        })
    );
    tail.clear();
    assert_eq!(tail.panic(), None);
    assert_eq!(tail.last_line(), None);
    OutputStream::write(
        &mut stream,
        Bytes::from_static(b"Traceback (most recent call last):\n  ...\nValueError: bad\n\n"),
    )
    .unwrap();
    assert_eq!(tail.last_line().as_deref(), Some("ValueError: bad"));
}
