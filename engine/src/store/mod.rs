//! Storage behind a trait: named trees of sorted keys, read one key or a prefix at a time, and
//! changed only by atomic batches that may carry guards (create-only keys, expected values).
//! `SledStore` keeps one data folder; `PgStore` keeps a PostgreSQL database that several
//! replicas share (`pg/`); `MemoryStore` serves unit tests. Each store has a `FileStore` beside it
//! for the bytes of uploaded files.
//!
//! **Layout.** Each `Tree` is a sled tree; in a folder the indexes with an entry per work item
//! are packed many entries to a sled key (`packed.rs`), which only the `SledStore` sees. A record is two bytes of format version and its JSON,
//! or a zstd frame of the JSON (the version's top bit set) when that is smaller; a newer binary
//! upgrades older records as it reads them (`Record::upgrade`) and refuses records from the
//! future. Ids are ULIDs, so key order is creation order and "newest N" is a reverse range scan.
//! Every index is written in the batch of the record it points at; instants in keys are 20-digit
//! Unix milliseconds (`model::KeyInstant`), so keys sort by time. File bytes are not in sled:
//! they are `DATA/files/AB/SHA256`, fsynced and renamed into place before the batch that
//! references them commits, and `file_refs` says which records need which bytes; a file no record
//! references is collected, never one younger than an hour.
//!
//! **Format.** The folder has a store format (`meta/store_format`). Opening an older folder
//! upgrades it step by step (`upgrade.rs`: the store's own part of each step, then the domain's
//! part, `docket::UPGRADES`, given by whoever opens the folder), each step safe to run again,
//! then bumps the format; a folder from a newer docket is refused with a message to upgrade.

mod compact;
mod envelope;
pub mod files;
mod memo;
mod memory;
mod packed;
mod pg;
#[cfg(test)]
pub(crate) mod pg_cluster;
mod sled_store;
#[cfg(test)]
pub(crate) mod test_certs;
mod upgrade;

pub use envelope::{decode, encode, logical_len, repack};
pub use files::{FileReader, FileStore, FileWriter};
pub use memo::remembering_reads;
pub use memory::MemoryStore;
pub use pg::{DEFAULT_POOL, PgStore, UrlFrom};
pub use sled_store::{STORE_FORMAT, SledStore, lock_folder, no_data_folder};
pub use upgrade::Upgrade;

use crate::Result;
use crate::model::Record;

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
    /// `q/` due instant `/` message id → empty (waiting), `f/` message id → when it was claimed
    /// (Unix milliseconds, 8 bytes big-endian; empty from older dockets) (in flight)
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
    /// user id `/` SHA-256 of a staff session's secret → the staff session
    StaffSessions,
    /// user id `/` notification id → empty: a staff member's unread notifications, so the
    /// count on every admin page reads only what is unread
    UnreadNotifications,
    /// assignee's user id (or `-` for none) `/` work id → empty
    WorkByAssignee,
    /// sub-status `/` work id → empty, for work items that have a sub-status
    WorkBySubStatus,
    /// the earliest due date among the open tasks (`YYYY-MM-DD`) `/` work id → empty, for work
    /// items with an open task
    WorkByDue,
    /// work id → empty, for work items that need staff's attention (a group a plugin cannot
    /// plan)
    WorkNeedsAttention,
    /// `w/` word `/` work id or `c/` word `/` contact id → the record's searchable words, separated
    /// by spaces: a word is a lower-cased run of letters and digits of a work item's title,
    /// external name, template name and its clients' names and emails, or of a contact's name
    /// and email. A search reads the entries of one word's prefix.
    SearchWords,
    /// `c/` instant (20-digit Unix milliseconds) `/` work id `/` event id → empty: what clients
    /// did (ticks, reopened tasks, comments, uploads), in time order; `f/` instant `/` work id
    /// `/` event id → empty: emails about work that failed, in time order
    Activity,
    /// work id → the instant (20-digit Unix milliseconds) of its clients' latest activity
    WorkClientActivity,
    /// `d/` instant (20-digit Unix milliseconds) `/` work id → empty: when a repeating work
    /// item's next occurrence is due; `o/` work id `/` occurrence → the id of the work item
    /// made for it, created once (the guard that makes each occurrence exactly once)
    Repeats,
    /// SHA-256 of a reply token (the `TOKEN` of `replies+TOKEN@…`) → the link record it was
    /// issued with: revoked as the group's links are
    ReplyTokens,
    /// SHA-256 of a received email's `Message-ID` → what became of it: an email is taken once
    InboundSeen,
    /// id → a reply by email that matched no client's work (`UnmatchedReply`)
    UnmatchedReplies,
}

impl Tree {
    pub const ALL: [Tree; 40] = [
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
        Tree::StaffSessions,
        Tree::UnreadNotifications,
        Tree::WorkByAssignee,
        Tree::WorkBySubStatus,
        Tree::WorkByDue,
        Tree::WorkNeedsAttention,
        Tree::SearchWords,
        Tree::Activity,
        Tree::WorkClientActivity,
        Tree::Repeats,
        Tree::ReplyTokens,
        Tree::InboundSeen,
        Tree::UnmatchedReplies,
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
            Tree::StaffSessions => "staff_sessions",
            Tree::UnreadNotifications => "unread_notifications",
            Tree::WorkByAssignee => "work_by_assignee",
            Tree::WorkBySubStatus => "work_by_sub_status",
            Tree::WorkByDue => "work_by_due",
            Tree::WorkNeedsAttention => "work_needs_attention",
            Tree::SearchWords => "search_words",
            Tree::Activity => "activity",
            Tree::WorkClientActivity => "work_client_activity",
            Tree::Repeats => "repeats",
            Tree::ReplyTokens => "reply_tokens",
            Tree::InboundSeen => "inbound_seen",
            Tree::UnmatchedReplies => "unmatched_replies",
        }
    }

    /// Whether every value of this tree is a record written by `encode` (so `repack` may bring
    /// older values up to date). Indexes, `Meta` (it holds raw values too) and `Throttle`
    /// (plain JSON) are left out.
    pub fn holds_records(self) -> bool {
        matches!(
            self,
            Tree::Users
                | Tree::ApiTokens
                | Tree::Contacts
                | Tree::Templates
                | Tree::Work
                | Tree::Timeline
                | Tree::Comments
                | Tree::Files
                | Tree::Access
                | Tree::Links
                | Tree::ReplyTokens
                | Tree::UnmatchedReplies
                | Tree::Outbox
                | Tree::Events
                | Tree::Webhooks
                | Tree::Notifications
                | Tree::Digests
                | Tree::ClientSessions
                | Tree::StaffSessions
        )
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
    /// Why this guard fails when its key holds `current` (the conflict's message): a `Create`
    /// whose key exists, an `Expect` whose key holds something else. `None` when it holds, or
    /// for a `Put` or `Remove`. Each store reads `current` its own way and calls this.
    pub fn refused(&self, current: Option<&[u8]>) -> Option<String> {
        match self {
            Write::Create { message, .. } if current.is_some() => Some(message.clone()),
            Write::Expect { value, .. } if current != value.as_deref() => {
                Some(CHANGED_CONCURRENTLY.to_string())
            }
            _ => None,
        }
    }

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

/// `meta` key: the store format of the folder or database, two bytes big-endian.
pub(crate) const STORE_FORMAT_KEY: &[u8] = b"store_format";

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
    /// The values of several keys of one tree, in the order asked (`None`: absent): one read
    /// where a store pays per read (a database's round trip).
    fn get_many(&self, tree: Tree, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        keys.iter().map(|k| self.get(tree, k)).collect()
    }
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
    /// Whether other servers may use this store at the same time (a shared database): the
    /// background loops then take turns under leases (`lease.rs`) and claim row by row.
    fn shared(&self) -> bool {
        false
    }
    /// A number that moves on with every committed batch that wrote something: whatever was
    /// read or made from the store while it stayed the same is still current (the portal's
    /// page cache relies on it).
    fn generation(&self) -> u64;
    /// Number of entries in a tree.
    fn len(&self, tree: Tree) -> Result<usize>;
    /// Bytes the records take on disk (for `/metrics`); a store kept in memory has none.
    fn size_on_disk(&self) -> Result<u64> {
        Ok(0)
    }
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

/// What [`for_each_entry`] calls for each key and value.
pub type EntryVisit<'a> = &'a mut dyn FnMut(&[u8], &[u8]) -> Result<()>;

/// Calls `each` for every entry of `tree` in key order, reading a page of `page` entries at a
/// time, so memory stays flat however large the tree.
pub fn for_each_entry(store: &dyn Store, tree: Tree, page: usize, each: EntryVisit) -> Result<()> {
    let mut after: Option<Vec<u8>> = None;
    loop {
        let entries = store.scan(tree, b"", after.as_deref(), page, false)?;
        for (key, value) in &entries {
            each(key, value)?;
        }
        if entries.len() < page {
            return Ok(());
        }
        after = entries.last().map(|(k, _)| k.clone());
    }
}

/// Reads and decodes one record.
pub fn get_record<R: Record>(store: &dyn Store, tree: Tree, key: &[u8]) -> Result<Option<R>> {
    store
        .get(tree, key)?
        .map(|bytes| decode(&bytes))
        .transpose()
}

#[cfg(test)]
#[path = "tests.rs"]
pub(crate) mod tests;
