//! Reads remembered for the length of one call: a request to a server on a shared store reads
//! the same few records several times (the firm's settings, the contact, the member), and each
//! read is a round trip to the database. Inside `remembering_reads`, a shared store's `get`
//! answers a key it already read on this thread from memory; any commit on the thread forgets
//! everything, so a call sees its own writes, and a batch refused for a changed value (read
//! here, changed by another server) is retried on fresh reads. A value another server writes
//! during the call is seen at the next call: within one call the reads are as of its first
//! read, and every read-modify-write is guarded by the value it read.

use std::cell::RefCell;
use std::collections::HashMap;

use super::Tree;
use crate::Result;

/// At most this many keys are kept for one call: a call that reads more (an export, a check)
/// reads the rest from the store as before.
const MOST: usize = 256;

type Key = (usize, Tree, Vec<u8>);

thread_local! {
    static READS: RefCell<Option<HashMap<Key, Option<Vec<u8>>>>> = const { RefCell::new(None) };
}

/// Runs `f` with reads remembered on this thread until it returns (a nested call shares the
/// outer one's memory).
pub fn remembering_reads<T>(f: impl FnOnce() -> T) -> T {
    let outer = READS.with(|r| {
        let mut r = r.borrow_mut();
        let outer = r.is_some();
        if !outer {
            *r = Some(HashMap::new());
        }
        outer
    });
    if outer {
        return f();
    }
    // Forgotten however `f` ends, a panic included: the thread serves other calls next.
    struct Forget;
    impl Drop for Forget {
        fn drop(&mut self) {
            READS.with(|r| *r.borrow_mut() = None);
        }
    }
    let _forget = Forget;
    f()
}

/// `read`'s answer for `key` of the store `store` (its address), from memory when this call
/// read it before.
pub(crate) fn get(
    store: usize,
    tree: Tree,
    key: &[u8],
    read: impl FnOnce() -> Result<Option<Vec<u8>>>,
) -> Result<Option<Vec<u8>>> {
    let id = (store, tree, key.to_vec());
    let known = READS.with(|r| r.borrow().as_ref().map(|reads| reads.get(&id).cloned()));
    match known {
        // Not remembering: a worker's loop, a command.
        None => read(),
        Some(Some(value)) => Ok(value),
        Some(None) => {
            let value = read()?;
            READS.with(|r| {
                if let Some(reads) = r.borrow_mut().as_mut()
                    && reads.len() < MOST
                {
                    reads.insert(id, value.clone());
                }
            });
            Ok(value)
        }
    }
}

/// Forgets every read of this call: a batch is about to be committed (or was).
pub(crate) fn forget() {
    READS.with(|r| {
        if let Some(reads) = r.borrow_mut().as_mut() {
            reads.clear();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_key_is_read_once_per_call_until_a_commit() {
        let reads = Cell::new(0);
        let read = || {
            reads.set(reads.get() + 1);
            Ok(Some(b"v".to_vec()))
        };
        // Outside a call every read goes to the store.
        get(1, Tree::Meta, b"k", read).unwrap();
        get(1, Tree::Meta, b"k", read).unwrap();
        assert_eq!(reads.get(), 2);
        remembering_reads(|| {
            assert_eq!(get(1, Tree::Meta, b"k", read).unwrap(), Some(b"v".to_vec()));
            get(1, Tree::Meta, b"k", read).unwrap();
            assert_eq!(reads.get(), 3, "the second read is remembered");
            // Another key, tree or store is read.
            get(1, Tree::Users, b"k", read).unwrap();
            get(2, Tree::Meta, b"k", read).unwrap();
            get(1, Tree::Meta, b"j", read).unwrap();
            assert_eq!(reads.get(), 6);
            // A nested call shares the memory; a commit forgets it.
            remembering_reads(|| get(1, Tree::Meta, b"k", read).unwrap());
            assert_eq!(reads.get(), 6);
            forget();
            get(1, Tree::Meta, b"k", read).unwrap();
            assert_eq!(reads.get(), 7);
        });
        get(1, Tree::Meta, b"k", read).unwrap();
        assert_eq!(reads.get(), 8, "the call's end forgets");
    }

    #[test]
    fn an_absent_key_is_remembered_absent_and_errors_are_not_kept() {
        let reads = Cell::new(0);
        remembering_reads(|| {
            let absent = || {
                reads.set(reads.get() + 1);
                Ok(None)
            };
            assert_eq!(get(1, Tree::Meta, b"none", absent).unwrap(), None);
            assert_eq!(get(1, Tree::Meta, b"none", absent).unwrap(), None);
            assert_eq!(reads.get(), 1);
            let failing = || Err(crate::Error::Storage("down".into()));
            assert!(get(1, Tree::Meta, b"down", failing).is_err());
            assert_eq!(
                get(1, Tree::Meta, b"down", || Ok(Some(vec![1]))).unwrap(),
                Some(vec![1])
            );
        });
    }

    #[test]
    fn a_panicking_call_leaves_nothing_behind() {
        let caught = std::panic::catch_unwind(|| {
            remembering_reads(|| {
                get(1, Tree::Meta, b"k", || Ok(Some(vec![1]))).unwrap();
                panic!("the call fails");
            })
        });
        assert!(caught.is_err());
        let reads = Cell::new(0);
        get(1, Tree::Meta, b"k", || {
            reads.set(1);
            Ok(Some(vec![2]))
        })
        .unwrap();
        assert_eq!(reads.get(), 1, "no memory outside a call");
    }
}
