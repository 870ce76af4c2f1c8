//! What clients and staff exchange on a work item: comments and uploaded files.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Actor, Record, WorkId};

/// A comment on a work item, from the client or from staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: ulid::Ulid,
    pub work: WorkId,
    pub at: DateTime<Utc>,
    pub author: Actor,
    pub body: String,
}

impl Record for Comment {
    const KIND: &'static str = "comment";
    const VERSION: u16 = 1;
}

/// A file uploaded to a work item. Its bytes are kept apart, under `blob`, and are served to
/// staff only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub id: ulid::Ulid,
    pub work: WorkId,
    pub at: DateTime<Utc>,
    pub uploaded_by: Actor,
    /// The original name, stripped of folders and control characters.
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the bytes, hex; also the key of the bytes in the blob tree.
    pub sha256: String,
    /// Which client task it answers, by group and task position, if any.
    pub task: Option<(usize, usize)>,
}

impl Record for UploadedFile {
    const KIND: &'static str = "uploaded file";
    const VERSION: u16 = 1;
}

/// A file name safe to show and to offer for download: no folders, no control characters, no
/// leading dots, at most 200 characters.
pub fn sanitise_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let short: String = trimmed.chars().take(200).collect();
    if short.is_empty() {
        "upload".into()
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::sanitise_file_name;

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        let cases = [
            ("P60 2026.pdf", "P60 2026.pdf"),
            ("../../etc/passwd", "passwd"),
            ("C:\\Users\\ann\\bank.pdf", "bank.pdf"),
            (".htaccess", "htaccess"),
            ("evil\u{0}name\r\n.pdf", "evilname.pdf"),
            ("", "upload"),
            ("...", "upload"),
            ("a<b>c?.txt", "abc.txt"),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitise_file_name(raw), want, "{raw:?}");
        }
        assert_eq!(sanitise_file_name(&"x".repeat(500)).len(), 200);
    }
}
