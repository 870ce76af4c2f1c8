//! Backup and restore: round trips, damaged archives, live copies under writers, and the
//! upgrade of a backup written before file bytes moved to disk.

use std::io::Read as _;

use sha2::Digest as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::*;
use crate::model::{UploadedFile, WorkItem};
use crate::store::{Batch, FileStore, STORE_FORMAT, SledStore, Store, Tree, get_record};

type Dump = Vec<(Tree, Vec<u8>, Vec<u8>)>;

fn dump(store: &dyn Store) -> Dump {
    let mut all = Vec::new();
    store
        .for_each(&mut |t, k, v| {
            all.push((t, k.to_vec(), v.to_vec()));
            Ok(())
        })
        .unwrap();
    all
}

fn file_bytes(files: &FileStore, sha: &str) -> Vec<u8> {
    let mut out = Vec::new();
    files
        .read(sha)
        .unwrap()
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A store with a few records, one file referenced twice and one unreferenced.
fn seeded(dir: &Path) -> (SledStore, Vec<u8>) {
    let store = SledStore::create(dir).unwrap();
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let f = store
        .files()
        .write(&mut bytes.as_slice(), u64::MAX)
        .unwrap();
    store.files().write(&mut b"orphan".as_slice(), 100).unwrap();
    let mut b = Batch::default();
    b.put(Tree::Meta, "firm_settings", "x");
    b.put(Tree::Work, "w1", b"binary\x00\xff".to_vec());
    b.put(Tree::Contacts, "c1", "{}");
    b.put(Tree::FileRefs, format!("{}/w1/a", f.sha256), "");
    b.put(Tree::FileRefs, format!("{}/w1/b", f.sha256), "");
    store.commit(b).unwrap();
    (store, bytes)
}

fn archive_of(store: &dyn Store) -> Vec<u8> {
    let mut out = Vec::new();
    export(store, chrono::Utc::now(), &mut out, &mut |_| {}).unwrap();
    out
}

/// Restores without the final check (the seeded records are not real records).
fn load_into(dir: &Path, archive: &[u8]) -> Result<Counts> {
    let store = SledStore::create(dir)?;
    load::load(&store, &mut &archive[..], &mut |_| {})
}

#[test]
fn an_archive_carries_every_record_and_every_referenced_file() {
    let src = tempfile::tempdir().unwrap();
    let (store, bytes) = seeded(src.path());
    let archive = archive_of(&store);
    let dst = tempfile::tempdir().unwrap();
    let counts = load_into(&dst.path().join("data"), &archive).unwrap();
    assert_eq!((counts.records, counts.files), (6, 1));
    let restored = SledStore::open(&dst.path().join("data")).unwrap();
    assert_eq!(dump(&restored), dump(&store));
    let sha = crate::text::hex(&sha2::Sha256::digest(&bytes));
    assert_eq!(file_bytes(restored.files(), &sha), bytes);
    assert_eq!(restored.files().list().unwrap(), vec![sha], "no orphan");
}

#[test]
fn damaged_archives_are_refused_and_leave_nothing_behind() {
    let src = tempfile::tempdir().unwrap();
    let (store, _) = seeded(src.path());
    let good = archive_of(&store);
    let flip = |at: usize| {
        let mut a = good.clone();
        a[at] ^= 1;
        a
    };
    // Offsets: the header entry's data starts at 512; the records chunk's data at 512 * 3.
    let records_at = 512 * 3 + 10;
    let file_at = good
        .windows(6)
        .position(|w| w == b"files/")
        .map(|header| header - header % 512 + 512 + 100)
        .unwrap();
    let manifest_at = good
        .windows(13)
        .rposition(|w| w == b"manifest.json")
        .unwrap();
    let without_manifest = good[..manifest_at - manifest_at % 512].to_vec();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "empty"),
        (b"hello\n".to_vec(), "not a docket backup"),
        (good[..good.len() / 2].to_vec(), "cut short"),
        (without_manifest, "cut short"),
        (flip(records_at), "checksum mismatch"),
        (flip(file_at), "checksum mismatch"),
        (flip(manifest_at + 512 + 12), "manifest"),
    ];
    for (input, want) in cases {
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("data");
        let err = restore(&target, &mut &input[..], &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "wanted {want}: {err}");
        let left: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
        assert!(left.is_empty(), "{want}: left {left:?}");
    }
}

#[test]
fn restore_refuses_a_folder_holding_anything() {
    let parent = tempfile::tempdir().unwrap();
    let target = parent.path().join("data");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("notes.txt"), "mine").unwrap();
    let err = restore(&target, &mut &b"{}"[..], &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(std::fs::read(target.join("notes.txt")).unwrap(), b"mine");
}

#[test]
fn a_live_backup_is_one_moment_of_the_store_while_writers_go_on() {
    // Writers keep two trees in step (each batch puts the same value under the same key in
    // both); a copy that saw half a batch, or a mix of moments, would show them out of step.
    let src = tempfile::tempdir().unwrap();
    let store = Arc::new(SledStore::create(src.path()).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let committed = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (store, stop, committed) = (store.clone(), stop.clone(), committed.clone());
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let mut b = Batch::default();
                    let key = format!("{w}-{}", i % 500);
                    b.put(Tree::Work, key.clone(), i.to_string());
                    b.put(Tree::Schedule, key.clone(), i.to_string());
                    if i.is_multiple_of(7) {
                        let gone = format!("{w}-{}", (i * 13) % 500);
                        b.remove(Tree::Work, gone.clone());
                        b.remove(Tree::Schedule, gone);
                    }
                    store.commit(b).unwrap();
                    committed.fetch_add(1, Ordering::SeqCst);
                    i += 1;
                }
                i
            })
        })
        .collect();
    // The copies start once the writers are under way, with records in both trees.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while committed.load(Ordering::SeqCst) < 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the writers did not get going"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let mut archives = Vec::new();
    for _ in 0..5 {
        archives.push(archive_of(store.as_ref()));
    }
    stop.store(true, Ordering::SeqCst);
    let written: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(written > 100, "writers ran during the copies ({written})");
    for archive in archives {
        let dst = tempfile::tempdir().unwrap();
        load_into(&dst.path().join("d"), &archive).unwrap();
        let restored = SledStore::open(&dst.path().join("d")).unwrap();
        let work = restored
            .scan(Tree::Work, b"", None, usize::MAX, false)
            .unwrap();
        let schedule = restored
            .scan(Tree::Schedule, b"", None, usize::MAX, false)
            .unwrap();
        assert!(!work.is_empty());
        assert_eq!(work, schedule, "the copy mixes moments");
    }
}

#[test]
fn a_backup_from_before_files_moved_to_disk_is_upgraded() {
    let fixture = include_bytes!("../../tests/fixtures/before-issue-9.backup");
    let parent = tempfile::tempdir().unwrap();
    let target = parent.path().join("data");
    let counts = restore(&target, &mut &fixture[..], &mut |_| {}).unwrap();
    assert_eq!(counts.files, 2, "the fixture's two distinct files");
    let store = SledStore::open(&target).unwrap();
    assert_eq!(
        store.get(Tree::Meta, b"store_format").unwrap().unwrap(),
        STORE_FORMAT.to_be_bytes()
    );
    let work = store.scan(Tree::Work, b"", None, 10, false).unwrap();
    assert_eq!(work.len(), 1);
    let item: WorkItem = crate::store::decode(&work[0].1).unwrap();
    assert_eq!(item.recipients().len(), 2, "a work item for two contacts");
    // The fixture's records were plain JSON; the restore wrote them compressed.
    assert!(
        work[0].1[0] & 0x80 != 0,
        "the work item is stored compressed"
    );
    assert!(crate::store::logical_len(&work[0].1) > work[0].1.len());
    assert_eq!(store.len(Tree::Comments).unwrap(), 2);
    // Three file records (one file uploaded twice), upgraded to the second format as read,
    // their bytes on disk, and the index built by the store-format upgrade.
    let files: Vec<UploadedFile> =
        crate::store::scan_records(&store, Tree::Files, b"", None, 10, false).unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(store.len(Tree::FileRefs).unwrap(), 3);
    let p60 = files.iter().find(|f| f.name == "p60.pdf").unwrap();
    assert_eq!(
        file_bytes(store.files(), &p60.content.sha256),
        b"%PDF-1.7 P60 for Ann\n"
    );
    for file in &files {
        let key = format!("{}/{}", file.work, file.id);
        let again: UploadedFile = get_record(&store, Tree::Files, key.as_bytes())
            .unwrap()
            .unwrap();
        assert_eq!(&again, file);
        assert_eq!(
            store.files().size(&file.content.sha256).unwrap(),
            Some(file.content.size)
        );
    }
    assert_eq!(
        crate::check::check(&store, true).unwrap(),
        Vec::<String>::new()
    );
    // A folder from a newer docket is refused with a clear error, and left as it was.
    let mut b = Batch::default();
    b.put(
        Tree::Meta,
        "store_format",
        (STORE_FORMAT + 1).to_be_bytes().to_vec(),
    );
    store.commit(b).unwrap();
    drop(store);
    let err = SledStore::open(&target).unwrap_err().to_string();
    assert!(err.contains("newer than this docket"), "{err}");
}

#[test]
fn an_old_data_folder_has_its_file_bytes_moved_to_disk() {
    // A folder as the first store format left it: bytes in a `blobs` tree.
    let dir = tempfile::tempdir().unwrap();
    let bytes = b"old bytes".to_vec();
    let sha = crate::text::hex(&sha2::Sha256::digest(&bytes));
    {
        let db = sled::open(dir.path().join("db")).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("store_format", &1u16.to_be_bytes())
            .unwrap();
        db.open_tree("blobs")
            .unwrap()
            .insert(sha.as_bytes(), bytes.clone())
            .unwrap();
        let record = format!(
            r#"{{"id":"01M8B2FX6WPP51V1V22EBA9W8H","work":"01M8B2FX6WPP51V1V22EBA9W8J","at":"2026-11-26T04:40:48Z","uploaded_by":{{"type":"api","id":"fixture"}},"name":"a.txt","content_type":"text/plain","size":9,"sha256":"{sha}","task":null}}"#
        );
        let mut value = 1u16.to_be_bytes().to_vec();
        value.extend_from_slice(record.as_bytes());
        db.open_tree("files")
            .unwrap()
            .insert(
                "01M8B2FX6WPP51V1V22EBA9W8J/01M8B2FX6WPP51V1V22EBA9W8H",
                value,
            )
            .unwrap();
        db.flush().unwrap();
    }
    let store = SledStore::open_upgrading(dir.path(), crate::docket::UPGRADES).unwrap();
    assert_eq!(file_bytes(store.files(), &sha), bytes);
    assert_eq!(store.len(Tree::FileRefs).unwrap(), 1);
    // Format 2 -> 3 wrote the plain record again compressed, and left the index alone.
    let (_, value) = store
        .scan(Tree::Files, b"", None, 1, false)
        .unwrap()
        .remove(0);
    assert_eq!(
        value[..2],
        (1u16 | 0x8000).to_be_bytes(),
        "still a version-1 record"
    );
    let file: UploadedFile = crate::store::decode(&value).unwrap();
    assert_eq!(file.content.sha256, sha);
    assert_eq!(file.content.size, 9);
    assert_eq!(
        store.scan(Tree::FileRefs, b"", None, 1, false).unwrap()[0].1,
        b""
    );
    assert_eq!(
        store.get(Tree::Meta, b"store_format").unwrap().unwrap(),
        STORE_FORMAT.to_be_bytes()
    );
    drop(store);
    let db = sled::open(dir.path().join("db")).unwrap();
    assert!(!db.tree_names().iter().any(|n| n.as_ref() == b"blobs"));
}

#[test]
fn a_prepared_folder_keeps_its_mode_and_owner() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let fixture = include_bytes!("../../tests/fixtures/before-issue-9.backup");
    let parent = tempfile::tempdir().unwrap();
    let target = parent.path().join("data");
    std::fs::create_dir(&target).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o700)).unwrap();
    // As root (CI), the folder is given to another account first, as an operator would for
    // the account the server runs as; otherwise it stays the tester's.
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    let owner = if root {
        65534
    } else {
        std::fs::metadata(&target).unwrap().uid()
    };
    if root {
        std::os::unix::fs::chown(&target, Some(owner), Some(owner)).unwrap();
    }
    restore(&target, &mut &fixture[..], &mut |_| {}).unwrap();
    let meta = std::fs::metadata(&target).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o700);
    assert_eq!(meta.uid(), owner);
    let inner = std::fs::metadata(target.join("db")).unwrap();
    assert_eq!(
        inner.uid(),
        owner,
        "the records belong to the folder's owner too"
    );
}

#[test]
fn a_link_to_an_empty_folder_is_restored_through() {
    let fixture = include_bytes!("../../tests/fixtures/before-issue-9.backup");
    let parent = tempfile::tempdir().unwrap();
    let real = parent.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = parent.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    restore(&link, &mut &fixture[..], &mut |_| {}).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        real.join("db").is_dir(),
        "restored into the folder the link names"
    );
    let left: Vec<_> = std::fs::read_dir(parent.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "no staging folder left: {left:?}");
}

#[test]
fn a_folder_from_before_the_unread_index_gets_it() {
    use crate::model::{StaffNotification, UserId, WorkId};
    let dir = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now();
    let user = UserId::new(now);
    let note = |read: bool| StaffNotification {
        id: crate::model::new_id(now),
        user,
        at: now,
        work: WorkId::new(now),
        message: "Year end: Comment: hello".into(),
        source: "docket".into(),
        kind: String::new(),
        read,
    };
    let (unread, read) = (note(false), note(true));
    {
        let store = SledStore::create(&dir.path().join("data")).unwrap();
        let mut batch = Batch::default();
        for n in [&unread, &read] {
            batch.put_record(
                Tree::Notifications,
                format!("{user}/{}", n.id).into_bytes(),
                n,
            );
        }
        // As a format-3 docket left it: notifications, no index.
        batch.put(Tree::Meta, "store_format", 3u16.to_be_bytes().to_vec());
        store.commit(batch).unwrap();
        store.flush().unwrap();
    }
    // A tool without the domain's steps refuses the old folder rather than half-upgrade it.
    let refused = SledStore::open(&dir.path().join("data"))
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("open it with the docket command"),
        "{refused}"
    );
    let store =
        SledStore::open_upgrading(&dir.path().join("data"), crate::docket::UPGRADES).unwrap();
    assert_eq!(
        store.get(Tree::Meta, b"store_format").unwrap().unwrap(),
        STORE_FORMAT.to_be_bytes()
    );
    let indexed: Vec<Vec<u8>> = store
        .scan(Tree::UnreadNotifications, b"", None, 10, false)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(indexed, [format!("{user}/{}", unread.id).into_bytes()]);
    // A folder of notifications alone: the firm's settings are rightly missing, nothing else.
    let problems = |store: &SledStore| -> Vec<String> {
        crate::check::check(store, false)
            .unwrap()
            .into_iter()
            .filter(|p| p != "meta: the firm's settings are missing")
            .collect()
    };
    assert_eq!(problems(&store), Vec::<String>::new());
    // And `check` notices an index that disagrees with its notification.
    let mut batch = Batch::default();
    batch.put(
        Tree::UnreadNotifications,
        format!("{user}/{}", read.id).into_bytes(),
        Vec::new(),
    );
    store.commit(batch).unwrap();
    let problems = problems(&store);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("listed as unread but was read"),
        "{problems:?}"
    );
}
