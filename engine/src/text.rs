//! How Docket writes bytes and sizes as text, the same everywhere: a digest as lower-case hex
//! (the names of stored files, the hashes of secrets) and a file's size in the words pages and
//! messages show.

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

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
