//! [`PgStore`]: record logs in a PostgreSQL database, shared by several engine processes.
//!
//! Each engine writes its own named log (`?log=<name>` in the URL, `default` when absent). An
//! engine holds a session advisory lock on its log for as long as its store lives, so a second
//! engine opening the same log is refused with a message naming the holder, while engines on
//! different logs share the database. The lock goes with the connection: an engine whose
//! connection dropped (or whose process was killed) has released its log, and its store fails
//! every later call, so it must be reopened.
//!
//! An append is one statement (insert the entries as one packed batch row, see
//! [`format`](super::format), and set the key counter), so it commits atomically; with
//! PostgreSQL's default `synchronous_commit = on` it is durable when it returns. A batch of
//! commands ([`EngineCore::begin_batch`](crate::EngineCore::begin_batch)) is one append. The
//! schema comes from `engine/migrations/postgres/`.

mod errors;
mod index;
mod location;

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgConnection;
use sqlx::{ConnectOptions, Row};

use super::connection_thread::ConnectionThread;
use super::format::pack_batch;
use super::instance_index::PendingMarks;
use super::{
    EncodedEntry, IndexLookup, InstanceOverview, RECORD_FORMAT_VERSION, RecordStore, Snapshot, StoreError, StoredBatch,
    StoredLog,
};
pub use location::DEFAULT_LOG;
use location::PgLocation;

/// The schema, from `engine/migrations/postgres/`, built into the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long opening waits for the server to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// One engine's record log in a PostgreSQL database. Dropping it closes the connection, which
/// releases the log for another engine.
pub struct PgStore {
    location: Arc<PgLocation>,
    /// The position the next appended entry gets (only this store writes the log).
    next_position: i64,
    connection: ConnectionThread<PgConnection>,
    /// True for a reader: it appends nothing.
    read_only: bool,
    /// The instance index's marks of what was appended since it was last written.
    pending: PendingMarks,
    /// A write of the index failed (the log is unharmed): it stays where it was, readers add the
    /// longer log after it, and the next engine that opens the log catches it up.
    index_stopped: bool,
}

/// How a store uses its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// The engine's: migrates the schema, takes the log's lock, appends.
    Engine,
    /// A reader's: the log must exist; nothing is locked or written.
    ReadOnly,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("url", &self.location.redacted).field("log", &self.location.log).finish()
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database?log=<name>`), applies the
    /// schema migrations, takes the log's lock and creates the log if it is new.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        Self::start(url, Access::Engine)
    }

    /// Connects to `url` to read its log beside the engine that may be writing it: takes no
    /// lock, migrates and creates nothing, refuses every write. A log that does not exist (a
    /// mistyped `?log=`) is an error when it is read.
    pub fn open_read_only(url: &str) -> Result<Self, StoreError> {
        Self::start(url, Access::ReadOnly)
    }

    fn start(url: &str, access: Access) -> Result<Self, StoreError> {
        let location = Arc::new(PgLocation::parse(url)?);
        let error = |message| StoreError::new(location.redacted.clone(), message);
        let at = location.clone();
        let connection =
            ConnectionThread::start("engine-postgres-store", move || connect(at, access)).map_err(error)?;
        let at = location.clone();
        let last = connection
            .call(move |c| Box::pin(async move { last_position(c, &at).await.map_err(|e| errors::describe(&e, &at)) }))
            .map_err(error)?;
        Ok(Self {
            location,
            next_position: last + 1,
            connection,
            read_only: access == Access::ReadOnly,
            pending: PendingMarks::default(),
            index_stopped: false,
        })
    }

    /// The failure of a write through a reader.
    fn refuse_write(&self) -> Result<(), StoreError> {
        if self.read_only {
            return Err(self.error("this store was opened to read only; open it as an engine to write".into()));
        }
        Ok(())
    }

    /// The name of the log this store reads and appends.
    pub fn log(&self) -> &str {
        &self.location.log
    }

    fn error(&self, message: String) -> StoreError {
        StoreError::new(self.location.redacted.clone(), message)
    }
}

impl RecordStore for PgStore {
    fn append(&mut self, entries: &[EncodedEntry], key_counter: i64) -> Result<(), StoreError> {
        self.refuse_write()?;
        let at = self.location.clone();
        let first = self.next_position;
        let count = i64::try_from(entries.len()).map_err(|e| self.error(format!("batch too large: {e}")))?;
        let batch = (count > 0).then(|| pack_batch(entries));
        self.connection
            .call(move |c| Box::pin(async move { append(c, &at, first, count, batch, key_counter).await }))
            .map_err(|message| self.error(message))?;
        self.next_position += count;
        if !self.index_stopped {
            self.pending.appended(first, entries);
            if self.pending.len() >= index::FLUSH_AT {
                self.write_index();
            }
        }
        Ok(())
    }

    fn read_log(&mut self, after: i64) -> Result<StoredLog, StoreError> {
        self.read_log_between(after, i64::MAX)
    }

    fn read_log_between(&mut self, after: i64, through: i64) -> Result<StoredLog, StoreError> {
        let at = self.location.clone();
        self.connection
            .call(move |c| Box::pin(async move { read_log(c, &at, after, through).await }))
            .map_err(|message| self.error(message))
    }

    /// Keeps the two newest snapshots of the log.
    fn save_snapshot(&mut self, snapshot: Snapshot) -> Result<(), StoreError> {
        self.refuse_write()?;
        self.write_index();
        let at = self.location.clone();
        self.connection
            .call(move |c| Box::pin(async move { save_snapshot(c, &at, &snapshot).await }))
            .map_err(|message| self.error(message))
    }

    fn snapshots(&mut self) -> Result<Vec<Snapshot>, StoreError> {
        let at = self.location.clone();
        self.connection
            .call(move |c| Box::pin(async move { snapshots(c, &at).await }))
            .map_err(|message| self.error(message))
    }

    fn batches(&mut self, from: i64, through: i64, limit: usize) -> Result<Vec<StoredBatch>, StoreError> {
        let at = self.location.clone();
        self.connection
            .call(move |c| Box::pin(async move { batches(c, &at, from, through, limit).await }))
            .map_err(|message| self.error(message))
    }

    fn rewrite_batches(&mut self, batches: Vec<StoredBatch>, pruned_through: i64) -> Result<(), StoreError> {
        self.refuse_write()?;
        let at = self.location.clone();
        self.connection
            .call(move |c| Box::pin(async move { rewrite_batches(c, &at, &batches, pruned_through).await }))
            .map_err(|message| self.error(message))
    }

    fn forget_instances(&mut self, keys: Vec<i64>) -> Result<(), StoreError> {
        self.refuse_write()?;
        // The rows to delete must be written first, or a later write would bring back part of them.
        self.write_index();
        let at = self.location.clone();
        self.connection
            .call(move |c| Box::pin(async move { index::forget(c, &at, keys).await }))
            .map_err(|message| self.error(message))
    }

    fn instance_overview(&mut self, newest_ended: usize) -> Result<Option<InstanceOverview>, StoreError> {
        let at = self.location.clone();
        self.connection
            .call(move |c| Box::pin(async move { index::overview(c, &at, newest_ended).await }))
            .map_err(|message| self.error(message))
    }

    fn indexed_instance(&mut self, key: i64) -> Result<IndexLookup, StoreError> {
        let at = self.location.clone();
        self.connection
            .call(move |c| Box::pin(async move { index::lookup(c, &at, key).await }))
            .map_err(|message| self.error(message))
    }

    fn location(&self) -> &str {
        &self.location.redacted
    }
}

impl PgStore {
    /// Writes the instance index's gathered marks; a failure stops the index where it was.
    fn write_index(&mut self) {
        let Some((marks, through)) = self.pending.take() else { return };
        let at = self.location.clone();
        let written =
            self.connection.call(move |c| Box::pin(async move { index::flush(c, &at, marks, through).await }));
        self.index_stopped = written.is_err();
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.write_index();
    }
}

async fn connect(at: Arc<PgLocation>, access: Access) -> Result<PgConnection, String> {
    let mut connection = tokio::time::timeout(CONNECT_TIMEOUT, at.options.connect())
        .await
        .map_err(|_| errors::no_answer(&at, CONNECT_TIMEOUT))?
        .map_err(|e| errors::describe(&e, &at))?;
    if access == Access::ReadOnly {
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM engine_meta WHERE log = $1")
            .bind(&at.log)
            .fetch_optional(&mut connection)
            .await
            .map_err(|e| errors::describe(&e, &at))?;
        return match exists {
            Some(_) => Ok(connection),
            None => Err(format!(
                "no log '{}' in this database; check ?log= in the URL (an engine creates its log when it first runs)",
                at.log
            )),
        };
    }
    MIGRATOR.run(&mut connection).await.map_err(|e| errors::migration_failed(e, &at))?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(at.lock_key())
        .fetch_one(&mut connection)
        .await
        .map_err(|e| errors::describe(&e, &at))?;
    if !locked {
        return Err(refusal(&mut connection, &at).await);
    }
    // A log without records is new: give it its meta row. A log with records but no meta row is
    // damaged, and reading it says so (a fresh key counter would hand out used keys again).
    sqlx::query(
        "INSERT INTO engine_meta (log, format_version, key_counter) SELECT $1, $2, 0 \
         WHERE NOT EXISTS (SELECT 1 FROM log_batch WHERE log = $1) \
           AND NOT EXISTS (SELECT 1 FROM record_log WHERE log = $1) ON CONFLICT (log) DO NOTHING",
    )
    .bind(&at.log)
    .bind(RECORD_FORMAT_VERSION)
    .execute(&mut connection)
    .await
    .map_err(|e| errors::describe(&e, &at))?;
    // The index is not the log: if catching it up fails (a batch that does not decode), it stays
    // behind, readers add the log after it, and opening goes on to say what is wrong with the log.
    let _ = index::catch_up(&mut connection, &at).await;
    Ok(connection)
}

/// Why the log's lock was not granted, naming the engine that holds it.
async fn refusal(connection: &mut PgConnection, at: &PgLocation) -> String {
    let holder = sqlx::query(
        "SELECT a.pid, coalesce(a.application_name, '') AS name, coalesce(host(a.client_addr), 'a local socket') AS addr, \
                to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS since \
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND l.classid = (($1::bigint >> 32) & 4294967295)::oid AND l.objid = ($1::bigint & 4294967295)::oid",
    )
    .bind(at.lock_key())
    .fetch_optional(connection)
    .await;
    let holder = match holder {
        Ok(Some(row)) => {
            let field = |name: &str| row.try_get::<String, _>(name).unwrap_or_default();
            let pid = row.try_get::<i32, _>("pid").map(|pid| pid.to_string()).unwrap_or_default();
            format!(
                "'{}', server process {pid}, connected from {} since {}",
                field("name"),
                field("addr"),
                field("since")
            )
        }
        Ok(None) => "it could not be identified; it may have just let go, so try again".into(),
        Err(e) => format!("it could not be identified: {e}"),
    };
    format!(
        "log '{}' is held by another engine ({holder}); only one engine may write a log at a time: stop that engine, or give this one a log of its own with ?log=<name> in the URL",
        at.log
    )
}

async fn last_position(connection: &mut PgConnection, at: &PgLocation) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT coalesce(max(first_position + entry_count) - 1, 0) FROM log_batch WHERE log = $1")
        .bind(&at.log)
        .fetch_one(connection)
        .await
}

async fn append(
    connection: &mut PgConnection,
    at: &PgLocation,
    first: i64,
    count: i64,
    batch: Option<Vec<u8>>,
    key_counter: i64,
) -> Result<(), String> {
    let updated = sqlx::query(
        "WITH appended AS ( \
           INSERT INTO log_batch (log, first_position, entry_count, entries) \
           SELECT $1, $2, $3, $4 WHERE $4::bytea IS NOT NULL) \
         UPDATE engine_meta SET key_counter = $5 WHERE log = $1",
    )
    .bind(&at.log)
    .bind(first)
    .bind(count)
    .bind(batch)
    .bind(key_counter)
    .execute(connection)
    .await
    .map_err(|e| errors::describe(&e, at))?;
    if updated.rows_affected() == 1 { Ok(()) } else { Err(missing_meta(at)) }
}

/// The entries after `after` and at or before `through`, with the log's meta.
async fn read_log(
    connection: &mut PgConnection,
    at: &PgLocation,
    after: i64,
    through: i64,
) -> Result<StoredLog, String> {
    let describe = |e: sqlx::Error| errors::describe(&e, at);
    let meta = sqlx::query("SELECT format_version, key_counter, pruned_through FROM engine_meta WHERE log = $1")
        .bind(&at.log)
        .fetch_optional(&mut *connection)
        .await
        .map_err(describe)?
        .ok_or_else(|| missing_meta(at))?;
    let rows = sqlx::query(
        "SELECT first_position, entry_count, entries FROM log_batch \
         WHERE log = $1 AND first_position <= $3 AND first_position >= \
           (SELECT COALESCE(MAX(first_position), 0) FROM log_batch WHERE log = $1 AND first_position <= $2) \
         ORDER BY first_position",
    )
    .bind(&at.log)
    .bind(after.saturating_add(1))
    .bind(through)
    .fetch_all(&mut *connection)
    .await
    .map_err(describe)?;
    let mut batches = Vec::with_capacity(rows.len());
    for row in &rows {
        let first: i64 = row.try_get("first_position").map_err(describe)?;
        let count: i64 = row.try_get("entry_count").map_err(describe)?;
        let bytes: Vec<u8> = row.try_get("entries").map_err(describe)?;
        batches.push((first, count, bytes));
    }
    Ok(StoredLog {
        format_version: meta.try_get("format_version").map_err(describe)?,
        key_counter: meta.try_get("key_counter").map_err(describe)?,
        entries: super::format::entries_after(after, batches)?.into_iter().filter(|e| e.position <= through).collect(),
        pruned_through: meta.try_get("pruned_through").map_err(describe)?,
    })
}

async fn save_snapshot(connection: &mut PgConnection, at: &PgLocation, snapshot: &Snapshot) -> Result<(), String> {
    sqlx::query(
        "WITH saved AS ( \
           INSERT INTO snapshot (log, position, key_counter, state) VALUES ($1, $2, $3, $4) \
           ON CONFLICT (log, position) DO UPDATE SET key_counter = $3, state = $4) \
         DELETE FROM snapshot WHERE log = $1 AND position < $2 AND position NOT IN \
           (SELECT position FROM snapshot WHERE log = $1 AND position < $2 ORDER BY position DESC LIMIT 1)",
    )
    .bind(&at.log)
    .bind(snapshot.position)
    .bind(snapshot.key_counter)
    .bind(&snapshot.state)
    .execute(connection)
    .await
    .map(|_| ())
    .map_err(|e| errors::describe(&e, at))
}

async fn snapshots(connection: &mut PgConnection, at: &PgLocation) -> Result<Vec<Snapshot>, String> {
    let describe = |e: sqlx::Error| errors::describe(&e, at);
    let rows = sqlx::query("SELECT position, key_counter, state FROM snapshot WHERE log = $1 ORDER BY position DESC")
        .bind(&at.log)
        .fetch_all(connection)
        .await
        .map_err(describe)?;
    rows.iter().map(Snapshot::from_row).collect::<sqlx::Result<Vec<_>>>().map_err(describe)
}

async fn batches(
    connection: &mut PgConnection,
    at: &PgLocation,
    from: i64,
    through: i64,
    limit: usize,
) -> Result<Vec<StoredBatch>, String> {
    let describe = |e: sqlx::Error| errors::describe(&e, at);
    let rows: Vec<(i64, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT first_position, entry_count, entries FROM log_batch \
         WHERE log = $1 AND first_position >= $2 AND first_position + entry_count - 1 <= $3 \
         ORDER BY first_position LIMIT $4",
    )
    .bind(&at.log)
    .bind(from)
    .bind(through)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(connection)
    .await
    .map_err(describe)?;
    Ok(rows.into_iter().map(StoredBatch::from).collect())
}

async fn rewrite_batches(
    connection: &mut PgConnection,
    at: &PgLocation,
    batches: &[StoredBatch],
    pruned_through: i64,
) -> Result<(), String> {
    let describe = |e: sqlx::Error| errors::describe(&e, at);
    let firsts: Vec<i64> = batches.iter().map(|b| b.first_position).collect();
    let counts: Vec<i64> = batches.iter().map(|b| b.entry_count).collect();
    let bytes: Vec<&[u8]> = batches.iter().map(|b| b.bytes.as_slice()).collect();
    sqlx::query(
        "WITH marked AS ( \
           UPDATE engine_meta SET pruned_through = greatest(pruned_through, $2) WHERE log = $1) \
         UPDATE log_batch SET entries = rewritten.entries \
         FROM unnest($3::bigint[], $4::bigint[], $5::bytea[]) AS rewritten(first_position, entry_count, entries) \
         WHERE log_batch.log = $1 AND log_batch.first_position = rewritten.first_position \
           AND log_batch.entry_count = rewritten.entry_count",
    )
    .bind(&at.log)
    .bind(pruned_through)
    .bind(firsts)
    .bind(counts)
    .bind(bytes)
    .execute(connection)
    .await
    .map(drop)
    .map_err(describe)
}

fn missing_meta(at: &PgLocation) -> String {
    format!(
        "the table engine_meta has no row for log '{}', so the log is not a complete record store; restore the database from a backup, or use another log name",
        at.log
    )
}
