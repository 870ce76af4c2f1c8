//! One behaviour suite run against every `Store` implementation.
use super::envelope::{ZSTD_MAGIC, envelope};
use super::*;
use crate::Error;

pub fn exercise(store: &dyn Store) {
    let mut b = Batch::default();
    b.put(Tree::Contacts, "b", "2");
    b.put(Tree::Contacts, "a", "1");
    b.put(Tree::ContactsByEmail, "x@y.z", "a");
    store.commit(b).unwrap();
    assert_eq!(store.get(Tree::Contacts, b"a").unwrap().unwrap(), b"1");
    assert_eq!(store.len(Tree::Contacts).unwrap(), 2);
    // Several keys at once, in the order asked, absent ones as `None`.
    let asked = [
        b"b".to_vec(),
        b"none".to_vec(),
        b"a".to_vec(),
        b"b".to_vec(),
    ];
    assert_eq!(
        store.get_many(Tree::Contacts, &asked).unwrap(),
        [
            Some(b"2".to_vec()),
            None,
            Some(b"1".to_vec()),
            Some(b"2".to_vec())
        ]
    );
    assert!(store.get_many(Tree::Contacts, &[]).unwrap().is_empty());

    // A failed guard leaves nothing behind, in any tree.
    let mut b = Batch::default();
    b.put(Tree::Contacts, "c", "3");
    b.create(Tree::ContactsByEmail, "x@y.z", "c", "email taken");
    match store.commit(b) {
        Err(Error::Conflict(m)) => assert_eq!(m, "email taken"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(store.get(Tree::Contacts, b"c").unwrap().is_none());

    let mut b = Batch::default();
    b.expect(Tree::Contacts, "a", Some(b"stale".to_vec()));
    b.put(Tree::Contacts, "a", "new");
    assert!(matches!(store.commit(b), Err(Error::Conflict(_))));
    let mut b = Batch::default();
    b.expect(Tree::Contacts, "a", Some(b"1".to_vec()));
    b.put(Tree::Contacts, "a", "new");
    b.remove(Tree::Contacts, "b");
    store.commit(b).unwrap();
    assert_eq!(store.get(Tree::Contacts, b"a").unwrap().unwrap(), b"new");
    assert!(store.get(Tree::Contacts, b"b").unwrap().is_none());

    let mut b = Batch::default();
    for k in ["p/1", "p/2", "p/3", "q/1"] {
        b.put(Tree::Timeline, k, k);
    }
    store.commit(b).unwrap();
    let keys = |e: Entries| {
        e.into_iter()
            .map(|(k, _)| String::from_utf8(k).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(store.scan(Tree::Timeline, b"p/", None, 10, false).unwrap()),
        ["p/1", "p/2", "p/3"]
    );
    assert_eq!(
        keys(store.scan(Tree::Timeline, b"p/", None, 2, true).unwrap()),
        ["p/3", "p/2"]
    );
    assert_eq!(
        keys(
            store
                .scan(Tree::Timeline, b"p/", Some(b"p/1"), 10, false)
                .unwrap()
        ),
        ["p/2", "p/3"]
    );
    assert_eq!(
        keys(
            store
                .scan(Tree::Timeline, b"p/", Some(b"p/3"), 10, true)
                .unwrap()
        ),
        ["p/2", "p/1"]
    );

    let mut seen = 0;
    store
        .for_each(&mut |tree, _, _| {
            seen += usize::from(tree != Tree::Meta);
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, 1 + 1 + 4);
    store.flush().unwrap();
}

#[test]
fn envelope_round_trips_and_refuses_the_future() {
    let settings = crate::model::Contact {
        id: crate::model::ContactId::new(chrono::Utc::now()),
        name: "Ann".into(),
        email: "ann@example.com".into(),
        timezone: None,
        created_at: chrono::Utc::now(),
        archived_at: None,
        paused: None,
        holidays: Vec::new(),
        locale: None,
    };
    let bytes = encode(&settings);
    assert_eq!(decode::<crate::model::Contact>(&bytes).unwrap(), settings);
    let mut future = bytes.clone();
    future[1] = 9;
    assert!(matches!(
        decode::<crate::model::Contact>(&future),
        Err(Error::FutureFormat { version: 9, .. })
    ));
    assert!(decode::<crate::model::Contact>(b"\x00").is_err());
}

fn contact(name: &str) -> crate::model::Contact {
    crate::model::Contact {
        id: crate::model::ContactId::new(chrono::Utc::now()),
        name: name.into(),
        email: "ann@example.com".into(),
        timezone: None,
        created_at: chrono::Utc::now(),
        archived_at: None,
        paused: None,
        holidays: Vec::new(),
        locale: None,
    }
}

/// The envelope as every docket before compression wrote it.
fn plain<R: Record>(record: &R) -> Vec<u8> {
    let mut out = R::VERSION.to_be_bytes().to_vec();
    serde_json::to_writer(&mut out, record).unwrap();
    out
}

#[test]
fn records_are_stored_compressed_and_plain_ones_still_open() {
    let ann = contact(&"Ann Example, Accountants ".repeat(20));
    let packed = encode(&ann);
    let old = plain(&ann);
    assert!(packed[0] & 0x80 != 0, "a long record is compressed");
    assert_eq!(packed[2..6], ZSTD_MAGIC);
    assert!(
        packed.len() * 3 < old.len(),
        "{} vs {}",
        packed.len(),
        old.len()
    );
    assert_eq!(decode::<crate::model::Contact>(&packed).unwrap(), ann);
    assert_eq!(decode::<crate::model::Contact>(&old).unwrap(), ann);
    assert_eq!(logical_len(&packed), old.len());
    assert_eq!(logical_len(&old), old.len());
    assert_eq!(logical_len(b""), 0);

    // A body too short to gain is left plain.
    assert_eq!(envelope(3, b"{}"), b"\x00\x03{}");

    // Older values are brought up to date losslessly; others are left alone.
    let repacked = repack(&old).expect("a plain record is repacked");
    assert_eq!(repacked, packed);
    assert!(repack(&packed).is_none(), "already compressed");
    assert!(
        repack(b"01HZZZZZZZZZZZZZZZZZZZZZZZ").is_none(),
        "an index value"
    );
    let mut not_json = old.clone();
    not_json.truncate(old.len() - 1);
    assert!(repack(&not_json).is_none(), "not a whole JSON object");

    // A future version is refused whether compressed or not.
    let mut future = packed.clone();
    future[1] = 9;
    assert!(matches!(
        decode::<crate::model::Contact>(&future),
        Err(Error::FutureFormat { version: 9, .. })
    ));
}

#[test]
fn a_damaged_compressed_record_is_a_clear_error() {
    let packed = encode(&contact(&"Bea ".repeat(40)));
    let message = |bytes: &[u8]| {
        decode::<crate::model::Contact>(bytes)
            .unwrap_err()
            .to_string()
    };
    let mut no_frame = packed.clone();
    no_frame[2] ^= 0xff;
    assert!(
        message(&no_frame).contains("holds no zstd frame"),
        "{}",
        message(&no_frame)
    );
    let cut = &packed[..packed.len() - 4];
    assert!(
        message(cut).contains("corrupt contact record"),
        "{}",
        message(cut)
    );
    let mut huge = packed[..2].to_vec();
    huge.extend_from_slice(&zstd::bulk::compress(&vec![b' '; 65 << 20], 1).unwrap());
    assert!(message(&huge).contains("claims"), "{}", message(&huge));
}
