//! What a restore into a PostgreSQL database needs beyond batches: whether the database holds
//! a firm already, or another application's tables (a restore goes only into an empty one), and emptying it again when a restore
//! fails, so a bad backup leaves the database as it was.

use super::PgStore;
use super::bridge::{Bridge, UrlFrom, pg_error_from};
use crate::{Error, Result};

impl PgStore {
    /// Refuses (`Error::Conflict`) the database at `url` if its current schema holds a table (or
    /// view) that is not Docket's: another application's database is no place for a restore,
    /// and this is checked before Docket creates a table of its own, so nothing is changed.
    pub fn refuse_other_tables(url: &str, from: UrlFrom) -> Result<()> {
        let bridge = Bridge::new(url, 2, from)?;
        let (pool, described) = (bridge.pool.clone(), bridge.described.clone());
        bridge.run(async move {
            let client = Bridge::client_from(&pool, &described, from).await?;
            let table = super::schema::other_application_table(&client)
                .await
                .map_err(|e| pg_error_from(&described, "cannot read the database", e, from))?;
            match table {
                None => Ok(()),
                Some(table) => Err(Error::Conflict(format!(
                    "the database {described} holds tables of another application (such as {table}); restore only into an empty database (nothing was changed)"
                ))),
            }
        })
    }

    /// Whether Docket's tables are in the database at `url` (a firm was started or restored
    /// there), asked without creating them.
    pub fn prepared(url: &str, from: UrlFrom) -> Result<bool> {
        let bridge = Bridge::new(url, 2, from)?;
        let (pool, described) = (bridge.pool.clone(), bridge.described.clone());
        bridge.run(async move {
            let client = Bridge::client_from(&pool, &described, from).await?;
            let row = client
                .query_one("SELECT to_regclass('docket_schema') IS NOT NULL", &[])
                .await
                .map_err(|e| pg_error_from(&described, "cannot read the database", e, from))?;
            Ok(row.get::<_, bool>(0))
        })
    }

    /// Takes Docket's tables, sequence and function out of the database: for a restore that
    /// failed part way into a database that held none of them before it.
    pub fn drop_all(&self) -> Result<()> {
        self.with_client("cannot empty the database again", |c| async move {
            c.batch_execute(
                "DROP FUNCTION IF EXISTS docket_commit;
                 DROP TABLE IF EXISTS docket_kv, docket_files, docket_blob_chunks, docket_blobs, docket_schema;
                 DROP SEQUENCE IF EXISTS docket_generation;",
            )
            .await
        })
    }

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
