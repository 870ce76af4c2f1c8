//! A record's envelope in the store: two bytes of format version and its JSON, or a zstd frame
//! of the JSON (the version's top bit set) when that is smaller; `decode` upgrades records
//! written in an older format and refuses records from the future.

use crate::model::Record;
use crate::{Error, Result};

/// The top bit of an envelope's version: the body is a zstd frame of the JSON rather than the
/// JSON itself. Record versions stay far below it.
const COMPRESSED: u16 = 0x8000;
/// Bodies shorter than this are kept as JSON: compressing them saves nothing.
const COMPRESS_FROM: usize = 64;
/// zstd's level for record bodies: its fastest levels compress JSON about as well as its
/// default on bodies this small, at a fraction of the time.
const COMPRESSION_LEVEL: i32 = 1;
/// A compressed body claiming to unpack to more than this is damaged, not a record.
const MAX_RECORD: u64 = 64 * 1024 * 1024;
/// The magic number that starts every zstd frame.
pub(super) const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

thread_local! {
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// A record inside its envelope: two bytes of format version, then its JSON; a body of
/// `COMPRESS_FROM` bytes or more is stored as a zstd frame instead, with the version's top bit
/// set (`COMPRESSED`). `decode` reads both, so records written before compression still open.
pub fn encode<R: Record>(record: &R) -> Vec<u8> {
    let json = serde_json::to_vec(record).expect("records serialise");
    envelope(R::VERSION, &json)
}

/// Wraps a JSON body of record version `version`, compressed when that pays.
pub(super) fn envelope(version: u16, json: &[u8]) -> Vec<u8> {
    if json.len() >= COMPRESS_FROM
        && let Some(packed) = compress(json)
        && packed.len() < json.len()
    {
        let mut out = Vec::with_capacity(2 + packed.len());
        out.extend_from_slice(&(version | COMPRESSED).to_be_bytes());
        out.extend_from_slice(&packed);
        return out;
    }
    let mut out = Vec::with_capacity(2 + json.len());
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(json);
    out
}

fn compress(json: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = zstd::bulk::Compressor::new(COMPRESSION_LEVEL).ok();
        }
        // A compressor that cannot be made or fails leaves the body as JSON, which reads the same.
        cell.as_mut()?.compress(json).ok()
    })
}

/// The JSON body of an envelope and its record version.
fn open_envelope(bytes: &[u8]) -> std::result::Result<(u16, std::borrow::Cow<'_, [u8]>), String> {
    if bytes.len() < 2 {
        return Err("too short".into());
    }
    let version = u16::from_be_bytes([bytes[0], bytes[1]]);
    let body = &bytes[2..];
    if version & COMPRESSED == 0 {
        return Ok((version, std::borrow::Cow::Borrowed(body)));
    }
    if !body.starts_with(&ZSTD_MAGIC) {
        return Err("marked compressed but holds no zstd frame".into());
    }
    let size = zstd::zstd_safe::get_frame_content_size(body)
        .map_err(|_| "its compressed body is damaged".to_string())?
        .ok_or("its compressed body does not say its size")?;
    if size > MAX_RECORD {
        return Err(format!("its compressed body claims {size} bytes"));
    }
    let json = DECOMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = Some(zstd::bulk::Decompressor::new().map_err(|e| e.to_string())?);
        }
        let decompressor = cell.as_mut().expect("made above");
        decompressor
            .decompress(body, size as usize)
            .map_err(|e| format!("its compressed body is damaged: {e}"))
    })?;
    if json.len() as u64 != size {
        return Err("its compressed body is cut short".into());
    }
    Ok((version & !COMPRESSED, std::borrow::Cow::Owned(json)))
}

/// The size of a stored value as its record's plain JSON envelope: what compression saved is
/// added back; any other value counts as it is. For reporting sizes against the logical data.
pub fn logical_len(value: &[u8]) -> usize {
    if value.len() >= 6
        && value[0] & 0x80 != 0
        && value[2..6] == ZSTD_MAGIC
        && let Ok(Some(size)) = zstd::zstd_safe::get_frame_content_size(&value[2..])
    {
        return 2 + size as usize;
    }
    value.len()
}

/// A stored record value written as it would be written today (compressed when that pays), or
/// `None` when it already is or is not a record envelope with a JSON object inside: for
/// restores and upgrades, which bring older values up to date without decoding their types.
pub fn repack(value: &[u8]) -> Option<Vec<u8>> {
    if value.len() < 2 + COMPRESS_FROM || value[0] & 0x80 != 0 || value[2] != b'{' {
        return None;
    }
    let version = u16::from_be_bytes([value[0], value[1]]);
    serde_json::from_slice::<serde::de::IgnoredAny>(&value[2..]).ok()?;
    let packed = envelope(version, &value[2..]);
    (packed[0] & 0x80 != 0).then_some(packed)
}

/// Opens an envelope, upgrading records written in an older format.
pub fn decode<R: Record>(bytes: &[u8]) -> Result<R> {
    let corrupt = |why: String| Error::Storage(format!("corrupt {} record: {why}", R::KIND));
    let (version, body) = open_envelope(bytes).map_err(corrupt)?;
    if version == R::VERSION {
        return serde_json::from_slice(&body).map_err(|e| corrupt(e.to_string()));
    }
    if version > R::VERSION {
        return Err(Error::FutureFormat {
            kind: R::KIND,
            version,
        });
    }
    let value = serde_json::from_slice(&body).map_err(|e| corrupt(e.to_string()))?;
    let upgraded = R::upgrade(version, value).map_err(corrupt)?;
    serde_json::from_value(upgraded).map_err(|e| corrupt(e.to_string()))
}
