//! Unit tests of `text.rs`.

use super::*;

#[test]
fn hex_is_two_lower_case_digits_a_byte() {
    assert_eq!(hex(&[]), "");
    assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
}

#[test]
fn sizes_read_in_the_largest_unit_that_fits() {
    for (bytes, said) in [
        (0, "0 bytes"),
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (1025, "2 KiB"),
        (1500, "2 KiB"),
        (1_048_575, "1024 KiB"),
        (1_048_576, "1 MiB"),
        (1_572_864, "1.5 MiB"),
        (50 * 1_048_576, "50 MiB"),
        (50 * 1_048_576 + 1, "50 MiB"),
        (4 * 1_048_576 + 200_000, "4.2 MiB"),
    ] {
        assert_eq!(size(bytes), said, "{bytes} bytes");
    }
}

#[test]
fn browsers_are_named_as_people_name_them() {
    for (ua, named) in [
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on macOS",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1",
            "Chrome on iPad",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64)", "a browser on Linux"),
        ("curl/8.5.0", "an unknown browser"),
        ("", "an unknown browser"),
    ] {
        assert_eq!(browser(ua), named, "{ua}");
    }
}

/// Every bidirectional control the issue names, one at a time.
pub const BIDI_CONTROLS: [char; 12] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

#[test]
fn each_bidi_control_is_known_and_stripped() {
    for c in BIDI_CONTROLS {
        assert!(is_bidi_control(c), "{:04X}", c as u32);
        assert_eq!(strip_bidi(&format!("invoice{c}fdp.exe")), "invoicefdp.exe");
    }
    for c in ['a', 'é', 'ש', '\u{200D}', '\u{2029}', ' '] {
        assert!(!is_bidi_control(c), "{:04X}", c as u32);
    }
    assert_eq!(strip_bidi("שלום Ann"), "שלום Ann");
}

#[test]
fn a_long_text_is_shortened_with_an_ellipsis() {
    assert_eq!(shorten("  P60  ", 10), "P60");
    assert_eq!(shorten("0123456789", 10), "0123456789");
    assert_eq!(shorten("0123456789A", 10), "012345678…");
    assert_eq!(shorten("Bank statements for", 10), "Bank stat…");
    assert_eq!(shorten("ééééééééééé", 5).chars().count(), 5);
}

#[test]
fn what_a_text_opens_it_closes() {
    // Each opener, alone: closed by its own terminator.
    for (open, close) in [
        ('\u{202A}', '\u{202C}'),
        ('\u{202B}', '\u{202C}'),
        ('\u{202D}', '\u{202C}'),
        ('\u{202E}', '\u{202C}'),
        ('\u{2066}', '\u{2069}'),
        ('\u{2067}', '\u{2069}'),
        ('\u{2068}', '\u{2069}'),
    ] {
        let text = format!("invoice{open}fdp.exe");
        assert_eq!(close_bidi(&text), format!("{text}{close}"));
        // Idempotent.
        assert_eq!(close_bidi(&close_bidi(&text)), close_bidi(&text));
    }
    // Marks and stray terminators open nothing.
    for c in ['\u{200E}', '\u{200F}', '\u{061C}', '\u{202C}', '\u{2069}'] {
        let text = format!("Ann{c}");
        assert_eq!(close_bidi(&text), text);
    }
    // Nested: an override inside an isolate, both closed innermost first.
    assert_eq!(
        close_bidi("a\u{2067}b\u{202E}c"),
        "a\u{2067}b\u{202E}c\u{202C}\u{2069}"
    );
    // A PDI closes the embeddings inside its isolate too.
    assert_eq!(
        close_bidi("a\u{2067}b\u{202E}c\u{2069}d"),
        "a\u{2067}b\u{202E}c\u{2069}d"
    );
    assert_eq!(close_bidi("plain"), "plain");
}
