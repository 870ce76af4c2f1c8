//! Unit tests of `sled_store.rs`.

use super::*;

#[test]
fn sled_store_keeps_the_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    super::super::tests::exercise(&SledStore::create(dir.path()).unwrap());
}

#[test]
fn a_second_open_of_the_same_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = SledStore::create(dir.path()).unwrap();
    let err = SledStore::create(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Locked(_)), "{err}");
    drop(first);
    SledStore::create(dir.path()).unwrap();
}

#[test]
fn commit_each_fails_only_the_batch_whose_guard_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::create(dir.path()).unwrap();
    let batches: Vec<Batch> = (0..2500)
        .map(|i| {
            let mut b = Batch::default();
            if i == 1234 {
                b.expect(Tree::Work, "absent", Some(b"x".to_vec()));
            }
            b.put(Tree::Work, format!("k{i}"), "v");
            b.put(Tree::Schedule, format!("s{i}"), "");
            b
        })
        .collect();
    let results = store.commit_each(batches);
    let failed: Vec<usize> = (0..results.len())
        .filter(|i| results[*i].is_err())
        .collect();
    assert_eq!(failed, [1234]);
    assert!(store.get(Tree::Work, b"k1234").unwrap().is_none());
    assert!(store.get(Tree::Schedule, b"s1234").unwrap().is_none());
    assert_eq!(store.len(Tree::Work).unwrap(), 2499);
    assert_eq!(store.len(Tree::Schedule).unwrap(), 2499);
}

#[test]
fn data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::create(dir.path()).unwrap();
        let mut b = Batch::default();
        b.put(Tree::Work, "k", "v");
        store.commit(b).unwrap();
    }
    let store = SledStore::create(dir.path()).unwrap();
    assert_eq!(store.get(Tree::Work, b"k").unwrap().unwrap(), b"v");
}

#[test]
fn a_folder_a_postgres_server_took_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing at all: no data folder.
    assert!(matches!(
        SledStore::open(dir.path()),
        Err(Error::NoDataFolder(_))
    ));
    // A server on PostgreSQL holds the folder (its lock) but keeps no records in it.
    let lock = lock_folder(dir.path()).unwrap();
    let err = SledStore::open(dir.path()).err().map(|e| e.to_string());
    drop(lock);
    let err = err.expect("refused");
    assert!(
        err.contains("folder of a server on PostgreSQL") && err.contains("DOCKET_STORAGE_URL"),
        "{err}"
    );
}
