//! Search: work items by title, external name, template name and their clients' names and
//! emails; contacts by name and email. Through the `search_words` index (one entry per word of a
//! record, `w/` for work and `c/` for contacts, its value the record's words), never by reading
//! every record: a search reads, for each kind, the entries under its longest word's prefix and keeps those whose words hold every other word of
//! the query as a prefix, until it has enough. The entries of a work item are written in the
//! batch of every change that alters its words (`write_work`), and a contact's by its own
//! changes, which also rewrite its work's. A template's rename moves the entries of the work made
//! from it to the new name's words after the rename is stored, a batch of `RENAME_BATCH` work
//! items at a time (`reindex_template_work`), found through the old name's rarest word.

use std::collections::HashSet;

use crate::docket::Docket;
use crate::docket::WorkLine;
use crate::model::{Contact, ContactId, Template, WorkId, WorkItem};
use crate::store::{Batch, Store, Tree, get_record};
use crate::{Error, Result};

/// Most work items and most contacts one search answers with.
pub const SEARCH_LIMIT: usize = 20;
/// Most index entries one search reads: a query whose words are all common stops there and says
/// so, rather than reading the whole index.
const SCAN_LIMIT: usize = 30_000;
/// Work items one batch of a template rename's re-indexing holds.
pub(crate) const RENAME_BATCH: usize = 500;

/// The words of `text` for the index: lower-cased runs of letters and digits, without repeats.
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    /// The query's words, as searched.
    pub words: Vec<String>,
    pub work: Vec<WorkLine>,
    pub contacts: Vec<Contact>,
    /// More work or contacts matched than are listed.
    pub more: bool,
}

/// A record the index points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Found {
    Work(WorkId),
    Contact(ContactId),
}

fn work_key(word: &str, work: WorkId) -> Vec<u8> {
    [b"w/", word.as_bytes(), b"/", &work.key()].concat()
}

fn contact_key(word: &str, contact: ContactId) -> Vec<u8> {
    [b"c/", word.as_bytes(), b"/", &contact.key()].concat()
}

/// Moves a record's index entries from the words it had (`old`, with its text) to `new`'s.
fn write_words(batch: &mut Batch, old: Option<&str>, new: &str, key: &dyn Fn(&str) -> Vec<u8>) {
    let before = old.map(words).unwrap_or_default();
    let after = words(new);
    for word in &before {
        if !after.contains(word) {
            batch.remove(Tree::SearchWords, key(word));
        }
    }
    for word in after {
        if old != Some(new) || !before.contains(&word) {
            batch.put(Tree::SearchWords, key(&word), new.as_bytes().to_vec());
        }
    }
}

/// A contact's searchable text.
pub(crate) fn contact_text(contact: &Contact) -> String {
    words(&format!("{} {}", contact.name, contact.email)).join(" ")
}

/// The index entries of a contact, written when it is made or changed.
pub(crate) fn write_contact_search(batch: &mut Batch, old: Option<&Contact>, new: &Contact) {
    let id = new.id;
    write_words(
        batch,
        old.map(contact_text).as_deref(),
        &contact_text(new),
        &|w| contact_key(w, id),
    );
}

/// Whether two versions of a work item have the same searchable fields.
fn same_search_fields(a: &WorkItem, b: &WorkItem) -> bool {
    a.title == b.title
        && a.external_name == b.external_name
        && a.template_id == b.template_id
        && a.recipients() == b.recipients()
}

/// A work item's searchable text: its title, external name, template's name, and its clients'
/// names and emails (`changed` in place of the stored contact it replaces).
pub(crate) fn work_text(
    store: &dyn Store,
    work: &WorkItem,
    changed: Option<&Contact>,
) -> Result<String> {
    work_text_named(store, work, changed, None)
}

/// [`work_text`], with `template_name` in place of its template's stored name when given.
fn work_text_named(
    store: &dyn Store,
    work: &WorkItem,
    changed: Option<&Contact>,
    template_name: Option<&str>,
) -> Result<String> {
    let mut text = format!("{} {}", work.title, work.external_name);
    let stored = match template_name {
        Some(_) => None,
        None => get_record::<Template>(store, Tree::Templates, &work.template_id.key())?,
    };
    if let Some(name) = template_name.or(stored.as_ref().map(|t| t.name.as_str())) {
        text.push(' ');
        text.push_str(name);
    }
    for id in work.recipients() {
        let contact = match changed {
            Some(c) if c.id == id => Some(c.clone()),
            _ => get_record::<Contact>(store, Tree::Contacts, &id.key())?,
        };
        if let Some(contact) = contact {
            text.push(' ');
            text.push_str(&contact.name);
            text.push(' ');
            text.push_str(&contact.email);
        }
    }
    Ok(words(&text).join(" "))
}

/// The search entries of a work item as it stands, for the format upgrade that starts the index.
pub(crate) fn work_entries(store: &dyn Store, work: &WorkItem) -> Result<Batch> {
    let mut batch = Batch::default();
    let id = work.id;
    write_words(&mut batch, None, &work_text(store, work, None)?, &|w| {
        work_key(w, id)
    });
    Ok(batch)
}

impl Docket {
    /// The records of one kind (`kind`: `w/` or `c/`) whose words begin with `lead` and hold
    /// every word (`holds_all`), at most `SEARCH_LIMIT`, and whether there are more.
    fn scan_words<T: FromFound>(
        &self,
        kind: &[u8],
        lead: &str,
        holds_all: &dyn Fn(&[u8]) -> bool,
    ) -> Result<(Vec<T>, bool)> {
        let prefix = [kind, lead.as_bytes()].concat();
        let mut seen: HashSet<Found> = HashSet::new();
        let mut found = Vec::new();
        let mut cursor: Option<Vec<u8>> = None;
        let mut read = 0;
        let page = 500;
        loop {
            let entries =
                self.store
                    .scan(Tree::SearchWords, &prefix, cursor.as_deref(), page, false)?;
            for (key, text) in &entries {
                read += 1;
                let record = parse_key(key)
                    .ok_or_else(|| Error::Storage("corrupt key in search_words".into()))?;
                if seen.contains(&record) || !holds_all(text) {
                    continue;
                }
                seen.insert(record);
                if found.len() == SEARCH_LIMIT {
                    return Ok((found, true));
                }
                found.extend(T::from_found(record));
            }
            if entries.len() < page {
                return Ok((found, false));
            }
            if read >= SCAN_LIMIT {
                return Ok((found, true));
            }
            cursor = entries.last().map(|(k, _)| k.clone());
        }
    }

    /// Adds to `batch` the search entries `new` needs, when its searchable fields differ from
    /// `old`'s (a work item's words are read again only then).
    pub(crate) fn write_work_search(
        &self,
        batch: &mut Batch,
        old: Option<&WorkItem>,
        new: &WorkItem,
    ) -> Result<()> {
        if old.is_some_and(|old| same_search_fields(old, new)) {
            return Ok(());
        }
        let before = old
            .map(|old| work_text(self.store.as_ref(), old, None))
            .transpose()?;
        let after = work_text(self.store.as_ref(), new, None)?;
        let id = new.id;
        write_words(batch, before.as_deref(), &after, &|w| work_key(w, id));
        Ok(())
    }

    /// Adds to `batch` the search entries of a contact changed from `old` to `new`, and those of
    /// its work, whose words hold the contact's name and email.
    pub(crate) fn write_contact_change_search(
        &self,
        batch: &mut Batch,
        old: &Contact,
        new: &Contact,
    ) -> Result<()> {
        write_contact_search(batch, Some(old), new);
        if contact_text(old) == contact_text(new) {
            return Ok(());
        }
        for id in self.contact_work_ids(new.id)? {
            let work = match self.work(id) {
                Ok(w) => w,
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let before = work_text(self.store.as_ref(), &work, None)?;
            let after = work_text(self.store.as_ref(), &work, Some(new))?;
            write_words(batch, Some(&before), &after, &|w| work_key(w, id));
        }
        Ok(())
    }

    /// After `template` was renamed from `old_name` (and the rename stored), moves the search
    /// entries of the work made from it from the old name's words to the new name's,
    /// `RENAME_BATCH` work items to a batch; answers how many work items moved. The work is found
    /// through the entries of the old name's longest word (every work item of the template has
    /// one); a name with no words at all makes every work item be read.
    pub(crate) fn reindex_template_work(
        &self,
        template: &Template,
        old_name: &str,
    ) -> Result<usize> {
        let old_words = words(old_name);
        if old_words == words(&template.name) {
            return Ok(0);
        }
        let store = self.store.as_ref();
        let lead = old_words.iter().max_by_key(|w| w.chars().count());
        let prefix = lead.map(|w| format!("w/{w}/").into_bytes());
        let mut cursor: Option<Vec<u8>> = None;
        let mut moved = 0;
        loop {
            // The next work items: those the old name's word points at, else every one.
            let (ids, full) = match &prefix {
                Some(prefix) => {
                    let entries = store.scan(
                        Tree::SearchWords,
                        prefix,
                        cursor.as_deref(),
                        RENAME_BATCH,
                        false,
                    )?;
                    cursor = entries.last().map(|(k, _)| k.clone());
                    let ids: Vec<WorkId> = entries
                        .iter()
                        .filter_map(|(k, _)| match parse_key(k) {
                            Some(Found::Work(id)) => Some(id),
                            _ => None,
                        })
                        .collect();
                    let full = entries.len() == RENAME_BATCH;
                    (ids, full)
                }
                None => {
                    let page: Vec<WorkItem> = crate::store::scan_records(
                        store,
                        Tree::Work,
                        b"",
                        cursor.as_deref(),
                        RENAME_BATCH,
                        false,
                    )?;
                    cursor = page.last().map(|w| w.id.key());
                    let full = page.len() == RENAME_BATCH;
                    (page.into_iter().map(|w| w.id).collect(), full)
                }
            };
            let mut batch = Batch::default();
            for id in ids {
                let work = match self.work(id) {
                    Ok(work) if work.template_id == template.id => work,
                    Ok(_) | Err(Error::NotFound { .. }) => continue,
                    Err(e) => return Err(e),
                };
                let before = work_text_named(store, &work, None, Some(old_name))?;
                let after = work_text_named(store, &work, None, Some(&template.name))?;
                write_words(&mut batch, Some(&before), &after, &|w| work_key(w, id));
                moved += 1;
            }
            if !batch.is_empty() {
                store.commit(batch)?;
            }
            if !full {
                return Ok(moved);
            }
        }
    }

    /// Work items and contacts whose words begin with every word of `query` (any case), at most
    /// `SEARCH_LIMIT` of each, work as list lines. An empty query finds nothing.
    pub fn search(&self, query: &str) -> Result<SearchResults> {
        let wanted = words(query);
        let mut results = SearchResults {
            words: wanted.clone(),
            ..SearchResults::default()
        };
        // The longest word is the likeliest to be rare: its prefix is the one read.
        let Some(lead) = wanted.iter().max_by_key(|w| w.chars().count()).cloned() else {
            return Ok(results);
        };
        let holds_all = |text: &[u8]| {
            let text = String::from_utf8_lossy(text);
            wanted
                .iter()
                .all(|q| text.split(' ').any(|w| w.starts_with(q.as_str())))
        };
        let (work_ids, more_work) = self.scan_words(b"w/", &lead, &holds_all)?;
        let (contact_ids, more_contacts) = self.scan_words(b"c/", &lead, &holds_all)?;
        results.more = more_work || more_contacts;
        let mut names = crate::docket::work::desk::LineNames::default();
        for id in work_ids {
            match self.work(id) {
                Ok(work) => results.work.push(self.work_line(&work, &mut names)?),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        for id in contact_ids {
            match self.contact(id) {
                Ok(contact) => results.contacts.push(contact),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(results)
    }
}

/// An id of the kind a scan is for.
trait FromFound: Sized {
    fn from_found(found: Found) -> Option<Self>;
}

impl FromFound for WorkId {
    fn from_found(found: Found) -> Option<Self> {
        match found {
            Found::Work(id) => Some(id),
            Found::Contact(_) => None,
        }
    }
}

impl FromFound for ContactId {
    fn from_found(found: Found) -> Option<Self> {
        match found {
            Found::Contact(id) => Some(id),
            Found::Work(_) => None,
        }
    }
}

/// The record an index key points at: `w/word/ID` or `c/word/ID`.
fn parse_key(key: &[u8]) -> Option<Found> {
    let id = std::str::from_utf8(key.rsplit(|b| *b == b'/').next()?).ok()?;
    match key.get(..2)? {
        b"w/" => id.parse().ok().map(Found::Work),
        b"c/" => id.parse().ok().map(Found::Contact),
        _ => None,
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
