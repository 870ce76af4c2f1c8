//! How Docket writes bytes and sizes as text, the same everywhere: a digest as lower-case hex
//! (the names of stored files, the hashes of secrets), a file's size in the words pages and
//! messages show, the bidirectional controls that make text lie about itself (stripped where
//! text cannot be isolated, as in email headers), and a long text shortened for a label.

/// Bytes as lower-case hex, two digits each: how a SHA-256 names a file in the file store and a
/// secret's hash is kept.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A size as people read it: `300 bytes`, `2 KiB` (rounded up, so a small file never reads
/// "0 KiB"), `50 MiB` or `12.5 MiB` (one decimal, none when it is 0). The units are binary and
/// say so, as the configuration's `max_upload_mib` counts them.
pub fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64).replace(".0 MiB", " MiB")
    } else if bytes >= KIB {
        format!("{} KiB", bytes.div_ceil(KIB))
    } else {
        format!("{bytes} bytes")
    }
}

/// A Unicode bidirectional control: the embeddings and overrides (U+202A–U+202E), the isolates
/// (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). Any of them can make what follows it
/// read in another order than it is written ("invoice\u{202E}fdp.exe").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `text` without its bidirectional controls: for places that cannot isolate text, such as an
/// email's subject or a display name.
pub fn strip_bidi(text: &str) -> String {
    text.chars().filter(|c| !is_bidi_control(*c)).collect()
}

/// `text` cut to at most `max` characters, with an ellipsis when it was cut: a label that
/// names a long title without repeating all of it.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
