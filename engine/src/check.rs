//! `docket check`: verifies a data folder. Every record decodes (upgraded if older), every
//! index entry points at a record that would produce it, every record is indexed, and every file
//! a record references is in the file store with its size (and, when asked, its hash). Each
//! problem is one line naming the tree and key. Memory stays flat: records are read a page at a
//! time and indexes are checked by point lookups.

use crate::Result;
use crate::docket::{
    contact_key, parse_repeat_due_key, repeat_due_key, status_key, work_list_keys,
};
use crate::model::StoredFile;
use crate::model::{
    ApiToken, Comment, Contact, FirmSettings, GroupAccess, MagicLink, OutboundMessage,
    PendingDigest, QueuedEvent, Record, StaffNotification, StaffSession, StaffUser, Template,
    TemplateId, TimelineEvent, UploadedFile, WebhookDelivery, WorkId, WorkItem,
};
use crate::store::files::Verified;
use crate::store::{EntryVisit, Store, Tree, decode, for_each_entry};

/// Problems reported in full; past this, only their number.
const MAX_LINES: usize = 1000;
/// Entries read at a time.
const PAGE: usize = 1000;

/// Checks `store`; returns one line per problem, none when the folder is sound. With
/// `verify_bytes`, every referenced file is read whole and hashed; without, its size is checked.
pub fn check(store: &dyn Store, verify_bytes: bool) -> Result<Vec<String>> {
    let mut found = Found::default();
    let f = &mut found;
    records::<StaffUser>(store, Tree::Users, f, &mut |s, key, user, f| {
        let indexed = s.get(Tree::UsersByEmail, user.email.as_bytes())?;
        f.expect_index(
            indexed.as_deref() == Some(key),
            Tree::UsersByEmail,
            &user.email,
        );
        Ok(())
    })?;
    pointers(store, Tree::UsersByEmail, Tree::Users, f)?;
    records::<ApiToken>(store, Tree::ApiTokens, f, &mut |_, _, _, _| Ok(()))?;
    records::<Contact>(store, Tree::Contacts, f, &mut |s, key, contact, f| {
        let indexed = s.get(Tree::ContactsByEmail, contact.email.as_bytes())?;
        f.expect_index(
            indexed.as_deref() == Some(key),
            Tree::ContactsByEmail,
            &contact.email,
        );
        Ok(())
    })?;
    pointers(store, Tree::ContactsByEmail, Tree::Contacts, f)?;
    records::<Template>(store, Tree::Templates, f, &mut |s, key, template, f| {
        let name = template.name.to_lowercase();
        let indexed = s.get(Tree::TemplatesByName, name.as_bytes())?;
        f.expect_index(
            indexed.as_deref() == Some(key),
            Tree::TemplatesByName,
            &name,
        );
        for group in &template.groups {
            for task in &group.tasks {
                for (doc, file) in task
                    .documents
                    .iter()
                    .filter_map(|d| d.file.as_ref().map(|f| (d, f)))
                {
                    let refs = file.ref_key(template.id);
                    let present = s.get(Tree::FileRefs, &refs)?.is_some();
                    f.expect_index(present, Tree::FileRefs, &lossy(&refs));
                    let what = format!("`{}` of template `{}`", doc.name, template.name);
                    bytes(s, &file.content, &what, verify_bytes, f)?;
                }
            }
        }
        Ok(())
    })?;
    pointers(store, Tree::TemplatesByName, Tree::Templates, f)?;
    records::<WorkItem>(store, Tree::Work, f, &mut |s, _, work, f| {
        let by_status = status_key(work.status, work.id);
        let present = s.get(Tree::WorkByStatus, &by_status)?.is_some();
        f.expect_index(present, Tree::WorkByStatus, &lossy(&by_status));
        for contact in work.recipients() {
            let by_contact = contact_key(contact, Some(work.id));
            let present = s.get(Tree::WorkByContact, &by_contact)?.is_some();
            f.expect_index(present, Tree::WorkByContact, &lossy(&by_contact));
        }
        for (tree, key) in work_list_keys(&work) {
            let present = s.get(tree, &key)?.is_some();
            f.expect_index(present, tree, &lossy(&key));
        }
        if let Some(next) = work.repeat.as_ref().and_then(|r| r.next.first()) {
            let due = repeat_due_key(next.at, work.id);
            let present = s.get(Tree::Repeats, &due)?.is_some();
            f.expect_index(present, Tree::Repeats, &lossy(&due));
        }
        Ok(())
    })?;
    repeats(store, f)?;
    work_index(store, Tree::WorkByStatus, f, &|w, key| {
        status_key(w.status, w.id) == key
    })?;
    work_index(store, Tree::WorkByContact, f, &|w, key| {
        w.recipients()
            .into_iter()
            .any(|c| contact_key(c, Some(w.id)) == key)
    })?;
    for tree in [
        Tree::WorkByAssignee,
        Tree::WorkBySubStatus,
        Tree::WorkByDue,
        Tree::WorkNeedsAttention,
    ] {
        work_index(store, tree, f, &|w, key| {
            work_list_keys(w)
                .into_iter()
                .any(|(t, k)| t == tree && k == key)
        })?;
    }
    records::<TimelineEvent>(store, Tree::Timeline, f, &mut |_, _, _, _| Ok(()))?;
    records::<Comment>(store, Tree::Comments, f, &mut |_, _, _, _| Ok(()))?;
    records::<UploadedFile>(store, Tree::Files, f, &mut |s, _, file, f| {
        let present = s.get(Tree::FileRefs, &file.ref_key())?.is_some();
        f.expect_index(present, Tree::FileRefs, &lossy(&file.ref_key()));
        let what = format!("`{}` of work {}", file.name, file.work);
        bytes(s, &file.content, &what, verify_bytes, f)
    })?;
    each_entry(store, Tree::FileRefs, &mut |key, _| {
        let text = lossy(key);
        let target = text
            .split_once('/')
            .map(|(sha, rest)| (sha.to_string(), rest.to_string()));
        let ok = match &target {
            Some((sha, rest)) if rest.starts_with("reply/") => store
                .get(Tree::UnmatchedReplies, &rest.as_bytes()["reply/".len()..])?
                .and_then(|v| decode::<crate::model::UnmatchedReply>(&v).ok())
                .is_some_and(|reply| reply.raw.sha256 == *sha),
            Some((sha, rest)) => match rest.strip_prefix("template/") {
                Some(rest) => template_names(store, rest, sha)?,
                None => store
                    .get(Tree::Files, rest.as_bytes())?
                    .and_then(|v| decode::<UploadedFile>(&v).ok())
                    .is_some_and(|file| file.content.sha256 == *sha),
            },
            None => false,
        };
        if !ok {
            found.problem(format!(
                "file_refs: `{text}` points at no file record with those bytes"
            ));
        }
        Ok(())
    })?;
    // Stored files no record references, written over an hour ago: left by a record that was
    // lost (a damaged or replaced store), which `serve` would otherwise collect.
    let now = std::time::SystemTime::now();
    let mut unreferenced = 0;
    let stored = store.files().entries()?;
    for (sha, _, at) in &stored {
        let old = now.duration_since(*at).unwrap_or_default() >= crate::store::files::COLLECT_AFTER;
        let prefix = format!("{sha}/");
        if old
            && store
                .scan(Tree::FileRefs, prefix.as_bytes(), None, 1, false)?
                .is_empty()
            && !crate::docket::file_released(store, sha)?
        {
            unreferenced += 1;
        }
    }
    if unreferenced > 0 {
        found.problem(format!(
            "files: {unreferenced} of the {} stored files are referenced by no record; if records were lost, restore a backup before `serve` (which removes unreferenced files unless most are)",
            stored.len()
        ));
    }
    let f = &mut found;
    records::<GroupAccess>(store, Tree::Access, f, &mut |_, _, _, _| Ok(()))?;
    records::<MagicLink>(store, Tree::Links, f, &mut |_, _, _, _| Ok(()))?;
    records::<OutboundMessage>(store, Tree::Outbox, f, &mut |_, _, _, _| Ok(()))?;
    records::<QueuedEvent>(store, Tree::Events, f, &mut |_, _, _, _| Ok(()))?;
    records::<WebhookDelivery>(store, Tree::Webhooks, f, &mut |_, _, _, _| Ok(()))?;
    records::<StaffNotification>(store, Tree::Notifications, f, &mut |s, key, note, f| {
        let indexed = s.get(Tree::UnreadNotifications, key)?.is_some();
        if indexed == note.read {
            f.problem(format!(
                "unread_notifications: `{}` {}",
                lossy(key),
                if note.read {
                    "is listed as unread but was read"
                } else {
                    "is unread but missing"
                }
            ));
        }
        Ok(())
    })?;
    each_entry(store, Tree::UnreadNotifications, &mut |key, _| {
        if store.get(Tree::Notifications, key)?.is_none() {
            found.problem(format!(
                "unread_notifications: `{}` points at no notification",
                lossy(key)
            ));
        }
        Ok(())
    })?;
    let f = &mut found;
    records::<StaffSession>(store, Tree::StaffSessions, f, &mut |_, _, _, _| Ok(()))?;
    records::<PendingDigest>(store, Tree::Digests, f, &mut |_, _, _, _| Ok(()))?;
    match store.get(Tree::Meta, b"firm_settings")? {
        Some(bytes) => {
            if let Err(e) = decode::<FirmSettings>(&bytes) {
                found.problem(format!("meta: firm_settings: {e}"));
            }
        }
        None => found.problem("meta: the firm's settings are missing".into()),
    }
    each_entry(store, Tree::OutboxQueue, &mut |key, _| {
        let text = lossy(key);
        let id = text.rsplit('/').next().unwrap_or_default();
        if store.get(Tree::Outbox, id.as_bytes())?.is_none() {
            found.problem(format!("outbox_queue: `{text}` points at no message"));
        }
        Ok(())
    })?;
    each_entry(store, Tree::OutboxKeys, &mut |key, value| {
        // An empty value is a claimed key (a hook effect done once), not a message.
        if !value.is_empty() && store.get(Tree::Outbox, value)?.is_none() {
            found.problem(format!(
                "outbox_keys: `{}` points at no message",
                lossy(key)
            ));
        }
        Ok(())
    })?;
    for line in crate::docket::audit_schedule(store)?.lines() {
        found.problem(line);
    }
    Ok(found.lines())
}

#[derive(Default)]
struct Found {
    lines: Vec<String>,
    more: usize,
}

impl Found {
    fn problem(&mut self, line: String) {
        if self.lines.len() < MAX_LINES {
            self.lines.push(line);
        } else {
            self.more += 1;
        }
    }

    fn expect_index(&mut self, present: bool, index: Tree, key: &str) {
        if !present {
            self.problem(format!(
                "{}: `{key}` is missing or points elsewhere",
                index.name()
            ));
        }
    }

    fn lines(mut self) -> Vec<String> {
        if self.more > 0 {
            self.lines
                .push(format!("... and {} more problems", self.more));
        }
        self.lines
    }
}

type RecordCheck<'a, R> = &'a mut dyn FnMut(&dyn Store, &[u8], R, &mut Found) -> Result<()>;

/// Decodes every record of `tree`, reporting those that fail, and hands the others to `then`.
fn records<R: Record>(
    store: &dyn Store,
    tree: Tree,
    found: &mut Found,
    then: RecordCheck<R>,
) -> Result<()> {
    each_entry(store, tree, &mut |key, value| {
        match decode::<R>(value) {
            Ok(record) => then(store, key, record, found)?,
            Err(e) => found.problem(format!("{}: `{}`: {e}", tree.name(), lossy(key))),
        }
        Ok(())
    })
}

/// Checks that every value of `index` is the key of a record in `records`.
fn pointers(store: &dyn Store, index: Tree, records: Tree, found: &mut Found) -> Result<()> {
    each_entry(store, index, &mut |key, value| {
        if store.get(records, value)?.is_none() {
            found.problem(format!(
                "{}: `{}` points at no record of {}",
                index.name(),
                lossy(key),
                records.name()
            ));
        }
        Ok(())
    })
}

/// Checks that every key of a work index (`.../WORK`) names a work item that produces it.
fn work_index(
    store: &dyn Store,
    index: Tree,
    found: &mut Found,
    produces: &dyn Fn(&WorkItem, &[u8]) -> bool,
) -> Result<()> {
    each_entry(store, index, &mut |key, _| {
        let text = lossy(key);
        let work = text
            .rsplit('/')
            .next()
            .and_then(|id| id.parse::<WorkId>().ok())
            .map(|id| store.get(Tree::Work, &id.key()))
            .transpose()?
            .flatten()
            .and_then(|v| decode::<WorkItem>(&v).ok());
        if !work.is_some_and(|w| produces(&w, key)) {
            found.problem(format!(
                "{}: `{text}` points at no work item that belongs there",
                index.name()
            ));
        }
        Ok(())
    })
}

/// Checks the `repeats` index: each due entry (`d/AT/WORK`) names work that repeats with its
/// next occurrence at AT, and each occurrence made (`o/WORK/…`) names work that exists, as
/// does the work it was made for, which it says it was made from.
fn repeats(store: &dyn Store, found: &mut Found) -> Result<()> {
    let work = |id: WorkId| -> Result<Option<WorkItem>> {
        Ok(store
            .get(Tree::Work, &id.key())?
            .and_then(|v| decode::<WorkItem>(&v).ok()))
    };
    each_entry(store, Tree::Repeats, &mut |key, value| {
        let text = lossy(key);
        if text.starts_with("d/") {
            let due = parse_repeat_due_key(key).ok();
            let series = match due {
                Some((_, id)) => work(id)?,
                None => None,
            };
            let points = due.zip(series).is_some_and(|((at, _), series)| {
                series
                    .repeat
                    .as_ref()
                    .and_then(|r| r.next.first())
                    .is_some_and(|next| next.at == at)
            });
            if !points {
                found.problem(format!(
                    "repeats: `{text}` points at no work whose next repeat is due then"
                ));
            }
        } else if let Some(rest) = text.strip_prefix("o/") {
            let series = rest
                .split('/')
                .next()
                .and_then(|id| id.parse::<WorkId>().ok());
            let made = std::str::from_utf8(value)
                .ok()
                .and_then(|id| id.parse::<WorkId>().ok());
            match (series, made) {
                (Some(series), Some(made)) => {
                    if work(series)?.is_none() {
                        found.problem(format!(
                            "repeats: `{text}` names a repeating work item that does not exist"
                        ));
                    }
                    match work(made)? {
                        None => found.problem(format!(
                            "repeats: `{text}` points at work {made}, which does not exist"
                        )),
                        Some(w) if w.repeated_from != Some(series) => found.problem(format!(
                            "repeats: `{text}` points at work {made}, which was not made by that repeat"
                        )),
                        Some(_) => {}
                    }
                }
                _ => found.problem(format!("repeats: `{text}` is not a repeat's entry")),
            }
        } else {
            found.problem(format!("repeats: `{text}` is not a repeat's entry"));
        }
        Ok(())
    })
}

/// Whether the bytes `content` names are in the file store (whole and hashing right, with
/// `verify_bytes`; else of the right size); a problem naming `what` if not.
fn bytes(
    store: &dyn Store,
    content: &StoredFile,
    what: &str,
    verify_bytes: bool,
    found: &mut Found,
) -> Result<()> {
    let sha = &content.sha256;
    if verify_bytes {
        match store.files().verify(sha)? {
            Verified::Intact => {}
            Verified::Missing => {
                found.problem(format!("files: {what} is missing its bytes ({sha})"))
            }
            Verified::Damaged => found.problem(format!(
                "files: {what} is damaged: its bytes no longer hash to {sha}"
            )),
        }
    } else {
        match store.files().size(sha)? {
            Some(size) if size == content.size => {}
            Some(size) => found.problem(format!(
                "files: {what} has {size} bytes on disk, not {} ({sha})",
                content.size
            )),
            None => found.problem(format!("files: {what} is missing its bytes ({sha})")),
        }
    }
    Ok(())
}

/// Whether `template_id/file_id` names a template holding that file with hash `sha`.
fn template_names(store: &dyn Store, rest: &str, sha: &str) -> Result<bool> {
    let Some((template, file)) = rest.split_once('/') else {
        return Ok(false);
    };
    let (Ok(template), Ok(file)) = (template.parse::<TemplateId>(), file.parse::<ulid::Ulid>())
    else {
        return Ok(false);
    };
    let Some(value) = store.get(Tree::Templates, &template.key())? else {
        return Ok(false);
    };
    Ok(decode::<Template>(&value).is_ok_and(|t| {
        t.groups
            .iter()
            .flat_map(|g| &g.tasks)
            .flat_map(|t| &t.documents)
            .filter_map(|d| d.file.as_ref())
            .any(|f| f.id == file && f.content.sha256 == sha)
    }))
}

fn each_entry(store: &dyn Store, tree: Tree, each: EntryVisit) -> Result<()> {
    for_each_entry(store, tree, PAGE, each)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl crate::Docket {
    /// Checks the data folder; see `check::check`.
    pub fn check(&self, verify_bytes: bool) -> Result<Vec<String>> {
        check(self.store().as_ref(), verify_bytes)
    }
}
