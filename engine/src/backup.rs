//! Backup and restore: the whole store as a stream of JSON lines, checked end to end.
//!
//! The file is a header line, one line per entry (tree, key and value in base64), and a trailer
//! with the entry count and the SHA-256 of every line before it. A restore reads and checks the
//! whole file before it writes anything, and writes only into an empty data folder; a restore cut
//! short leaves a marker that makes the folder refuse to open until it is restored again.

use std::io::BufRead;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{Batch, Store, Tree};
use crate::{Error, Result};

const FORMAT: &str = "docket-backup";
const VERSION: u32 = 1;
/// Meta key present while a restore is under way.
pub const RESTORE_MARKER: &[u8] = b"restore_in_progress";
/// Meta keys the store writes on its own into a new folder; they don't make a folder non-empty.
const HOUSEKEEPING: &[&[u8]] = &[b"store_format"];

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
    created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    tree: String,
    key: String,
    value: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    end: bool,
    entries: u64,
    sha256: String,
}

/// Progress reports: entries done so far and the total.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Writes every entry of `store` to `out`; returns the number of entries. `Store::for_each` holds
/// writers off while it runs, so the copy is consistent even while the server is serving.
pub fn export(
    store: &dyn Store,
    now: chrono::DateTime<chrono::Utc>,
    out: &mut dyn std::io::Write,
    progress: Progress,
) -> Result<u64> {
    // The total is for the progress bar only: a write may land before the copy starts.
    let total: u64 = Tree::ALL
        .iter()
        .map(|t| store.len(*t).map(|n| n as u64))
        .sum::<Result<u64>>()?;
    let mut hasher = Sha256::new();
    let mut write_line = |line: String, hasher: &mut Sha256| -> Result<()> {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
        writeln!(out, "{line}").map_err(|e| Error::Backup(format!("cannot write: {e}")))
    };
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        created_at: now,
    };
    write_line(
        serde_json::to_string(&header).expect("header serialises"),
        &mut hasher,
    )?;
    let mut done = 0u64;
    store.for_each(&mut |tree, key, value| {
        let entry = Entry {
            tree: tree.name().into(),
            key: B64.encode(key),
            value: B64.encode(value),
        };
        write_line(
            serde_json::to_string(&entry).expect("entry serialises"),
            &mut hasher,
        )?;
        done += 1;
        progress(done, total.max(done));
        Ok(())
    })?;
    let trailer = Trailer {
        end: true,
        entries: done,
        sha256: hex(&hasher.finalize()),
    };
    writeln!(
        out,
        "{}",
        serde_json::to_string(&trailer).expect("trailer serialises")
    )
    .map_err(|e| Error::Backup(format!("cannot write: {e}")))?;
    out.flush()
        .map_err(|e| Error::Backup(format!("cannot write: {e}")))?;
    Ok(done)
}

/// Checks the whole of `input`, then writes it into `store`, which must be empty.
pub fn restore(store: &dyn Store, input: &mut dyn BufRead, progress: Progress) -> Result<u64> {
    ensure_empty(store)?;
    let entries = read_checked(input)?;
    let total = entries.len() as u64;
    let mut marker = Batch::default();
    marker.put(Tree::Meta, RESTORE_MARKER, Vec::new());
    store.commit(marker)?;
    let mut done = 0u64;
    for chunk in entries.chunks(1000) {
        let mut batch = Batch::default();
        for (tree, key, value) in chunk {
            batch.put(*tree, key.clone(), value.clone());
        }
        store.commit(batch)?;
        done += chunk.len() as u64;
        progress(done, total);
    }
    let mut clear = Batch::default();
    clear.remove(Tree::Meta, RESTORE_MARKER);
    store.commit(clear)?;
    store.flush()?;
    Ok(total)
}

/// Refuses to open a folder whose restore did not finish.
pub fn check_not_half_restored(store: &dyn Store) -> Result<()> {
    if store.get(Tree::Meta, RESTORE_MARKER)?.is_some() {
        return Err(Error::Backup("this data folder holds a restore that did not finish; empty the folder and run `docket restore` again".into()));
    }
    Ok(())
}

fn ensure_empty(store: &dyn Store) -> Result<()> {
    let mut found = None;
    store.for_each(&mut |tree, key, _| {
        if found.is_none() && !(tree == Tree::Meta && HOUSEKEEPING.contains(&key)) {
            found = Some(tree.name());
        }
        Ok(())
    })?;
    match found {
        Some(tree) => Err(Error::Backup(format!(
            "the data folder is not empty (it has {tree}); restore only into a new, empty folder"
        ))),
        None => Ok(()),
    }
}

type Entries = Vec<(Tree, Vec<u8>, Vec<u8>)>;

fn read_checked(input: &mut dyn BufRead) -> Result<Entries> {
    let bad = |line: usize, why: String| Error::Backup(format!("line {line}: {why}"));
    let mut hasher = Sha256::new();
    let mut lines = input.lines().enumerate().map(|(i, l)| (i + 1, l));
    let mut next_line = || -> Result<Option<(usize, String)>> {
        match lines.next() {
            Some((n, Ok(text))) => Ok(Some((n, text))),
            Some((n, Err(e))) => Err(bad(n, format!("cannot read: {e}"))),
            None => Ok(None),
        }
    };
    let (n, first) = next_line()?.ok_or_else(|| Error::Backup("the file is empty".into()))?;
    let header: Header = serde_json::from_str(&first)
        .map_err(|_| bad(n, "not a docket backup (no header)".into()))?;
    if header.format != FORMAT {
        return Err(bad(
            n,
            format!("not a docket backup (format `{}`)", header.format),
        ));
    }
    if header.version > VERSION {
        return Err(bad(
            n,
            format!(
                "backup format {} is newer than this docket reads ({VERSION}); upgrade docket",
                header.version
            ),
        ));
    }
    hasher.update(first.as_bytes());
    hasher.update(b"\n");
    let mut entries = Vec::new();
    loop {
        let (n, line) = next_line()?.ok_or_else(|| {
            Error::Backup("the file ends early: it has no trailer, so it was cut short".into())
        })?;
        if let Ok(trailer) = serde_json::from_str::<Trailer>(&line) {
            if !trailer.end || trailer.entries != entries.len() as u64 {
                return Err(bad(
                    n,
                    format!(
                        "the trailer counts {} entries but the file has {}",
                        trailer.entries,
                        entries.len()
                    ),
                ));
            }
            if trailer.sha256 != hex(&hasher.finalize()) {
                return Err(bad(
                    n,
                    "checksum mismatch: the file was changed or damaged".into(),
                ));
            }
            if next_line()?.is_some() {
                return Err(bad(n + 1, "text after the trailer".into()));
            }
            return Ok(entries);
        }
        let entry: Entry =
            serde_json::from_str(&line).map_err(|e| bad(n, format!("unreadable entry: {e}")))?;
        let tree = Tree::from_name(&entry.tree)
            .ok_or_else(|| bad(n, format!("unknown tree `{}`", entry.tree)))?;
        let key = B64
            .decode(&entry.key)
            .map_err(|e| bad(n, format!("bad key: {e}")))?;
        let value = B64
            .decode(&entry.value)
            .map_err(|e| bad(n, format!("bad value: {e}")))?;
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
        entries.push((tree, key, value));
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn dump(store: &dyn Store) -> Vec<(Tree, Vec<u8>, Vec<u8>)> {
        let mut all = Vec::new();
        store
            .for_each(&mut |t, k, v| {
                all.push((t, k.to_vec(), v.to_vec()));
                Ok(())
            })
            .unwrap();
        all
    }

    fn seeded() -> MemoryStore {
        let store = MemoryStore::new();
        let mut b = Batch::default();
        b.put(Tree::Meta, "store_format", "\x00\x01");
        b.put(Tree::Work, "w1", b"binary\x00\xff".to_vec());
        b.put(Tree::Contacts, "c1", "{}");
        store.commit(b).unwrap();
        store
    }

    #[test]
    fn backup_then_restore_reproduces_every_entry() {
        let source = seeded();
        let mut file = Vec::new();
        let mut calls = 0;
        assert_eq!(
            export(&source, chrono::Utc::now(), &mut file, &mut |_, _| calls +=
                1)
            .unwrap(),
            3
        );
        assert_eq!(calls, 3);
        let target = MemoryStore::new();
        restore(&target, &mut file.as_slice(), &mut |_, _| {}).unwrap();
        assert_eq!(dump(&target), dump(&source));
        check_not_half_restored(&target).unwrap();
        // A second restore into the now full store is refused.
        let err = restore(&target, &mut file.as_slice(), &mut |_, _| {}).unwrap_err();
        assert!(err.to_string().contains("not empty"), "{err}");
    }

    #[test]
    fn damaged_backups_are_refused_before_anything_is_written() {
        let mut file = Vec::new();
        export(&seeded(), chrono::Utc::now(), &mut file, &mut |_, _| {}).unwrap();
        let text = String::from_utf8(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let truncated = lines[..lines.len() - 1].join("\n");
        let tampered = text
            .replacen("\"w1\"", "\"w2\"", 1)
            .replace(&B64.encode("w1"), &B64.encode("w2"));
        let cases = [
            (String::new(), "empty"),
            ("hello\n".to_string(), "not a docket backup"),
            (truncated, "cut short"),
            (tampered, "checksum mismatch"),
            (format!("{text}extra\n"), "text after the trailer"),
        ];
        for (input, want) in cases {
            let target = MemoryStore::new();
            let err = restore(&target, &mut input.as_bytes(), &mut |_, _| {})
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{err}");
            assert!(dump(&target).is_empty(), "nothing written for {want}");
        }
    }
}
