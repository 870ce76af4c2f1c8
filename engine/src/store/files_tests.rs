//! Unit tests of `files.rs`.

use super::*;

fn stores() -> (tempfile::TempDir, Vec<FileStore>) {
    let dir = tempfile::tempdir().unwrap();
    let disk = FileStore::open(&dir.path().join("files")).unwrap();
    (dir, vec![disk, FileStore::memory()])
}

fn read_all(store: &FileStore, sha: &str) -> Vec<u8> {
    let mut out = Vec::new();
    store
        .read(sha)
        .unwrap()
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn files_are_stored_once_under_their_hash_and_read_back() {
    let (_dir, stores) = stores();
    for store in &stores {
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let a = store.write(&mut bytes.as_slice(), 1 << 20).unwrap();
        assert_eq!(a.size, 200_000);
        assert_eq!(a.sha256, hex(&Sha256::digest(&bytes)));
        let mut w = store.writer(1 << 20).unwrap();
        for chunk in bytes.chunks(7000) {
            w.write_chunk(chunk).unwrap();
        }
        assert_eq!(w.finish().unwrap(), a);
        assert_eq!(store.list().unwrap(), vec![a.sha256.clone()]);
        assert_eq!(read_all(store, &a.sha256), bytes);
        assert_eq!(store.size(&a.sha256).unwrap(), Some(200_000));
        assert_eq!(store.verify(&a.sha256).unwrap(), Verified::Intact);
        let absent = "0".repeat(64);
        assert!(store.read(&absent).unwrap().is_none());
        assert_eq!(store.verify(&absent).unwrap(), Verified::Missing);
        assert!(store.read("../../etc/passwd").is_err());
    }
}

#[test]
fn a_file_over_its_cap_is_refused_and_leaves_nothing() {
    let (dir, stores) = stores();
    for store in &stores {
        let err = store.write(&mut [7u8; 1001].as_slice(), 1000).unwrap_err();
        assert!(matches!(err, Error::TooLarge(_)), "{err}");
        assert!(store.list().unwrap().is_empty());
        // Exactly at the cap is fine.
        store.write(&mut [7u8; 1000].as_slice(), 1000).unwrap();
    }
    let tmp = std::fs::read_dir(dir.path().join("files/tmp")).unwrap();
    assert_eq!(tmp.count(), 0, "the refused file's temporary copy is gone");
}

#[test]
fn damage_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let f = store.write(&mut b"hello".as_slice(), 100).unwrap();
    std::fs::write(dir.path().join(&f.sha256[..2]).join(&f.sha256), "hellO").unwrap();
    assert_eq!(store.verify(&f.sha256).unwrap(), Verified::Damaged);
}

#[test]
fn storing_the_same_bytes_again_repairs_a_damaged_copy() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let f = store.write(&mut b"hello".as_slice(), 100).unwrap();
    let path = dir.path().join(&f.sha256[..2]).join(&f.sha256);
    for damage in ["hellO", "he"] {
        std::fs::write(&path, damage).unwrap();
        assert_eq!(store.write(&mut b"hello".as_slice(), 100).unwrap(), f);
        assert_eq!(
            store.verify(&f.sha256).unwrap(),
            Verified::Intact,
            "{damage}"
        );
    }
}

#[test]
fn collection_keeps_referenced_and_young_files() {
    let (_dir, stores) = stores();
    for store in &stores {
        let kept = store.write(&mut b"kept".as_slice(), 100).unwrap();
        let orphan = store.write(&mut b"orphan".as_slice(), 100).unwrap();
        let mut referenced = |h: &str| Ok(h == kept.sha256);
        let now = SystemTime::now();
        let done = store.collect(&mut referenced, now).unwrap();
        assert_eq!(
            done,
            Collected {
                removed: 0,
                bytes: 0,
                young: 1
            }
        );
        let later = now + COLLECT_AFTER + Duration::from_secs(1);
        let done = store.collect(&mut referenced, later).unwrap();
        assert_eq!(done.removed, 1);
        assert_eq!(done.bytes, 6);
        assert_eq!(store.list().unwrap(), vec![kept.sha256.clone()]);
        assert!(store.read(&orphan.sha256).unwrap().is_none());
    }
}

#[test]
fn storing_old_bytes_again_makes_them_young() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let f = store.write(&mut b"again".as_slice(), 100).unwrap();
    let path = dir.path().join(&f.sha256[..2]).join(&f.sha256);
    let old = SystemTime::now() - 2 * COLLECT_AFTER;
    File::options()
        .append(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    store.write(&mut b"again".as_slice(), 100).unwrap();
    let done = store
        .collect(&mut |_| Ok(false), SystemTime::now())
        .unwrap();
    assert_eq!(done.young, 1);
    assert!(path.exists());
}

#[test]
fn stale_temporary_files_are_collected() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let mut w = store.writer(100).unwrap();
    w.write_chunk(b"half").unwrap();
    std::mem::forget(w);
    let later = SystemTime::now() + COLLECT_AFTER + Duration::from_secs(1);
    store
        .collect(&mut |_| Ok(false), SystemTime::now())
        .unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
        1
    );
    store.collect(&mut |_| Ok(false), later).unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
        0
    );
}
