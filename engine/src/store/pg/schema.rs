//! The PostgreSQL schema, versioned: `MIGRATIONS` in order, each applied once in a transaction
//! of its own, and `docket_schema.version` saying how many are in. Replicas starting together
//! take turns under a session advisory lock, so each migration runs once; a database whose schema
//! is newer than this docket is refused.
//!
//! **Tables.** `docket_kv` holds every tree (`tree` names the `Tree`, keys and values are the
//! same bytes sled keeps, so a backup moves between the two unchanged); `docket_generation` is a
//! sequence moved on after each batch that wrote something. Uploaded files: `docket_blobs` (one
//! row per write, begun or finished), `docket_blob_chunks` (a blob's bytes, chunk by chunk) and
//! `docket_files` (SHA-256 → the finished blob holding those bytes).
//!
//! **`docket_commit`** (migration 2) applies one batch in one statement, so in one round trip:
//! it takes the advisory lock of every key the batch writes or guards (sorted by the caller),
//! checks the guards (each key's expected value, `NULL` for absent) and answers the first that
//! fails (1-based) without writing, or writes every put and delete and answers 0. Called outside
//! a transaction, the call is its own transaction.

use tokio_postgres::GenericClient;

use crate::{Error, Result};

/// The session advisory lock held while migrating (and checking the store format).
pub(crate) const MIGRATION_LOCK: i64 = 0x646f_636b_6574_0001;

/// Each migration's SQL; the schema version is how many of them a database has.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE docket_kv (
    tree text COLLATE "C" NOT NULL,
    key bytea NOT NULL,
    value bytea NOT NULL,
    PRIMARY KEY (tree, key)
);
CREATE SEQUENCE docket_generation;
CREATE TABLE docket_blobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE docket_blob_chunks (
    blob bigint NOT NULL REFERENCES docket_blobs (id) ON DELETE CASCADE,
    n integer NOT NULL,
    bytes bytea NOT NULL,
    PRIMARY KEY (blob, n)
);
ALTER TABLE docket_blob_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
CREATE TABLE docket_files (
    sha256 text COLLATE "C" PRIMARY KEY,
    blob bigint NOT NULL REFERENCES docket_blobs (id),
    size bigint NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX docket_files_blob ON docket_files (blob);
"#,
    r#"
CREATE FUNCTION docket_commit(
    locks int8[],
    guard_trees text[], guard_keys bytea[], guard_values bytea[],
    put_trees text[], put_keys bytea[], put_values bytea[],
    del_trees text[], del_keys bytea[]
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    failed integer;
BEGIN
    PERFORM pg_advisory_xact_lock(id) FROM unnest(locks) AS id;
    SELECT min(g.i) INTO failed
      FROM unnest(guard_trees, guard_keys, guard_values) WITH ORDINALITY AS g(tree, key, value, i)
      LEFT JOIN docket_kv kv ON kv.tree = g.tree AND kv.key = g.key
     WHERE kv.value IS DISTINCT FROM g.value;
    IF failed IS NOT NULL THEN
        RETURN failed;
    END IF;
    INSERT INTO docket_kv (tree, key, value)
         SELECT * FROM unnest(put_trees, put_keys, put_values)
    ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value;
    DELETE FROM docket_kv kv USING unnest(del_trees, del_keys) AS d(tree, key)
     WHERE kv.tree = d.tree AND kv.key = d.key;
    RETURN 0;
END
$$;
"#,
];

/// The schema version this docket writes.
pub(crate) const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Brings the database's schema up to `SCHEMA_VERSION`; the caller holds `MIGRATION_LOCK`.
/// A table (or view) of the current schema that is not Docket's, if there is one.
pub(super) async fn other_application_table(
    client: &tokio_postgres::Client,
) -> std::result::Result<Option<String>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            r"SELECT c.relname::text FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = current_schema()
                 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                 AND c.relname NOT LIKE 'docket\_%'
               ORDER BY c.relname LIMIT 1",
            &[],
        )
        .await?;
    Ok(row.map(|r| r.get::<_, String>(0)))
}

pub(crate) async fn migrate(client: &mut tokio_postgres::Client, described: &str) -> Result<()> {
    let sql_error = |e| super::bridge::pg_error(described, "cannot prepare the database", e);
    // Asked first rather than `CREATE TABLE IF NOT EXISTS`, whose notice ("already exists,
    // skipping") the client would log at every start; the migration lock keeps this race-free.
    let prepared: bool = client
        .query_one("SELECT to_regclass('docket_schema') IS NOT NULL", &[])
        .await
        .map_err(sql_error)?
        .get(0);
    if !prepared {
        // A database another application already uses is no place for a firm's records.
        if let Some(table) = other_application_table(client).await.map_err(sql_error)? {
            return Err(Error::Storage(format!(
                "the database {described} holds tables of another application (such as {table}); give Docket a database of its own (createdb), nothing was changed"
            )));
        }
        client
            .batch_execute(
                "CREATE TABLE docket_schema (version integer NOT NULL);
                 INSERT INTO docket_schema VALUES (0);",
            )
            .await
            .map_err(sql_error)?;
    }
    let found: i32 = client
        .query_one("SELECT version FROM docket_schema", &[])
        .await
        .map_err(sql_error)?
        .get(0);
    if found > SCHEMA_VERSION {
        return Err(Error::Storage(format!(
            "the database {described} has schema version {found}, newer than this docket reads ({SCHEMA_VERSION}); upgrade docket"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = client.transaction().await.map_err(sql_error)?;
        tx.batch_execute(sql).await.map_err(sql_error)?;
        tx.execute("UPDATE docket_schema SET version = $1", &[&(i as i32 + 1)])
            .await
            .map_err(sql_error)?;
        tx.commit().await.map_err(sql_error)?;
        tracing::info!(
            "PostgreSQL database {described} migrated to schema version {}",
            i + 1
        );
    }
    Ok(())
}

/// Takes (`true`) or releases the migration lock on this session.
pub(crate) async fn lock(client: &impl GenericClient, described: &str, take: bool) -> Result<()> {
    let sql = if take {
        "SELECT pg_advisory_lock($1)"
    } else {
        "SELECT pg_advisory_unlock($1)"
    };
    client
        .execute(sql, &[&MIGRATION_LOCK])
        .await
        .map_err(|e| super::bridge::pg_error(described, "cannot prepare the database", e))?;
    Ok(())
}
