//! Unit tests of `mod.rs`: what goes into an email's headers.

use super::*;

/// Every bidirectional control: an embedding, override, isolate or mark.
const BIDI: [char; 12] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

#[test]
fn headers_carry_no_bidi_controls() {
    for c in BIDI {
        let name = format!("Ann {c}rehcrA");
        assert_eq!(display_name(&name), "Ann rehcrA", "{:04X}", c as u32);
        assert_eq!(
            one_line(&format!("Your{c} 2025\naccounts")),
            "Your 2025 accounts",
            "{:04X}",
            c as u32
        );
    }
}
