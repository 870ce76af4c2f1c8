//! Unit tests of `packed.rs`: a packed tree answers every read as the same entries kept one per
//! key would, after any mix of writes, a reopening, a restore and an upgrade from format 9.

use std::collections::BTreeMap;

use super::super::upgrade::Folder;
use super::super::{Batch, SledStore, Store, Tree};
use super::*;

/// A small deterministic generator (xorshift), so a failure replays.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

const PREFIXES: [&str; 4] = ["open/", "done/", "open-late/", "w/tax/"];

fn key(dice: &mut Dice) -> Vec<u8> {
    let prefix = PREFIXES[dice.roll(PREFIXES.len() as u64) as usize];
    format!("{prefix}{:05}", dice.roll(3000)).into_bytes()
}

/// Every read of `store`'s `tree` against `model`: gets, scans of each prefix both ways, paged
/// by `after` at several limits, the count and the whole walk.
fn same(store: &SledStore, tree: Tree, model: &Model, dice: &mut Dice) {
    assert_eq!(store.len(tree).unwrap(), model.len());
    let mut walked = Model::new();
    store
        .for_each(&mut |t, k, v| {
            if t == tree {
                walked.insert(k.to_vec(), v.to_vec());
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(&walked, model);
    for _ in 0..50 {
        let k = key(dice);
        assert_eq!(
            store.get(tree, &k).unwrap(),
            model.get(&k).cloned(),
            "{k:?}"
        );
    }
    for prefix in PREFIXES
        .iter()
        .map(|p| p.as_bytes())
        .chain([&b""[..], b"open"])
    {
        let under: Vec<(Vec<u8>, Vec<u8>)> = model
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for reverse in [false, true] {
            let expected: Vec<_> = if reverse {
                under.iter().rev().cloned().collect()
            } else {
                under.clone()
            };
            for limit in [1, 7, 64, 100_000] {
                let mut got = Vec::new();
                let mut after: Option<Vec<u8>> = None;
                loop {
                    let page = store
                        .scan(tree, prefix, after.as_deref(), limit, reverse)
                        .unwrap();
                    got.extend(page.iter().cloned());
                    if page.len() < limit {
                        break;
                    }
                    after = page.last().map(|(k, _)| k.clone());
                }
                assert_eq!(
                    got, expected,
                    "prefix {prefix:?} reverse {reverse} limit {limit}"
                );
            }
        }
    }
}

/// Raw sled keys of `tree` in `store`: chunks once packed.
fn raw_keys(store: &SledStore, tree: Tree) -> usize {
    store.db().open_tree(tree.name()).unwrap().len()
}

#[test]
fn a_packed_tree_reads_as_the_entries_it_was_given() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Model::new();
    let mut dice = Dice(0x5eed);
    {
        let store = SledStore::create(dir.path()).unwrap();
        for round in 0..300 {
            let mut batch = Batch::default();
            for _ in 0..1 + dice.roll(40) {
                let k = key(&mut dice);
                if dice.roll(4) == 0 {
                    batch.remove(Tree::WorkByStatus, k.clone());
                    model.remove(&k);
                } else {
                    let v = vec![b'v'; dice.roll(300) as usize];
                    batch.put(Tree::WorkByStatus, k.clone(), v.clone());
                    model.insert(k, v);
                }
            }
            // An unpacked tree in the same batch commits with it.
            batch.put(Tree::Work, format!("w{round}"), "x");
            store.commit(batch).unwrap();
            if round % 50 == 0 {
                same(&store, Tree::WorkByStatus, &model, &mut dice);
            }
        }
        same(&store, Tree::WorkByStatus, &model, &mut dice);
        let chunks = raw_keys(&store, Tree::WorkByStatus);
        assert!(
            chunks * 8 < model.len(),
            "{chunks} chunks for {} entries",
            model.len()
        );
        for (_, raw) in store
            .db()
            .open_tree("work_by_status")
            .unwrap()
            .iter()
            .flatten()
        {
            let chunk = decode(Tree::WorkByStatus, &raw).unwrap();
            assert!(!chunk.is_empty() && !too_large(&chunk), "{}", chunk.len());
        }
    }
    let store = SledStore::create(dir.path()).unwrap();
    same(&store, Tree::WorkByStatus, &model, &mut dice);
    assert_eq!(store.len(Tree::Work).unwrap(), 300);
}

#[test]
fn a_failed_guard_leaves_a_packed_tree_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::create(dir.path()).unwrap();
    let mut batch = Batch::default();
    for i in 0..200 {
        batch.put(Tree::Schedule, format!("k{i:04}"), "");
    }
    store.commit(batch).unwrap();
    let before = raw_keys(&store, Tree::Schedule);
    let mut batch = Batch::default();
    for i in 0..100 {
        batch.remove(Tree::Schedule, format!("k{i:04}"));
    }
    batch.expect(Tree::Work, "absent", Some(b"x".to_vec()));
    assert!(store.commit(batch).is_err());
    let mut batch = Batch::default();
    batch.create(Tree::Schedule, "k0005", "", "taken");
    assert!(matches!(store.commit(batch), Err(Error::Conflict(m)) if m == "taken"));
    assert_eq!(store.len(Tree::Schedule).unwrap(), 200);
    assert_eq!(raw_keys(&store, Tree::Schedule), before);
    let mut batch = Batch::default();
    batch.expect(Tree::Schedule, "k0005", Some(Vec::new()));
    batch.create(Tree::Schedule, "k9999", "new", "taken");
    store.commit(batch).unwrap();
    assert_eq!(
        store.get(Tree::Schedule, b"k9999").unwrap().unwrap(),
        b"new"
    );
}

#[test]
fn a_restore_fills_chunks_in_order_and_takes_late_entries_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::create(dir.path()).unwrap();
    let mut model = Model::new();
    for i in 0..1000 {
        let k = format!("w/word/{i:05}").into_bytes();
        store
            .load(Tree::SearchWords, &k, b"words".to_vec())
            .unwrap();
        model.insert(k, b"words".to_vec());
    }
    // Entries written while a live backup copied come after, out of order.
    for i in [3, 500, 2000] {
        let k = format!("w/word/{i:05}b").into_bytes();
        store.load(Tree::SearchWords, &k, b"late".to_vec()).unwrap();
        model.insert(k, b"late".to_vec());
    }
    Store::flush(&store).unwrap();
    same(&store, Tree::SearchWords, &model, &mut Dice(7));
    assert!(raw_keys(&store, Tree::SearchWords) <= 1003 / LOAD_ENTRIES + 3);
}
