//! The plugins folders of two servers mirrored through one real PostgreSQL database.

use std::sync::Arc;

use super::*;
use crate::store::PgStore;
use crate::store::pg_cluster::Cluster;

fn pair() -> (
    crate::store::pg_cluster::TestDb,
    tempfile::TempDir,
    Mirror,
    Mirror,
) {
    let db = Cluster::shared().database();
    let store: Arc<dyn Store> = Arc::new(PgStore::connect(&db.url, 2, &[]).unwrap());
    let other: Arc<dyn Store> = Arc::new(PgStore::connect(&db.url, 2, &[]).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let a = Mirror::for_store(&store, &dir.path().join("a")).expect("a shared store");
    let b = Mirror::for_store(&other, &dir.path().join("b")).expect("a shared store");
    (db, dir, a, b)
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_plugin_added_replaced_and_removed_on_one_server_follows_on_the_other() {
    let (_db, dir, a, b) = pair();
    let (da, db_) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&da).unwrap();
    std::fs::write(da.join("p.wasm"), b"component one").unwrap();
    std::fs::write(da.join("p.toml"), b"version = '1'").unwrap();
    // Half-written copies and other files stay where they are.
    std::fs::write(da.join(".p.wasm.tmp"), b"half").unwrap();
    std::fs::write(da.join("notes.txt"), b"mine").unwrap();
    assert_eq!(a.sync().unwrap().pushed, names(&["p.toml", "p.wasm"]));
    assert_eq!(b.sync().unwrap().pulled, names(&["p.toml", "p.wasm"]));
    assert_eq!(std::fs::read(db_.join("p.wasm")).unwrap(), b"component one");
    assert!(!db_.join("notes.txt").exists() && !db_.join(".p.wasm.tmp").exists());
    // Nothing changed: nothing moves.
    assert_eq!(a.sync().unwrap(), Mirrored::default());
    assert_eq!(b.sync().unwrap(), Mirrored::default());

    // Replaced on B: A follows.
    std::fs::write(db_.join("p.wasm"), b"component two").unwrap();
    assert_eq!(b.sync().unwrap().pushed, names(&["p.wasm"]));
    assert_eq!(a.sync().unwrap().pulled, names(&["p.wasm"]));
    assert_eq!(std::fs::read(da.join("p.wasm")).unwrap(), b"component two");

    // Removed on A: gone from B.
    std::fs::remove_file(da.join("p.wasm")).unwrap();
    std::fs::remove_file(da.join("p.toml")).unwrap();
    assert_eq!(a.sync().unwrap().pushed, names(&["p.toml", "p.wasm"]));
    assert_eq!(b.sync().unwrap().pulled, names(&["p.toml", "p.wasm"]));
    assert!(!db_.join("p.wasm").exists() && !db_.join("p.toml").exists());
    assert_eq!(std::fs::read(db_.join("notes.txt")).ok(), None);
}

#[test]
fn a_server_started_with_an_old_folder_takes_the_stores_copy_and_shares_what_only_it_has() {
    let (_db, dir, a, b) = pair();
    let (da, db_) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&da).unwrap();
    std::fs::create_dir_all(&db_).unwrap();
    std::fs::write(da.join("p.wasm"), b"new").unwrap();
    a.sync().unwrap();
    // B starts with an old copy of p and a plugin of its own.
    std::fs::write(db_.join("p.wasm"), b"old").unwrap();
    std::fs::write(db_.join("q.wasm"), b"only here").unwrap();
    let done = b.sync().unwrap();
    assert_eq!(
        (done.pushed, done.pulled),
        (names(&["q.wasm"]), names(&["p.wasm"]))
    );
    assert_eq!(std::fs::read(db_.join("p.wasm")).unwrap(), b"new");
    a.sync().unwrap();
    assert_eq!(std::fs::read(da.join("q.wasm")).unwrap(), b"only here");
}
