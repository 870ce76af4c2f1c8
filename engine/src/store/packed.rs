//! Index trees packed for sled: the entries of a tree that holds one small entry per work item
//! (or per word of one) are kept many to a sled key, as *chunks*, because sled 0.34 keeps in
//! memory, from the moment it opens a folder, a page-table entry for every leaf of at most 16
//! keys: a firm of 100,000 work items held 1.2 million keys and 37 MB of page table before it
//! read anything; packed, 150,000 keys and 6 MB.
//!
//! **Layout.** A chunk is stored under its first entry's key; its value is its entries in key
//! order, each a 2-byte key length, the key, a 4-byte value length and the value (big-endian).
//! Chunks never overlap: an entry lives in the chunk with the greatest first key not above its
//! own. A chunk holds at most `MAX_ENTRIES` entries and `MAX_BYTES` bytes, split in two beyond.
//! Only the `SledStore` knows of chunks: every caller reads and writes entries, and backups hold
//! entries, so a backup moves between a folder and PostgreSQL as before.
//!
//! **Writing.** A batch's writes to packed trees are turned into chunk writes (`Edits`) before
//! its sled transaction, under the store's `packing` lock, so no other batch moves a chunk
//! meanwhile; the chunk writes then commit in the same transaction as the batch's other writes.
//! **Reading** needs no lock: a scan that meets a chunk split under it skips what it has
//! already returned, so it never returns an entry twice nor out of order.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::{Entries, EntryVisit, Tree, Write};
use crate::{Error, Result};

/// The store format from which index trees are packed.
pub(super) const PACKED_FORMAT: u16 = 10;
/// Most entries in a chunk.
const MAX_ENTRIES: usize = 64;
/// Most bytes in a chunk's value (a single larger entry has a chunk of its own).
const MAX_BYTES: usize = 8 * 1024;
/// Entries a restore puts in a chunk it fills in key order: room is left for later writes.
const LOAD_ENTRIES: usize = 48;

/// Whether `tree` is packed in a folder of format `PACKED_FORMAT` or later: the indexes that
/// hold an entry per work item, per word or per client action, with small values.
pub(super) fn packs(tree: Tree) -> bool {
    matches!(
        tree,
        Tree::WorkByContact
            | Tree::WorkByStatus
            | Tree::Schedule
            | Tree::WorkByAssignee
            | Tree::WorkBySubStatus
            | Tree::WorkByDue
            | Tree::WorkNeedsAttention
            | Tree::SearchWords
            | Tree::Activity
            | Tree::WorkClientActivity
    )
}

/// A chunk's entries, in key order.
type Chunk = Vec<(Vec<u8>, Vec<u8>)>;

fn encode(chunk: &Chunk) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes(chunk));
    for (key, value) in chunk {
        out.extend_from_slice(&(key.len() as u16).to_be_bytes());
        out.extend_from_slice(key);
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

fn decode(tree: Tree, raw: &[u8]) -> Result<Chunk> {
    let damaged = || {
        Error::Storage(format!(
            "a packed entry of the `{}` index is damaged; `docket check` names it",
            tree.name()
        ))
    };
    let mut chunk = Vec::new();
    let mut rest = raw;
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<2>().ok_or_else(damaged)?;
        let len = u16::from_be_bytes(*len) as usize;
        let (key, tail) = tail.split_at_checked(len).ok_or_else(damaged)?;
        let (len, tail) = tail.split_first_chunk::<4>().ok_or_else(damaged)?;
        let len = u32::from_be_bytes(*len) as usize;
        let (value, tail) = tail.split_at_checked(len).ok_or_else(damaged)?;
        chunk.push((key.to_vec(), value.to_vec()));
        rest = tail;
    }
    Ok(chunk)
}

fn bytes(chunk: &[(Vec<u8>, Vec<u8>)]) -> usize {
    chunk.iter().map(|(k, v)| 6 + k.len() + v.len()).sum()
}

fn too_large(chunk: &[(Vec<u8>, Vec<u8>)]) -> bool {
    chunk.len() > 1 && (chunk.len() > MAX_ENTRIES || bytes(chunk) > MAX_BYTES)
}

/// The key of the chunk that holds `key` if any does: the greatest chunk key not above it.
fn holder(t: &sled::Tree, key: &[u8]) -> Result<Option<sled::IVec>> {
    Ok(t.range::<&[u8], _>(..=key)
        .next_back()
        .transpose()?
        .map(|(k, _)| k))
}

/// The value of `key` in the packed tree `t`.
pub(super) fn get(tree: Tree, t: &sled::Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
    let Some(at) = holder(t, key)? else {
        return Ok(None);
    };
    let Some(raw) = t.get(&at)? else {
        return Ok(None);
    };
    let chunk = decode(tree, &raw)?;
    Ok(chunk
        .binary_search_by(|(k, _)| k.as_slice().cmp(key))
        .ok()
        .map(|i| chunk[i].1.clone()))
}

/// `Store::scan` on the packed tree `t`: entries under `prefix`, after `after` (before it when
/// `reverse`), at most `limit`.
pub(super) fn scan(
    tree: Tree,
    t: &sled::Tree,
    prefix: &[u8],
    after: Option<&[u8]>,
    limit: usize,
    reverse: bool,
) -> Result<Entries> {
    let mut out: Entries = Vec::new();
    if limit == 0 {
        return Ok(out);
    }
    // Forwards: from `after` (excluded) or `prefix` on. Backwards: before `after`, or from the
    // prefix's end. Either way until an entry is outside the prefix.
    let (from, excluded) = after.map_or((prefix, false), |a| (a, true));
    let end: Option<Vec<u8>> = after.map(<[u8]>::to_vec).or_else(|| successor(prefix));
    let chunks: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = if reverse {
        match &end {
            Some(e) => Box::new(
                t.range::<&[u8], _>((Bound::Unbounded, Bound::Excluded(e.as_slice())))
                    .rev(),
            ),
            None => Box::new(t.iter().rev()),
        }
    } else {
        match holder(t, from)? {
            Some(k) => Box::new(t.range::<&[u8], _>(k.as_ref()..)),
            None => Box::new(t.range::<&[u8], _>(from..)),
        }
    };
    let onward = if reverse {
        std::cmp::Ordering::Less
    } else {
        std::cmp::Ordering::Greater
    };
    for item in chunks {
        let (_, raw) = item?;
        let mut entries = decode(tree, &raw)?;
        if reverse {
            entries.reverse();
        }
        for (key, value) in entries {
            let short = if reverse {
                end.as_ref().is_some_and(|e| key >= *e)
            } else {
                key.as_slice() < from || (excluded && key.as_slice() == from)
            };
            // Not onward of the last entry returned: met again in a chunk split meanwhile.
            let seen = out.last().is_some_and(|(last, _)| key.cmp(last) != onward);
            if short || seen {
                continue;
            }
            if !key.starts_with(prefix) {
                return Ok(out);
            }
            out.push((key, value));
            if out.len() >= limit {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// The least key greater than every key starting with `prefix`, `None` when there is none.
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Every entry of `t` in key order, unpacked when it is `packed`: for backups, checks, counts.
pub(super) fn each(tree: Tree, t: &sled::Tree, packed: bool, each: EntryVisit) -> Result<()> {
    if !packed {
        for item in t.iter() {
            let (k, v) = item?;
            each(&k, &v)?;
        }
        return Ok(());
    }
    let mut last: Option<Vec<u8>> = None;
    for item in t.iter() {
        let (_, raw) = item?;
        for (key, value) in decode(tree, &raw)? {
            if last.as_ref().is_some_and(|l| key <= *l) {
                continue;
            }
            each(&key, &value)?;
            last = Some(key);
        }
    }
    Ok(())
}

/// A batch's writes to packed trees, turned into the chunk writes that make them: chunks read
/// from the trees, changed here, written by `writes`.
pub(super) struct Edits<'a> {
    trees: &'a dyn Fn(Tree) -> &'a sled::Tree,
    /// Chunks changed so far, by tree and chunk key; `None`, a chunk removed.
    chunks: BTreeMap<Tree, BTreeMap<Vec<u8>, Option<Chunk>>>,
}

impl<'a> Edits<'a> {
    pub(super) fn new(trees: &'a dyn Fn(Tree) -> &'a sled::Tree) -> Self {
        Self {
            trees,
            chunks: BTreeMap::new(),
        }
    }

    /// Applies `write` (to a packed tree) over the chunks changed so far; a guard that fails
    /// fails with `Error::Conflict`, as in a transaction.
    pub(super) fn apply(&mut self, write: &Write) -> Result<()> {
        match write {
            Write::Put { tree, key, value } => self.put(*tree, key, value),
            Write::Remove { tree, key } => self.remove(*tree, key),
            Write::Create { tree, key, .. } | Write::Expect { tree, key, .. } => {
                if let Some(refused) = write.refused(self.get(*tree, key)?.as_deref()) {
                    return Err(Error::Conflict(refused));
                }
                match write {
                    Write::Create { value, .. } => self.put(*tree, key, value),
                    _ => Ok(()),
                }
            }
        }
    }

    /// The chunk writes: per tree, chunk key and its new value (`None`: removed).
    pub(super) fn writes(self) -> Vec<(Tree, Vec<u8>, Option<Vec<u8>>)> {
        let mut out = Vec::new();
        for (tree, chunks) in self.chunks {
            for (key, chunk) in chunks {
                out.push((tree, key, chunk.as_ref().map(encode)));
            }
        }
        out
    }

    /// The greatest live chunk key not above `key` (`below`) or the least above it.
    fn neighbour(&self, tree: Tree, key: &[u8], below: bool) -> Result<Option<Vec<u8>>> {
        let changed = self.chunks.get(&tree);
        let t = (self.trees)(tree);
        let stored: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = if below {
            Box::new(t.range::<&[u8], _>(..=key).rev())
        } else {
            Box::new(t.range::<&[u8], _>((Bound::Excluded(key), Bound::Unbounded)))
        };
        // The nearest stored chunk this batch has not removed.
        let mut nearest_stored = None;
        for item in stored {
            let (k, _) = item?;
            match changed.and_then(|c| c.get(k.as_ref())) {
                Some(None) => continue,
                _ => {
                    nearest_stored = Some(k.to_vec());
                    break;
                }
            }
        }
        // The nearest chunk this batch made.
        let made = changed.and_then(|c| {
            let live = |(k, v): (&Vec<u8>, &Option<Chunk>)| v.as_ref().map(|_| k.clone());
            if below {
                c.range::<[u8], _>((Bound::Unbounded, Bound::Included(key)))
                    .rev()
                    .find_map(live)
            } else {
                c.range::<[u8], _>((Bound::Excluded(key), Bound::Unbounded))
                    .find_map(live)
            }
        });
        Ok(match (nearest_stored, made) {
            (Some(a), Some(b)) => Some(if (a > b) == below { a } else { b }),
            (a, b) => a.or(b),
        })
    }

    /// The chunk stored under `at`, as this batch has left it.
    fn chunk(&self, tree: Tree, at: &[u8]) -> Result<Chunk> {
        if let Some(Some(chunk)) = self.chunks.get(&tree).and_then(|c| c.get(at)) {
            return Ok(chunk.clone());
        }
        match (self.trees)(tree).get(at)? {
            Some(raw) => decode(tree, &raw),
            None => Ok(Vec::new()),
        }
    }

    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let Some(at) = self.neighbour(tree, key, true)? else {
            return Ok(None);
        };
        let chunk = self.chunk(tree, &at)?;
        Ok(chunk
            .binary_search_by(|(k, _)| k.as_slice().cmp(key))
            .ok()
            .map(|i| chunk[i].1.clone()))
    }

    fn put(&mut self, tree: Tree, key: &[u8], value: &[u8]) -> Result<()> {
        let at = match self.neighbour(tree, key, true)? {
            Some(at) => Some(at),
            // Before every chunk: into the first one while it has room, else a chunk of its own.
            None => match self.neighbour(tree, key, false)? {
                Some(next) if self.chunk(tree, &next)?.len() < MAX_ENTRIES => Some(next),
                _ => None,
            },
        };
        let Some(at) = at else {
            self.place(tree, None, vec![(key.to_vec(), value.to_vec())]);
            return Ok(());
        };
        let mut chunk = self.chunk(tree, &at)?;
        match chunk.binary_search_by(|(k, _)| k.as_slice().cmp(key)) {
            Ok(i) => chunk[i].1 = value.to_vec(),
            Err(i) => chunk.insert(i, (key.to_vec(), value.to_vec())),
        }
        self.place(tree, Some(at), chunk);
        Ok(())
    }

    fn remove(&mut self, tree: Tree, key: &[u8]) -> Result<()> {
        let Some(at) = self.neighbour(tree, key, true)? else {
            return Ok(());
        };
        let mut chunk = self.chunk(tree, &at)?;
        if let Ok(i) = chunk.binary_search_by(|(k, _)| k.as_slice().cmp(key)) {
            chunk.remove(i);
            self.place(tree, Some(at), chunk);
        }
        Ok(())
    }

    /// Puts `chunk` where the chunk stored under `was` was: under its first key, split while it
    /// is too large, or nowhere when it is empty.
    fn place(&mut self, tree: Tree, was: Option<Vec<u8>>, chunk: Chunk) {
        let chunks = self.chunks.entry(tree).or_default();
        if let Some(was) = was {
            chunks.insert(was, None);
        }
        let mut pieces = vec![chunk];
        while let Some(piece) = pieces.pop() {
            if piece.is_empty() {
                continue;
            }
            if too_large(&piece) {
                let mut left = piece;
                let right = left.split_off(left.len() / 2);
                pieces.push(left);
                pieces.push(right);
                continue;
            }
            chunks.insert(piece[0].0.clone(), Some(piece));
        }
    }
}

/// A tree's entries restored in key order, gathered into chunks as they come.
#[derive(Default)]
pub(super) struct Loading {
    /// By tree: the chunk being filled and the greatest key loaded so far.
    trees: BTreeMap<Tree, (Chunk, Vec<u8>)>,
}

/// What `Loading::add` leaves to do.
pub(super) enum Load {
    /// Nothing yet: the entry joined a chunk being filled.
    Kept,
    /// Write this full chunk (its key, its value) as it is.
    Chunk(Vec<u8>, Vec<u8>),
    /// The entry (its value given back) came out of key order: write it as a batch would,
    /// after writing any chunk `flush` returns.
    OutOfOrder(Vec<u8>),
}

impl Loading {
    pub(super) fn add(&mut self, tree: Tree, key: &[u8], value: Vec<u8>) -> Load {
        let (chunk, greatest) = self.trees.entry(tree).or_default();
        if !greatest.is_empty() && key <= greatest.as_slice() {
            return Load::OutOfOrder(value);
        }
        *greatest = key.to_vec();
        chunk.push((key.to_vec(), value));
        if chunk.len() >= LOAD_ENTRIES || bytes(chunk) * 4 >= MAX_BYTES * 3 {
            let full = std::mem::take(chunk);
            return Load::Chunk(full[0].0.clone(), encode(&full));
        }
        Load::Kept
    }

    /// The chunks being filled, to write now.
    pub(super) fn flush(&mut self) -> Vec<(Tree, Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        for (tree, (chunk, _)) in &mut self.trees {
            if !chunk.is_empty() {
                let full = std::mem::take(chunk);
                out.push((*tree, full[0].0.clone(), encode(&full)));
            }
        }
        out
    }
}

/// Packs the entries of `raw` (of `tree`), a tree an older docket kept one entry per key, into
/// chunks written to `into` (empty), as a restore fills them.
pub(super) fn pack_into(tree: Tree, raw: &sled::Tree, into: &sled::Tree) -> Result<()> {
    let mut loading = Loading::default();
    for item in raw.iter() {
        let (key, value) = item?;
        if let Load::Chunk(at, chunk) = loading.add(tree, &key, value.to_vec()) {
            into.insert(at, chunk)?;
        }
    }
    for (_, at, chunk) in loading.flush() {
        into.insert(at, chunk)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "packed_tests.rs"]
mod tests;
