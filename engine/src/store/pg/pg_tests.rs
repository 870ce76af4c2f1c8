//! Unit tests of the PostgreSQL store, against a real private cluster (`store::pg_cluster`).

use std::io::{Read, Write as _};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::*;
use crate::store::pg_cluster::{Cluster, TestDb};
use crate::store::{Entries, files::Verified};

fn fresh() -> (TestDb, PgStore) {
    let db = Cluster::shared().database();
    let store = PgStore::connect(&db.url, 4, &[]).unwrap();
    (db, store)
}

fn keys(e: Entries) -> Vec<Vec<u8>> {
    e.into_iter().map(|(k, _)| k).collect()
}

#[test]
fn pg_store_keeps_the_store_contract() {
    let (_db, store) = fresh();
    crate::store::tests::exercise(&store);
}

#[test]
fn scans_page_through_binary_keys_in_byte_order() {
    let (_db, store) = fresh();
    let mut b = Batch::default();
    let all: Vec<Vec<u8>> = vec![
        vec![0x01],
        vec![0xfe, 0xff],
        vec![0xff],
        vec![0xff, 0x00],
        vec![0xff, 0xff],
        vec![0xff, 0xff, 0x01],
        b"a".to_vec(),
        b"a\x00".to_vec(),
    ];
    for k in &all {
        b.put(Tree::Work, k.clone(), "v");
    }
    store.commit(b).unwrap();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(
        keys(store.scan(Tree::Work, b"", None, 100, false).unwrap()),
        sorted
    );
    // A prefix of 0xff bytes has no end key.
    assert_eq!(
        keys(
            store
                .scan(Tree::Work, &[0xff, 0xff], None, 100, false)
                .unwrap()
        ),
        [vec![0xff, 0xff], vec![0xff, 0xff, 0x01]]
    );
    assert_eq!(
        keys(store.scan(Tree::Work, &[0xff], None, 2, true).unwrap()),
        [vec![0xff, 0xff, 0x01], vec![0xff, 0xff]]
    );
    // Paging forward and back visits every key once.
    let mut seen = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = store
            .scan(Tree::Work, b"", after.as_deref(), 3, false)
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|(k, _)| k.clone());
        seen.extend(keys(page));
    }
    assert_eq!(seen, sorted);
    let mut back = Vec::new();
    let mut before: Option<Vec<u8>> = None;
    loop {
        let page = store
            .scan(Tree::Work, b"", before.as_deref(), 3, true)
            .unwrap();
        if page.is_empty() {
            break;
        }
        before = page.last().map(|(k, _)| k.clone());
        back.extend(keys(page));
    }
    sorted.reverse();
    assert_eq!(back, sorted);
    assert!(
        store
            .scan(Tree::Work, b"", None, 0, false)
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .scan(Tree::Users, b"", None, 9, false)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn replicas_see_each_others_writes_and_generation() {
    let (db, a) = fresh();
    let b = PgStore::connect(&db.url, 4, &[]).unwrap();
    let before = b.generation();
    let mut batch = Batch::default();
    batch.put(Tree::Work, "w1", "one");
    a.commit(batch).unwrap();
    assert!(b.generation() > before, "a write on A moves B's generation");
    assert_eq!(b.get(Tree::Work, b"w1").unwrap().unwrap(), b"one");
    // A batch of guards only writes nothing and leaves the generation.
    let now = b.generation();
    let mut batch = Batch::default();
    batch.expect(Tree::Work, "w1", Some(b"one".to_vec()));
    a.commit(batch).unwrap();
    assert_eq!(b.generation(), now);
}

#[test]
fn guarded_read_modify_writes_from_two_replicas_lose_nothing() {
    let (db, a) = fresh();
    let b = PgStore::connect(&db.url, 4, &[]).unwrap();
    let stores: Vec<Arc<PgStore>> = vec![Arc::new(a), Arc::new(b)];
    let per_thread = 40;
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let store = stores[i % 2].clone();
            std::thread::spawn(move || {
                let mut done = 0;
                while done < per_thread {
                    let current = store.get(Tree::Meta, b"counter").unwrap();
                    let n: u64 = current
                        .as_deref()
                        .map_or(0, |v| std::str::from_utf8(v).unwrap().parse().unwrap());
                    let mut batch = Batch::default();
                    batch.expect(Tree::Meta, "counter", current.clone());
                    batch.put(Tree::Meta, "counter", (n + 1).to_string());
                    match store.commit(batch) {
                        Ok(()) => done += 1,
                        Err(Error::Conflict(_)) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        stores[0].get(Tree::Meta, b"counter").unwrap().unwrap(),
        (4 * per_thread).to_string().as_bytes()
    );
}

#[test]
fn create_only_keys_are_created_once_across_replicas() {
    let (db, a) = fresh();
    let b = PgStore::connect(&db.url, 4, &[]).unwrap();
    let stores: Vec<Arc<PgStore>> = vec![Arc::new(a), Arc::new(b)];
    let threads: Vec<_> = (0..6)
        .map(|i| {
            let store = stores[i % 2].clone();
            std::thread::spawn(move || {
                (0..30)
                    .filter(|k| {
                        let mut batch = Batch::default();
                        batch.create(Tree::OutboxKeys, format!("k{k}"), format!("{i}"), "taken");
                        batch.put(Tree::Outbox, format!("m{k}/{i}"), "x");
                        store.commit(batch).is_ok()
                    })
                    .count()
            })
        })
        .collect();
    let won: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(won, 30);
    assert_eq!(stores[1].len(Tree::Outbox).unwrap(), 30);
}

#[test]
fn commit_each_fails_only_the_batch_whose_guard_fails() {
    let (_db, store) = fresh();
    let batches: Vec<Batch> = (0..50)
        .map(|i| {
            let mut b = Batch::default();
            if i == 17 {
                b.expect(Tree::Work, "absent", Some(b"x".to_vec()));
            }
            b.put(Tree::Work, format!("k{i}"), "v");
            b
        })
        .collect();
    let results = store.commit_each(batches);
    let failed: Vec<usize> = (0..50).filter(|i| results[*i].is_err()).collect();
    assert_eq!(failed, [17]);
    assert_eq!(store.len(Tree::Work).unwrap(), 49);
}

#[test]
fn a_batch_is_one_round_trip_and_batches_go_thirty_at_a_time() {
    let (_db, store) = fresh();
    let mut b = Batch::default();
    b.put(Tree::Work, "w", "1");
    store.commit(b).unwrap();
    let before = store.round_trips();
    let mut b = Batch::default();
    b.expect(Tree::Work, "w", Some(b"1".to_vec()));
    b.create(Tree::Outbox, "o", "x", "taken");
    b.put(Tree::Work, "w", "2");
    b.remove(Tree::Work, "gone");
    store.commit(b).unwrap();
    assert_eq!(store.round_trips() - before, 1);
    let before = store.round_trips();
    let batches = (0..50)
        .map(|i| {
            let mut b = Batch::default();
            b.create(Tree::Outbox, format!("o{i}"), "x", "taken");
            b
        })
        .collect();
    assert!(store.commit_each(batches).iter().all(Result::is_ok));
    assert_eq!(store.round_trips() - before, 2);
    let before = store.round_trips();
    let keys: Vec<Vec<u8>> = (0..50).map(|i| format!("o{i}").into_bytes()).collect();
    let values = store.get_many(Tree::Outbox, &keys).unwrap();
    assert!(values.iter().all(|v| v.as_deref() == Some(b"x".as_slice())));
    assert_eq!(store.round_trips() - before, 1);
}

#[test]
fn for_each_reads_one_snapshot_in_tree_order() {
    let (_db, store) = fresh();
    let mut b = Batch::default();
    for i in 0..1200 {
        b.put(Tree::Timeline, format!("e{i:05}"), "v");
    }
    b.put(Tree::Users, "u", "v");
    store.commit(b).unwrap();
    let mut trees = Vec::new();
    let mut count = 0;
    let mut wrote = false;
    store
        .copy_live(&mut |tree, _, _| {
            if !wrote {
                // Written while the walk runs: not in its snapshot.
                let mut b = Batch::default();
                b.put(Tree::WorkNeedsAttention, "late", "");
                store.commit(b).unwrap();
                wrote = true;
            }
            if trees.last() != Some(&tree) {
                trees.push(tree);
            }
            count += usize::from(tree != Tree::Meta);
            Ok(())
        })
        .unwrap();
    assert_eq!(trees, [Tree::Meta, Tree::Users, Tree::Timeline]);
    assert_eq!(count, 1201);
    assert_eq!(store.len(Tree::WorkNeedsAttention).unwrap(), 1);
    // A visit that fails stops the walk and gives the connection back clean.
    let err = store
        .for_each(&mut |_, _, _| Err(Error::Storage("stop".into())))
        .unwrap_err();
    assert!(err.to_string().contains("stop"));
    for _ in 0..8 {
        let mut b = Batch::default();
        b.put(Tree::Work, "after", "v");
        store.commit(b).unwrap();
    }
}

#[test]
fn a_database_from_a_newer_docket_is_refused() {
    let (db, store) = fresh();
    drop(store);
    db.cluster
        .psql(&db.name, "UPDATE docket_schema SET version = 999");
    let err = PgStore::connect(&db.url, 4, &[]).unwrap_err().to_string();
    assert!(
        err.contains("schema version 999") && err.contains("upgrade docket"),
        "{err}"
    );
    db.cluster.psql(
        &db.name,
        &format!(
            "UPDATE docket_schema SET version = {}",
            schema::SCHEMA_VERSION
        ),
    );
    db.cluster.psql(
        &db.name,
        "UPDATE docket_kv SET value = '\\x00ff' WHERE tree = 'meta' AND key = 'store_format'",
    );
    let err = PgStore::connect(&db.url, 4, &[]).unwrap_err().to_string();
    assert!(err.contains("store format 255"), "{err}");
}

#[test]
fn preparing_a_database_draws_no_notice_from_the_server() {
    let db = Cluster::shared().database();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // The first start creates the tables; the second finds them.
        for start in ["first", "second"] {
            let (mut client, mut connection) =
                tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
            let notices = tokio::spawn(async move {
                let mut notices = Vec::new();
                while let Some(message) =
                    std::future::poll_fn(|cx| connection.poll_message(cx)).await
                {
                    if let Ok(tokio_postgres::AsyncMessage::Notice(n)) = message {
                        notices.push(n.message().to_string());
                    }
                }
                notices
            });
            schema::migrate(&mut client, "test").await.unwrap();
            drop(client);
            let notices = notices.await.unwrap();
            assert!(notices.is_empty(), "{start} start: {notices:?}");
        }
    });
}

#[test]
fn replicas_starting_together_migrate_once() {
    let db = Cluster::shared().database();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            std::thread::spawn(move || PgStore::connect(&url, 2, &[]).map(|_| ()))
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    assert_eq!(
        db.cluster
            .psql(&db.name, "SELECT version FROM docket_schema"),
        schema::SCHEMA_VERSION.to_string()
    );
}

#[test]
fn connection_problems_are_said_plainly() {
    let cluster = Cluster::shared();
    let bad = PgStore::connect("mysql://nobody", 2, &[])
        .unwrap_err()
        .to_string();
    assert!(bad.contains("storage.url"), "{bad}");
    let wrong = format!(
        "postgres://docket:not-the-password@127.0.0.1:{}/postgres",
        cluster.port()
    );
    let err = PgStore::connect(&wrong, 2, &[]).unwrap_err().to_string();
    assert!(err.contains("refused the password"), "{err}");
    assert!(!err.contains("not-the-password"), "{err}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let err =
        PgStore::connect(&format!("postgres://docket:x@127.0.0.1:{port}/d"), 2, &[]).unwrap_err();
    // A server out of reach is worth trying again (a web request answers 503), not a fault.
    assert!(matches!(err, Error::Unavailable(_)), "{err:?}");
    let err = err.to_string();
    assert!(
        err.contains("cannot reach PostgreSQL at docket@127.0.0.1"),
        "{err}"
    );
    let err = PgStore::connect(&cluster.url("no_such_db"), 2, &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("no such database"), "{err}");
}

#[test]
fn vague_url_problems_are_said_plainly() {
    let cluster = Cluster::shared();
    let said = |url: &str| PgStore::connect(url, 2, &[]).unwrap_err().to_string();
    let err = said(&format!(
        "postgres://{}@127.0.0.1:{}/postgres",
        crate::store::pg_cluster::USER,
        cluster.port()
    ));
    assert!(
        err.contains("asks for a password and the URL has none")
            && err.contains("DOCKET_STORAGE_URL"),
        "{err}"
    );
    for empty in ["", "  "] {
        let err = said(empty);
        assert!(err.contains("storage.url is empty"), "{err}");
    }
    let err = said("postgress://docket:s3cret@127.0.0.1:5432/firm");
    assert!(
        err.contains("must start with postgres:// or postgresql://") && !err.contains("s3cret"),
        "{err}"
    );
    for port in ["99999", "0"] {
        let err = said(&format!("postgres://docket:s3cret@127.0.0.1:{port}/firm"));
        assert!(
            err.contains("the port must be 1 to 65535") && !err.contains("s3cret"),
            "{err}"
        );
    }
}

#[test]
fn works_from_inside_tokio_and_drops_there() {
    let (db, store) = fresh();
    let store = Arc::new(store);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = db.url.clone();
    rt.block_on(async move {
        let mut b = Batch::default();
        b.put(Tree::Work, "k", "v");
        store.commit(b).unwrap();
        assert_eq!(store.get(Tree::Work, b"k").unwrap().unwrap(), b"v");
        drop(store);
        let other = PgStore::connect(&url, 2, &[]).unwrap();
        assert_eq!(other.len(Tree::Work).unwrap(), 1);
    });
}

/// Bytes that do not repeat within a chunk, so a misplaced chunk shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn files_stream_through_the_database_and_every_replica_reads_them() {
    let (db, a) = fresh();
    let b = PgStore::connect(&db.url, 4, &[]).unwrap();
    let bytes = pattern(3 * 1024 * 1024 + 12345);
    let mut writer = a.files().writer(10 << 20).unwrap();
    for piece in bytes.chunks(50_000) {
        writer.write_all(piece).unwrap();
    }
    let stored = writer.finish().unwrap();
    assert_eq!(stored.size, bytes.len() as u64);
    let mut back = Vec::new();
    b.files()
        .read(&stored.sha256)
        .unwrap()
        .expect("B finds the file A stored")
        .read_to_end(&mut back)
        .unwrap();
    assert!(back == bytes, "the bytes come back as written");
    assert_eq!(
        b.files().size(&stored.sha256).unwrap(),
        Some(bytes.len() as u64)
    );
    assert_eq!(b.files().verify(&stored.sha256).unwrap(), Verified::Intact);
    // The same bytes again keep one copy.
    let again = b.files().write(&mut bytes.as_slice(), 10 << 20).unwrap();
    assert_eq!(again, stored);
    assert_eq!(
        a.files().list().unwrap(),
        std::slice::from_ref(&stored.sha256)
    );
    assert_eq!(
        db.cluster
            .psql(&db.name, "SELECT count(*) FROM docket_blobs"),
        "1"
    );
    // Too large, or dropped unfinished: nothing is left.
    let mut big = a.files().writer(1000).unwrap();
    assert!(matches!(
        big.write_chunk(&[0; 1001]),
        Err(Error::TooLarge(_))
    ));
    drop(big);
    let mut unfinished = a.files().writer(10 << 20).unwrap();
    unfinished.write_chunk(&pattern(300 * 1024)).unwrap();
    drop(unfinished);
    assert_eq!(
        db.cluster
            .psql(&db.name, "SELECT count(*) FROM docket_blobs"),
        "1"
    );
    // An empty file is a file.
    let empty = a.files().write(&mut &b""[..], 10).unwrap();
    let mut none = Vec::new();
    b.files()
        .read(&empty.sha256)
        .unwrap()
        .unwrap()
        .read_to_end(&mut none)
        .unwrap();
    assert!(none.is_empty());
    assert!(b.files().read(&"0".repeat(64)).unwrap().is_none());
}

#[test]
fn collection_keeps_young_and_referenced_files_across_replicas() {
    let (db, a) = fresh();
    let b = PgStore::connect(&db.url, 4, &[]).unwrap();
    let kept = a.files().write(&mut &b"kept"[..], 100).unwrap();
    let orphan = a.files().write(&mut &b"orphan"[..], 100).unwrap();
    let young = a.files().write(&mut &b"young"[..], 100).unwrap();
    db.cluster.psql(
        &db.name,
        &format!(
            "UPDATE docket_files SET written_at = now() - interval '2 hours' WHERE sha256 <> '{}'",
            young.sha256
        ),
    );
    // A write begun two hours ago and never finished.
    db.cluster.psql(
        &db.name,
        "INSERT INTO docket_blobs (started_at) VALUES (now() - interval '2 hours')",
    );
    let done = b
        .files()
        .collect(&mut |sha| Ok(sha == kept.sha256), SystemTime::now())
        .unwrap();
    assert_eq!((done.removed, done.young), (1, 1));
    assert_eq!(done.bytes, 6);
    let mut left = a.files().list().unwrap();
    left.sort();
    let mut want = vec![kept.sha256.clone(), young.sha256.clone()];
    want.sort();
    assert_eq!(left, want);
    assert!(a.files().read(&orphan.sha256).unwrap().is_none());
    assert_eq!(
        db.cluster
            .psql(&db.name, "SELECT count(*) FROM docket_blobs"),
        "2"
    );
    // While A holds the collection, B's collection waits for nobody and does nothing.
    let inner = a
        .files()
        .collect(
            &mut |_| {
                let other = b
                    .files()
                    .collect(
                        &mut |_| Ok(false),
                        SystemTime::now() + Duration::from_secs(7200),
                    )
                    .unwrap();
                assert_eq!(other, Default::default());
                Ok(true)
            },
            SystemTime::now(),
        )
        .unwrap();
    assert_eq!(inner.removed, 0);
    assert_eq!(a.files().list().unwrap().len(), 2);
}

#[test]
fn a_file_stored_again_on_one_replica_while_another_collects_is_never_lost() {
    let (db, a) = fresh();
    let b = PgStore::connect(&db.url, 4, &[]).unwrap();
    let bytes = pattern(300_000);
    let old = a.files().write(&mut bytes.as_slice(), 1 << 20).unwrap();
    let age = |db: &TestDb| {
        db.cluster.psql(
            &db.name,
            "UPDATE docket_files SET written_at = now() - interval '2 hours'",
        );
    };
    let read_all = |store: &PgStore, sha: &str| {
        let mut out = Vec::new();
        store
            .files()
            .read(sha)
            .unwrap()
            .expect("the file is there")
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    age(&db);
    // A found the old file unreferenced; before it removes it, B stores the same bytes again
    // (an upload whose record is not committed yet): A's removal finds it young and keeps it.
    let done = a
        .files()
        .collect(
            &mut |sha| {
                assert_eq!(sha, old.sha256);
                let again = b.files().write(&mut bytes.as_slice(), 1 << 20).unwrap();
                assert_eq!(again.sha256, old.sha256);
                Ok(false)
            },
            SystemTime::now(),
        )
        .unwrap();
    assert_eq!((done.removed, done.young), (0, 1));
    assert_eq!(read_all(&b, &old.sha256), bytes);

    // B's upload of the same bytes is under way when A removes the old file: B's finished write
    // stores them anew.
    age(&db);
    let mut writer = b.files().writer(1 << 20).unwrap();
    writer.write_chunk(&bytes[..100_000]).unwrap();
    let done = a
        .files()
        .collect(&mut |_| Ok(false), SystemTime::now())
        .unwrap();
    assert_eq!(done.removed, 1, "the old file went");
    writer.write_chunk(&bytes[100_000..]).unwrap();
    let stored = writer.finish().unwrap();
    assert_eq!(stored.sha256, old.sha256);
    assert_eq!(read_all(&a, &old.sha256), bytes);
    // Fresh, so the next collection keeps it until its record is committed.
    let done = a
        .files()
        .collect(&mut |_| Ok(false), SystemTime::now())
        .unwrap();
    assert_eq!((done.removed, done.young), (0, 1));
}

#[test]
fn a_database_another_application_uses_is_refused_and_left_as_it_was() {
    let db = Cluster::shared().database();
    db.cluster
        .psql(&db.name, "CREATE TABLE invoices (id integer)");
    let err = match PgStore::connect(&db.url, 2, &[]) {
        Ok(_) => panic!("a database holding another application's table was taken"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("holds tables of another application (such as invoices)"),
        "{err}"
    );
    assert_eq!(
        db.cluster.psql(
            &db.name,
            "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"
        ),
        "invoices",
        "nothing of Docket's was made"
    );
}
