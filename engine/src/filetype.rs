//! What a file's name claims against what its bytes are. Every upload's type is read from its
//! first bytes (`content_type`, never what the sender said); when the name's extension promises
//! another kind of file — an executable named `invoice.pdf` — the file record carries a
//! `TypeMismatch` that staff are shown before they open it.

use crate::model::TypeMismatch;

/// The types a name's extension may honestly hold, for the extensions clients send most; other
/// extensions (and none) promise nothing, except that a program is never taken for a document.
fn expected(extension: &str) -> Option<&'static [&'static str]> {
    const OLE: &str = "application/x-ole-storage";
    const ZIP: &str = "application/zip";
    Some(match extension {
        "pdf" => &["application/pdf"],
        "png" => &["image/png"],
        "jpg" | "jpeg" | "jfif" => &["image/jpeg"],
        "gif" => &["image/gif"],
        "webp" => &["image/webp"],
        "tif" | "tiff" => &["image/tiff"],
        "heic" | "heif" => &["image/heic", "image/heif"],
        "bmp" => &["image/bmp"],
        "doc" => &["application/msword", OLE],
        "xls" => &["application/vnd.ms-excel", OLE],
        "ppt" => &["application/vnd.ms-powerpoint", OLE],
        "msg" => &[OLE],
        "docx" => &[
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ZIP,
        ],
        "xlsx" => &[
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ZIP,
        ],
        "pptx" => &[
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ZIP,
        ],
        "odt" => &["application/vnd.oasis.opendocument.text", ZIP],
        "ods" => &["application/vnd.oasis.opendocument.spreadsheet", ZIP],
        "zip" => &[ZIP],
        "txt" | "csv" | "tsv" => &["text/plain"],
        "rtf" => &["application/rtf", "text/plain"],
        _ => return None,
    })
}

/// Types that run as programs.
const PROGRAMS: [&str; 5] = [
    "application/vnd.microsoft.portable-executable",
    "application/x-executable",
    "application/x-mach-binary",
    "application/x-msdownload",
    "application/vnd.android.dex",
];

/// Extensions a program may honestly have.
const PROGRAM_EXTENSIONS: [&str; 8] = ["exe", "dll", "msi", "com", "scr", "bin", "elf", "dex"];

/// What a file named `name` whose bytes are of type `detected` says it is and is not, if the two
/// disagree.
pub fn mismatch(name: &str, detected: &str) -> Option<TypeMismatch> {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let disagrees = match expected(&extension) {
        Some(types) => !types.contains(&detected),
        None => PROGRAMS.contains(&detected) && !PROGRAM_EXTENSIONS.contains(&extension.as_str()),
    };
    disagrees.then(|| TypeMismatch {
        name_says: if extension.is_empty() {
            "no type (the name has no extension)".into()
        } else {
            format!(".{extension}")
        },
        content_is: detected.to_string(),
    })
}

/// A file name's extension for what its bytes are, when downloading a mismatched file: so the
/// saved copy says what it really is.
pub fn extension_of(detected: &str) -> &'static str {
    match detected {
        "application/vnd.microsoft.portable-executable" | "application/x-msdownload" => "exe",
        "application/x-executable" => "elf",
        "application/x-mach-binary" => "macho",
        "text/html" => "html",
        "image/svg+xml" => "svg",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "text/plain" => "txt",
        _ => "bin",
    }
}

/// The name a staff download is saved under: the file's own, and for a file whose content
/// disagrees with its name, that name with the extension of what it really is
/// (`invoice.pdf.exe`), so the saved copy does not pass for what it is not.
pub fn download_name(file: &crate::model::UploadedFile) -> String {
    match &file.type_mismatch {
        Some(m) => format!("{}.{}", file.name, extension_of(&m.content_is)),
        None => file.name.clone(),
    }
}

/// Bytes of an upload (the portal's, an email's attachment) looked at to tell its type.
pub const SNIFF_BYTES: usize = 512;

/// The type of a file from its first bytes, never from what the client claimed.
pub fn sniff(head: &[u8]) -> &'static str {
    if let Some(kind) = infer::get(head) {
        return kind.mime_type();
    }
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    const HTML: [&str; 8] = [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<script",
        "<iframe",
        "<svg",
        "<?xml",
    ];
    if HTML.iter().any(|tag| start.starts_with(tag)) {
        return if start.starts_with("<svg") || start.starts_with("<?xml") {
            "image/svg+xml"
        } else {
            "text/html"
        };
    }
    if std::str::from_utf8(head).is_ok()
        || (head.len() == SNIFF_BYTES && std::str::from_utf8(&head[..head.len() - 3]).is_ok())
    {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
#[path = "filetype_tests.rs"]
mod tests;
