//! Storage behind a trait: named trees of sorted keys, read one key or a prefix at a time, and
//! changed only by atomic batches that may carry guards (create-only keys, expected values).
//! `SledStore` keeps one data folder; `MemoryStore` serves unit tests. Each store has a
//! `FileStore` beside it for the bytes of uploaded files.

pub mod files;
mod memory;
mod sled_store;
mod upgrade;

pub use files::{FileReader, FileStore, FileWriter, StoredFile};
pub use memory::MemoryStore;
pub use sled_store::{STORE_FORMAT, SledStore};

use crate::model::Record;
use crate::{Error, Result};

/// The trees of the store. Records live in the plural trees; the `*_by_*` trees are indexes kept
/// in the same batch as the record they point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tree {
    /// Store-wide facts: format version, firm settings.
    Meta,
    Users,
    /// lower-cased email → user id
    UsersByEmail,
    /// SHA-256 of the token secret → token record
    ApiTokens,
    Contacts,
    /// lower-cased email → contact id
    ContactsByEmail,
    Templates,
    /// lower-cased name → template id
    TemplatesByName,
    Work,
    /// contact id `/` work id → empty
    WorkByContact,
    /// status `/` work id → empty
    WorkByStatus,
    /// `w/` work id `/` event id or `c/` contact id `/` event id → event
    Timeline,
    /// work id `/` comment id → comment
    Comments,
    /// work id `/` file id → uploaded file record (its bytes are in the `FileStore`)
    Files,
    /// SHA-256 of a file's bytes `/` work id `/` file id → empty: which records reference a
    /// stored file, for collection and checks
    FileRefs,
    /// fire instant (20-digit Unix milliseconds) `/` work id `/` group number (or `d` for the
    /// comment digest) → empty: what the scheduler does next, in time order
    Schedule,
    /// work id `/` group number → the group's access record (expiry, link generation, device)
    Access,
    /// SHA-256 of a magic-link token → the link record
    Links,
    /// message id → outbound email with its delivery state
    Outbox,
    /// `q/` due instant `/` message id → empty (waiting), `f/` message id → empty (in flight)
    OutboxQueue,
    /// idempotency key → message id: one message per send, reminder or digest
    OutboxKeys,
    /// event id → an event waiting for the notification hooks
    Events,
    /// due instant `/` delivery id → a webhook POST waiting to be delivered
    Webhooks,
    /// user id `/` notification id → a staff notification
    Notifications,
    /// work id → the pending staff-comment digest
    Digests,
    /// what is limited (e.g. `link/group/WORK/G`) → the instants it happened lately
    Throttle,
    /// SHA-256 of a client sign-in link or session secret → its record
    ClientSessions,
}

impl Tree {
    pub const ALL: [Tree; 27] = [
        Tree::Meta,
        Tree::Users,
        Tree::UsersByEmail,
        Tree::ApiTokens,
        Tree::Contacts,
        Tree::ContactsByEmail,
        Tree::Templates,
        Tree::TemplatesByName,
        Tree::Work,
        Tree::WorkByContact,
        Tree::WorkByStatus,
        Tree::Timeline,
        Tree::Comments,
        Tree::Files,
        Tree::FileRefs,
        Tree::Schedule,
        Tree::Access,
        Tree::Links,
        Tree::Outbox,
        Tree::OutboxQueue,
        Tree::OutboxKeys,
        Tree::Events,
        Tree::Webhooks,
        Tree::Notifications,
        Tree::Digests,
        Tree::Throttle,
        Tree::ClientSessions,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tree::Meta => "meta",
            Tree::Users => "users",
            Tree::UsersByEmail => "users_by_email",
            Tree::ApiTokens => "api_tokens",
            Tree::Contacts => "contacts",
            Tree::ContactsByEmail => "contacts_by_email",
            Tree::Templates => "templates",
            Tree::TemplatesByName => "templates_by_name",
            Tree::Work => "work",
            Tree::WorkByContact => "work_by_contact",
            Tree::WorkByStatus => "work_by_status",
            Tree::Timeline => "timeline",
            Tree::Comments => "comments",
            Tree::Files => "files",
            Tree::FileRefs => "file_refs",
            Tree::Schedule => "schedule",
            Tree::Access => "access",
            Tree::Links => "links",
            Tree::Outbox => "outbox",
            Tree::OutboxQueue => "outbox_queue",
            Tree::OutboxKeys => "outbox_keys",
            Tree::Events => "events",
            Tree::Webhooks => "webhooks",
            Tree::Notifications => "notifications",
            Tree::Digests => "digests",
            Tree::Throttle => "throttle",
            Tree::ClientSessions => "client_sessions",
        }
    }

    pub fn from_name(name: &str) -> Option<Tree> {
        Tree::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// One change in a batch.
#[derive(Debug, Clone)]
pub enum Write {
    Put {
        tree: Tree,
        key: Vec<u8>,
        value: Vec<u8>,
    },
    Remove {
        tree: Tree,
        key: Vec<u8>,
    },
    /// Fails the whole batch with `Error::Conflict(message)` if the key exists.
    Create {
        tree: Tree,
        key: Vec<u8>,
        value: Vec<u8>,
        message: String,
    },
    /// Fails the whole batch with `Error::Conflict` unless the key holds `value` (or is absent
    /// when `None`): the optimistic check of a read-modify-write.
    Expect {
        tree: Tree,
        key: Vec<u8>,
        value: Option<Vec<u8>>,
    },
}

impl Write {
    pub fn tree(&self) -> Tree {
        match self {
            Write::Put { tree, .. }
            | Write::Remove { tree, .. }
            | Write::Create { tree, .. }
            | Write::Expect { tree, .. } => *tree,
        }
    }
}

/// A set of writes applied all or nothing.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    pub writes: Vec<Write>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Adds every write of `other` after this batch's own.
    pub fn extend(&mut self, other: Batch) {
        self.writes.extend(other.writes);
    }

    pub fn put(&mut self, tree: Tree, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.writes.push(Write::Put {
            tree,
            key: key.into(),
            value: value.into(),
        });
    }

    pub fn put_record<R: Record>(&mut self, tree: Tree, key: impl Into<Vec<u8>>, record: &R) {
        self.put(tree, key, encode(record));
    }

    pub fn remove(&mut self, tree: Tree, key: impl Into<Vec<u8>>) {
        self.writes.push(Write::Remove {
            tree,
            key: key.into(),
        });
    }

    pub fn create(
        &mut self,
        tree: Tree,
        key: impl Into<Vec<u8>>,
        value: impl Into<Vec<u8>>,
        message: impl Into<String>,
    ) {
        self.writes.push(Write::Create {
            tree,
            key: key.into(),
            value: value.into(),
            message: message.into(),
        });
    }

    pub fn expect(&mut self, tree: Tree, key: impl Into<Vec<u8>>, value: Option<Vec<u8>>) {
        self.writes.push(Write::Expect {
            tree,
            key: key.into(),
            value,
        });
    }
}

/// The message of a failed `Expect`.
pub const CHANGED_CONCURRENTLY: &str =
    "the record was changed by someone else meanwhile; try again";

/// Key/value pairs in key order.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Called with every entry of the store by `Store::for_each`.
pub type Visit<'a> = &'a mut dyn FnMut(Tree, &[u8], &[u8]) -> Result<()>;

/// The keys written while `Store::copy_live` ran, each with its value at the end of the copy
/// (`None`: removed). Applied over the copy, they give the store as it was at one moment.
pub type Changes =
    std::collections::BTreeMap<Tree, std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>>>;

pub trait Store: Send + Sync {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Entries whose key starts with `prefix`, in key order, at most `limit`, starting after
    /// `after` when given (for paging), newest first when `reverse`.
    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        reverse: bool,
    ) -> Result<Entries>;
    /// Applies every write of `batch` atomically, or none if a guard fails.
    fn commit(&self, batch: Batch) -> Result<()>;
    /// Commits each batch atomically and on its own (one failing guard fails only its batch),
    /// then makes them all durable at once: for sweeps that change many records, where one
    /// flush per batch would cost more than the work itself.
    fn commit_each(&self, batches: Vec<Batch>) -> Vec<Result<()>> {
        batches.into_iter().map(|b| self.commit(b)).collect()
    }
    /// Makes every committed batch durable.
    fn flush(&self) -> Result<()>;
    /// Number of entries in a tree.
    fn len(&self, tree: Tree) -> Result<usize>;
    /// Calls `each` for every entry of every tree, tree by tree in key order.
    fn for_each(&self, each: Visit) -> Result<()>;
    /// The bytes of uploaded files, kept beside the records.
    fn files(&self) -> &FileStore;
    /// Calls `each` for every entry while writers go on, and returns what they changed
    /// meanwhile; see `Changes`. Writers wait only while the changed keys are read again, never
    /// for the whole copy. This default holds writers off for the whole copy instead.
    fn copy_live(&self, each: Visit) -> Result<Changes> {
        self.for_each(each)?;
        Ok(Changes::new())
    }
    /// An unnamed temporary file on the same disk as the store, for backups' local copies.
    fn scratch_file(&self) -> Result<std::fs::File> {
        tempfile::tempfile().map_err(|e| files::io_error("cannot make a temporary file", e))
    }
}

/// A record inside its envelope: two bytes of format version, then JSON.
pub fn encode<R: Record>(record: &R) -> Vec<u8> {
    let mut out = R::VERSION.to_be_bytes().to_vec();
    serde_json::to_writer(&mut out, record).expect("records serialise");
    out
}

/// Opens an envelope, upgrading records written in an older format.
pub fn decode<R: Record>(bytes: &[u8]) -> Result<R> {
    let corrupt = |why: String| Error::Storage(format!("corrupt {} record: {why}", R::KIND));
    if bytes.len() < 2 {
        return Err(corrupt("too short".into()));
    }
    let version = u16::from_be_bytes([bytes[0], bytes[1]]);
    let body = &bytes[2..];
    if version == R::VERSION {
        return serde_json::from_slice(body).map_err(|e| corrupt(e.to_string()));
    }
    if version > R::VERSION {
        return Err(Error::FutureFormat {
            kind: R::KIND,
            version,
        });
    }
    let value = serde_json::from_slice(body).map_err(|e| corrupt(e.to_string()))?;
    let upgraded = R::upgrade(version, value).map_err(corrupt)?;
    serde_json::from_value(upgraded).map_err(|e| corrupt(e.to_string()))
}

/// Scans and decodes records: `Store::scan`, each value opened from its envelope.
pub fn scan_records<R: Record>(
    store: &dyn Store,
    tree: Tree,
    prefix: &[u8],
    after: Option<&[u8]>,
    limit: usize,
    reverse: bool,
) -> Result<Vec<R>> {
    store
        .scan(tree, prefix, after, limit, reverse)?
        .iter()
        .map(|(_, v)| decode(v))
        .collect()
}

/// Reads and decodes one record.
pub fn get_record<R: Record>(store: &dyn Store, tree: Tree, key: &[u8]) -> Result<Option<R>> {
    store
        .get(tree, key)?
        .map(|bytes| decode(&bytes))
        .transpose()
}

#[cfg(test)]
pub(crate) mod tests {
    //! One behaviour suite run against every `Store` implementation.
    use super::*;

    pub fn exercise(store: &dyn Store) {
        let mut b = Batch::default();
        b.put(Tree::Contacts, "b", "2");
        b.put(Tree::Contacts, "a", "1");
        b.put(Tree::ContactsByEmail, "x@y.z", "a");
        store.commit(b).unwrap();
        assert_eq!(store.get(Tree::Contacts, b"a").unwrap().unwrap(), b"1");
        assert_eq!(store.len(Tree::Contacts).unwrap(), 2);

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
}
