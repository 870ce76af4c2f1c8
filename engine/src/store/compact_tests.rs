//! Unit tests of `compact.rs`: a format-9 folder opens packed and small, and a rewrite cut short
//! at any point is finished or forgotten at the next open, losing nothing.

use std::collections::BTreeMap;

use super::super::upgrade::Folder;
use super::super::{SledStore, Store, Tree, Upgrade};
use super::*;

const NO_DOMAIN_STEP: &[Upgrade] = &[Upgrade {
    to: 1,
    what: "nothing",
    run: |_| Ok(()),
}];

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

fn entries(n: usize) -> Model {
    (0..n)
        .map(|i| {
            (
                format!("0000000176{i:010}/01JWORK{i:06}/0").into_bytes(),
                Vec::new(),
            )
        })
        .collect()
}

/// A folder as format 9 left it: `schedule` one entry per key, one work record, the format 9.
fn format_9_folder(dir: &Path, schedule: &Model) {
    let store = SledStore::create(dir).unwrap();
    let db = store.db();
    let raw = db.open_tree("schedule").unwrap();
    for (k, v) in schedule {
        raw.insert(k.as_slice(), v.as_slice()).unwrap();
    }
    db.open_tree("work")
        .unwrap()
        .insert("w1", "record")
        .unwrap();
    let meta = db.open_tree("meta").unwrap();
    meta.insert("store_format", &9u16.to_be_bytes()).unwrap();
    db.flush().unwrap();
}

fn opened_whole(dir: &Path, schedule: &Model) -> SledStore {
    let store = SledStore::create_upgrading(dir, 1 << 20, NO_DOMAIN_STEP).unwrap();
    let mut found = Model::new();
    store
        .for_each(&mut |t, k, v| {
            if t == Tree::Schedule {
                found.insert(k.to_vec(), v.to_vec());
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(&found, schedule);
    assert_eq!(store.get(Tree::Work, b"w1").unwrap().unwrap(), b"record");
    let chunks = store.db().open_tree("schedule").unwrap().len();
    assert!(chunks * 20 < schedule.len(), "{chunks} chunks");
    for leftover in [NEW, WHOLE, OLD] {
        assert!(!dir.join(leftover).exists(), "{leftover}");
    }
    store
}

/// The folder of `dir` as an upgrade leaves it when it stops right after its copy is whole: the
/// folder's lock and its old database, still open.
fn copied(dir: &Path) -> (std::fs::File, sled::Db) {
    let lock = super::super::lock_folder(dir).unwrap();
    let db = open_db(dir, 1 << 20).unwrap();
    rewrite_packed(&db, dir, 10, 1 << 20).unwrap();
    (lock, db)
}

/// A folder `name` of the user's own in `dir`, with a file in it.
fn strangers(dir: &Path, name: &str) {
    std::fs::create_dir(dir.join(name)).unwrap();
    std::fs::write(dir.join(name).join("note.txt"), "mine").unwrap();
}

/// Opening `dir` is refused for the stranger's folder `name`, which is kept as it was, then
/// moved out as the message says.
fn refused_keeping(dir: &Path, name: &str) {
    let err = SledStore::create_upgrading(dir, 1 << 20, NO_DOMAIN_STEP).unwrap_err();
    assert!(
        err.to_string().contains("that Docket did not write"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.join(name).join("note.txt")).unwrap(),
        b"mine"
    );
    std::fs::remove_dir_all(dir.join(name)).unwrap();
}

#[test]
fn a_format_9_folder_opens_packed_in_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let schedule = entries(5000);
    format_9_folder(dir.path(), &schedule);
    drop(opened_whole(dir.path(), &schedule));
    // Opened again: already packed, nothing rewritten.
    drop(opened_whole(dir.path(), &schedule));
}

#[test]
fn an_upgrade_cut_short_anywhere_is_made_again_from_the_database_as_it_is() {
    let schedule = entries(2000);
    // Each state a crash can leave: the copy half written, whole, the old database moved aside,
    // the copy in its place.
    for cut in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        format_9_folder(dir.path(), &schedule);
        {
            let (lock, db) = copied(dir.path());
            drop(db);
            let d = dir.path();
            match cut {
                0 => std::fs::remove_file(d.join(WHOLE)).unwrap(),
                1 => {}
                2 => {
                    std::fs::write(d.join("db").join(REPLACED), "").unwrap();
                    std::fs::rename(d.join("db"), d.join(OLD)).unwrap();
                }
                _ => {
                    std::fs::write(d.join("db").join(REPLACED), "").unwrap();
                    std::fs::rename(d.join("db"), d.join(OLD)).unwrap();
                    std::fs::rename(d.join(NEW), d.join("db")).unwrap();
                }
            }
            drop(lock);
        }
        drop(opened_whole(dir.path(), &schedule));
    }
}

#[test]
fn a_whole_copy_left_beside_a_database_that_changed_since_is_dropped_not_used() {
    // An upgrade wrote its copy and stopped; an older docket then changed the database.
    let dir = tempfile::tempdir().unwrap();
    let schedule = entries(500);
    format_9_folder(dir.path(), &schedule);
    {
        let (lock, db) = copied(dir.path());
        db.open_tree("work")
            .unwrap()
            .insert("w2", "added after")
            .unwrap();
        db.flush().unwrap();
        drop(db);
        drop(lock);
    }
    let store = opened_whole(dir.path(), &schedule);
    assert_eq!(
        store.get(Tree::Work, b"w2").unwrap().unwrap(),
        b"added after"
    );
}

#[test]
fn a_folder_named_like_the_upgrade_copy_that_docket_did_not_write_is_refused_and_kept() {
    let schedule = entries(300);
    for upgraded in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        format_9_folder(dir.path(), &schedule);
        if upgraded {
            drop(opened_whole(dir.path(), &schedule));
        }
        strangers(dir.path(), NEW);
        std::fs::write(dir.path().join(WHOLE), "garbage").unwrap();
        refused_keeping(dir.path(), NEW);
        drop(opened_whole(dir.path(), &schedule));
    }
}

#[test]
fn a_folder_named_like_the_old_database_that_docket_did_not_write_stops_the_upgrade_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let schedule = entries(300);
    format_9_folder(dir.path(), &schedule);
    strangers(dir.path(), OLD);
    refused_keeping(dir.path(), OLD);
    assert!(!dir.path().join(NEW).exists() && !dir.path().join(WHOLE).exists());
    drop(opened_whole(dir.path(), &schedule));
}
