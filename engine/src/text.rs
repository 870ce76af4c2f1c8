//! How Docket writes bytes, sizes and browsers as text, the same everywhere: a digest as
//! lower-case hex (the names of stored files, the hashes of secrets), a file's size in the words
//! pages and messages show, and a browser's user-agent string as people name it.

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

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
