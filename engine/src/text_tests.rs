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
