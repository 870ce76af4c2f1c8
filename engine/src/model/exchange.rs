//! What clients and staff exchange on a work item: comments and uploaded files.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Actor, Record, WorkId};

/// A comment on a work item, from the client or from staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: ulid::Ulid,
    pub work: WorkId,
    pub at: DateTime<Utc>,
    pub author: Actor,
    pub body: String,
    /// The group (and task) it is about. Only the group's recipient sees it in the portal; a
    /// comment with no group is for staff only, unless it can be attributed (see
    /// `Docket::comment_group`).
    #[serde(default)]
    pub group: Option<usize>,
    #[serde(default)]
    pub task: Option<usize>,
    /// The task's review this comment gives the reason of (`false`: sent back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<bool>,
}

impl Record for Comment {
    const KIND: &'static str = "comment";
    const VERSION: u16 = 1;
}

/// A file uploaded to a work item. Its bytes are kept apart, in the file store under their
/// hash, and are served to staff only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadedFile {
    pub id: ulid::Ulid,
    pub work: WorkId,
    pub at: DateTime<Utc>,
    pub uploaded_by: Actor,
    /// The original name, stripped of folders and control characters.
    pub name: String,
    pub content_type: String,
    /// The bytes: their SHA-256 (their name in the file store) and size.
    pub content: StoredFile,
    /// Which client task it answers, by group and task position, if any.
    pub task: Option<(usize, usize)>,
    /// Set when the bytes are not what the name says (an executable named `invoice.pdf`):
    /// staff are shown it before they open the file.
    #[serde(default)]
    pub type_mismatch: Option<TypeMismatch>,
}

/// A file whose name and content disagree: what the name's extension says, and the type read
/// from its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TypeMismatch {
    /// E.g. `.pdf`.
    pub name_says: String,
    /// E.g. `application/vnd.microsoft.portable-executable`.
    pub content_is: String,
}

impl UploadedFile {
    /// Its key in the `file_refs` index: hash `/` work `/` file.
    pub fn ref_key(&self) -> Vec<u8> {
        format!("{}/{}/{}", self.content.sha256, self.work, self.id).into_bytes()
    }
}

impl Record for UploadedFile {
    const KIND: &'static str = "uploaded file";
    /// 1: `size` and `sha256` beside the other fields, the bytes in sled's `blobs` tree.
    /// 2: `content` names the bytes in the file store.
    const VERSION: u16 = 2;

    fn upgrade(version: u16, mut value: serde_json::Value) -> Result<serde_json::Value, String> {
        if version != 1 {
            return Err(format!(
                "no upgrade from uploaded file format version {version}"
            ));
        }
        let fields = value
            .as_object_mut()
            .ok_or("an uploaded file record is not an object")?;
        let sha256 = fields.remove("sha256").ok_or("no sha256")?;
        let size = fields.remove("size").ok_or("no size")?;
        fields.insert(
            "content".into(),
            serde_json::json!({ "sha256": sha256, "size": size }),
        );
        Ok(value)
    }
}

/// A file name safe to show and to offer for download: no folders, no control characters, no
/// bidirectional-override or other invisible formatting characters (which can disguise
/// `invoice\u{202E}fdp.exe` as `invoiceexe.pdf`), no leading dots, at most 200 characters.
pub fn sanitise_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
                && !is_invisible_format(*c)
        })
        .collect();
    // Dots and spaces in any order: `. .htaccess` is a hidden file too (found by fuzzing).
    let trimmed = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    // A long name loses the end of its stem, not its extension.
    let short: String = if trimmed.chars().count() <= 200 {
        trimmed.to_string()
    } else {
        let extension = trimmed
            .rsplit_once('.')
            .map(|(_, ext)| ext)
            .filter(|ext| !ext.is_empty() && ext.chars().count() <= 16)
            .map(|ext| format!(".{ext}"))
            .unwrap_or_default();
        let stem: String = trimmed
            .chars()
            .take(200 - extension.chars().count())
            .collect();
        format!("{}{extension}", stem.trim_end())
    };
    if short.is_empty() {
        "upload".into()
    } else {
        short
    }
}

/// Bidirectional controls and other zero-width formatting characters.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

#[cfg(test)]
#[path = "exchange_tests.rs"]
mod tests;

/// A file in the store: its hash (64 lower-case hex digits) and its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
}
