//! What a restore into a PostgreSQL database needs beyond batches: whether the database holds
//! a firm already (a restore goes only into an empty one), and emptying it again when a restore
//! fails, so a bad backup leaves the database as it was.

use super::PgStore;
use crate::Result;

impl PgStore {
    /// Whether the database holds nothing but its store format: no record, no index entry, no
    /// file.
    pub fn holds_nothing(&self) -> Result<bool> {
        let format_key = super::STORE_FORMAT_KEY.to_vec();
        let meta = crate::store::Tree::Meta.name();
        self.with_client("cannot read the database", move |c| async move {
            let row = c
                .query_one(
                    "SELECT (SELECT count(*) FROM docket_kv WHERE NOT (tree = $1 AND key = $2))
                          + (SELECT count(*) FROM docket_files)
                          + (SELECT count(*) FROM docket_blobs)",
                    &[&meta, &format_key],
                )
                .await?;
            Ok(row.get::<_, i64>(0) == 0)
        })
    }

    /// Removes every record, index entry and file: for a restore that failed part way into a
    /// database that was empty before it. The store format is written again by the next
    /// `connect`.
    pub fn erase_all(&self) -> Result<()> {
        self.with_client("cannot empty the database again", |c| async move {
            c.batch_execute(
                "TRUNCATE docket_kv, docket_files, docket_blob_chunks, docket_blobs;
                 SELECT nextval('docket_generation');",
            )
            .await
        })
    }
}
