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
