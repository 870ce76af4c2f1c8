//! Restoring a backup into an empty PostgreSQL database, so a firm moves from a data folder to
//! the database several servers share (and back, by a backup of the database restored into a
//! folder). The same archive, the same checks and the same pause of sending as a restore into a
//! folder; a failed restore empties the database again (or takes Docket's tables out of one
//! that had none), so it is as it was.

use std::io::Read;

use super::load::{PgLoad, Target as _, load};
use super::{Counting, Counts, Progress, RESTORE_MARKER};
use crate::store::{Batch, PgStore, Store as _, Tree, UrlFrom};
use crate::{Error, Result};

/// Restores a backup into the database at `url` (from `from`, for messages; a pool of at most
/// `pool` connections), which must hold no firm and no other application's tables (else
/// `Error::Conflict`). While it runs the database holds a restore marker, so a server started
/// meanwhile (or after a crash) refuses it; at the end the records are upgraded, checked with
/// `check::check`, and sending is paused (`Docket::resume_sending`) as in a restored folder.
pub fn restore_postgres(
    url: &str,
    from: UrlFrom,
    pool: usize,
    input: &mut dyn Read,
    progress: Progress,
) -> Result<Counts> {
    // Checked before `connect` creates Docket's tables, so nothing is changed.
    PgStore::refuse_other_tables(url, from)?;
    // A database Docket never prepared is left without its tables if the restore fails.
    let prepared_before = PgStore::prepared(url, from)?;
    let store = PgStore::connect(url, pool, crate::docket::UPGRADES)?;
    if !store.holds_nothing()? {
        return Err(Error::Conflict(format!(
            "the database {} already holds a firm; restore only into an empty database (nothing was changed)",
            store.described()
        )));
    }
    let mut marker = Batch::default();
    marker.put(Tree::Meta, RESTORE_MARKER, b"1".to_vec());
    store.commit(marker)?;
    let result = (|| {
        let mut counting = Counting {
            inner: input,
            bytes: 0,
        };
        let counts = {
            let target = PgLoad::new(&store);
            let counts = load(&target, &mut counting, progress)?;
            target.flush()?;
            counts
        };
        // Connected again, so records of an older docket are upgraded as in any older database.
        let restored = PgStore::connect(url, pool, crate::docket::UPGRADES)?;
        let mut problems = crate::check::check(&restored, false)?;
        // Files lost before the backup was made are missing by design; the caller says so.
        problems.retain(|p| !counts.left_out.iter().any(|sha| p.contains(sha.as_str())));
        if !problems.is_empty() {
            return Err(Error::Backup(format!(
                "the restored data does not check out, so nothing was restored:\n{}",
                problems.join("\n")
            )));
        }
        // A backup holds the outbox and the schedule of its day: the restored firm sends
        // nothing until an admin resumes it. Only then does the marker go, so a restore cut
        // short before is refused by servers.
        use crate::clock::Clock as _;
        let pause = crate::model::SendingPause {
            since: crate::clock::SystemClock.now(),
            reason: "this database was restored from a backup".into(),
        };
        crate::docket::pause_sending_in(&restored, &pause)?;
        let mut done = Batch::default();
        done.remove(Tree::Meta, RESTORE_MARKER);
        restored.commit(done)?;
        Ok(Counts {
            bytes: counting.bytes,
            ..counts
        })
    })();
    let undo = || match prepared_before {
        true => store.erase_all(),
        false => store.drop_all(),
    };
    if let Err(e) = &result
        && let Err(erase) = undo()
    {
        return Err(Error::Backup(format!(
            "{e}; the database could not be emptied again ({erase}): empty it before restoring again"
        )));
    }
    result
}
