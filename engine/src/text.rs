//! How Docket writes bytes, sizes and browsers as text, the same everywhere: a digest as
//! lower-case hex (the names of stored files, the hashes of secrets), a file's size in the words
//! pages and messages show, a browser's user-agent string as people name it, the bidirectional
//! controls that make text lie about itself (stripped where text cannot be isolated, as in email
//! headers), and a long text shortened for a label.

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

/// A browser's `User-Agent` as people name it — "Chrome on Android", "Safari on iPhone",
/// "Firefox on Windows" — for the timeline; "an unknown browser" when it says nothing known.
pub fn browser(user_agent: &str) -> String {
    let ua = user_agent;
    let has = |needle: &str| ua.contains(needle);
    // Order matters: Edge and Opera say Chrome too, Chrome says Safari, iOS browsers say Safari.
    let name = if has("Edg/") || has("EdgA/") || has("EdgiOS/") {
        Some("Edge")
    } else if has("OPR/") || has("Opera") {
        Some("Opera")
    } else if has("SamsungBrowser/") {
        Some("Samsung Internet")
    } else if has("Firefox/") || has("FxiOS/") {
        Some("Firefox")
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        Some("Chrome")
    } else if has("Safari/") && has("Version/") {
        Some("Safari")
    } else {
        None
    };
    let system = if has("iPhone") {
        Some("iPhone")
    } else if has("iPad") {
        Some("iPad")
    } else if has("Android") {
        Some("Android")
    } else if has("Windows") {
        Some("Windows")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Mac OS X") || has("Macintosh") {
        Some("macOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (name, system) {
        (Some(name), Some(system)) => format!("{name} on {system}"),
        (Some(name), None) => name.to_string(),
        (None, Some(system)) => format!("a browser on {system}"),
        (None, None) => "an unknown browser".to_string(),
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

/// `text` with every embedding, override and isolate it opens closed at its end (U+202C, U+2069),
/// so whatever it holds cannot reorder what a page prints after it. Closing is idempotent: text
/// that closes what it opens is returned as it is.
pub fn close_bidi(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_bidi_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    // What is open, innermost last: true for an isolate, false for an embedding or override.
    let mut open: Vec<bool> = Vec::new();
    for c in text.chars() {
        match c {
            '\u{202A}'..='\u{202B}' | '\u{202D}'..='\u{202E}' => open.push(false),
            '\u{2066}'..='\u{2068}' => open.push(true),
            // A PDF closes the innermost embedding, unless an isolate is open inside it.
            '\u{202C}' if open.last() == Some(&false) => {
                open.pop();
            }
            // A PDI closes the innermost isolate and every embedding inside it.
            '\u{2069}' => {
                if let Some(at) = open.iter().rposition(|&isolate| isolate) {
                    open.truncate(at);
                }
            }
            _ => {}
        }
    }
    if open.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut closed = text.to_string();
    for isolate in open.iter().rev() {
        closed.push(if *isolate { '\u{2069}' } else { '\u{202C}' });
    }
    std::borrow::Cow::Owned(closed)
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
