//! [`SqliteStore`]: the record log in a SQLite file, through `sqlx`.
//!
//! The file is in WAL mode with `synchronous=FULL`: a commit returns only after the WAL is
//! synced, which is what makes an acknowledged command durable even on power loss (`NORMAL`
//! would only protect against a crash of the process). The file is shared: other connections
//! (readers opened with [`SqliteStore::open_read_only`], the persona registry) read and write
//! beside the engine, each waiting up to a busy timeout for SQLite's write lock instead of
//! failing with "database is locked". Only one engine may append to the log: opening a store
//! for an engine takes its [`Owner`] lock, so a second engine opening the same file, in this
//! process or another, is refused (naming the holder's process) until the first one is dropped.
//!
//! `sqlx` is async, the engine core is not: the connection lives on a thread of its own with a
//! single-threaded tokio runtime, and the store talks to it over channels. That keeps the store
//! usable from inside a tokio runtime (where blocking on a nested runtime would panic).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Weak, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteLockingMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row};

mod index;

use super::format::{entries_after, pack_batch};
use super::owner::Owner;
use super::{
    Commit, EncodedEntry, IndexLookup, InstanceOverview, RecordStore, Snapshot, StoreError, StoredBatch, StoredLog,
};

/// The schema, from `engine/migrations/`, built into the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a statement waits for another connection (a reader, the persona registry) to
/// release SQLite's write lock before it fails.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Work for the connection thread.
enum Request {
    Append { entries: Vec<EncodedEntry>, key_counter: i64, commit: Commit },
    ReadLog { after: i64, through: i64, reply: mpsc::Sender<Result<StoredLog, String>> },
    SaveSnapshot { snapshot: Snapshot, reply: mpsc::Sender<Result<(), String>> },
    Snapshots { reply: mpsc::Sender<Result<Vec<Snapshot>, String>> },
    Batches { from: i64, through: i64, limit: usize, reply: mpsc::Sender<Result<Vec<StoredBatch>, String>> },
    RewriteBatches { batches: Vec<StoredBatch>, pruned_through: i64, reply: mpsc::Sender<Result<(), String>> },
    ForgetInstances { keys: Vec<i64>, reply: mpsc::Sender<Result<(), String>> },
    Overview { newest_ended: usize, reply: mpsc::Sender<Result<Option<InstanceOverview>, String>> },
    Lookup { key: i64, reply: mpsc::Sender<Result<IndexLookup, String>> },
    Lend(LentJob),
}

/// Work that runs on the store's own connection, between the engine's writes (see
/// [`SharedConnection`]).
pub type LentJob =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> Pin<Box<dyn Future<Output = ()> + Send + 'c>> + Send>;

/// A handle that runs work on a [`SqliteStore`]'s connection, for code in the same process that
/// keeps its own tables in the engine's file (the persona registry): the store holds the file
/// to itself (exclusive locking), so a second connection would be refused.
///
/// A lent job has the connection to itself while it runs, and the engine's appends queue behind
/// it, so it should be short and must not wait for the engine. The handle does not keep the
/// store open: once the store is dropped, [`run`](Self::run) fails.
#[derive(Clone)]
pub struct SharedConnection {
    requests: Weak<mpsc::Sender<Request>>,
    location: String,
}

impl std::fmt::Debug for SharedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedConnection").field("location", &self.location).finish()
    }
}

impl SharedConnection {
    /// Queues `job` to run on the connection after the work already queued; it sends its own
    /// answer (through a channel it captured). Fails when the store has been dropped.
    pub fn run(&self, job: LentJob) -> Result<(), StoreError> {
        let sent = self.requests.upgrade().is_some_and(|requests| requests.send(Request::Lend(job)).is_ok());
        if sent {
            Ok(())
        } else {
            Err(StoreError::new(&self.location, "the engine's store is closed; reopen the engine"))
        }
    }

    /// The store's file, for messages.
    pub fn location(&self) -> &str {
        &self.location
    }
}

/// How a store uses its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// The engine's: creates and migrates the file, appends; holds the [`Owner`] lock.
    Engine,
    /// A reader's: the file must exist; nothing is written.
    ReadOnly,
}

/// A record log in one SQLite file. Dropping it closes the file (and releases it for others).
pub struct SqliteStore {
    path: PathBuf,
    location: String,
    requests: Option<Arc<mpsc::Sender<Request>>>,
    worker: Option<JoinHandle<()>>,
    /// Held by an engine's store, released after its connection closed.
    owner: Option<Owner>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

impl SqliteStore {
    /// Opens (or creates) the record log at `path` for an engine: takes the store's owner
    /// lock for as long as the store lives (a second engine is refused, naming this process)
    /// and applies the schema migrations. The folder must exist.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty() && !f.is_dir()) {
            return Err(StoreError::at_path(
                path,
                format!("the folder {} does not exist; check the path or create the folder", folder.display()),
            ));
        }
        let owner = Owner::claim(path).map_err(|message| StoreError::at_path(path, message))?;
        Self::start(path, Access::Engine, Some(owner))
    }

    /// Opens the existing record log at `path` to read it, beside an engine that may be
    /// running on it: takes no lock, creates and migrates nothing, and refuses every append.
    /// A missing file is an error (a mistyped path is not an empty store).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(StoreError::at_path(
                path,
                "no record store at this path; check the path (an engine creates the store when it first runs)",
            ));
        }
        Self::start(path, Access::ReadOnly, None)
    }

    fn start(path: &Path, access: Access, owner: Option<Owner>) -> Result<Self, StoreError> {
        let path = path.to_path_buf();
        let (requests, inbox) = mpsc::channel();
        let (ready, opened) = mpsc::channel();
        let thread_path = path.clone();
        let worker = std::thread::Builder::new()
            .name("engine-sqlite-store".into())
            .spawn(move || serve(&thread_path, access, &ready, &inbox))
            .map_err(|e| StoreError::at_path(&path, format!("cannot start the store thread: {e}")))?;
        let store = Self {
            location: path.display().to_string(),
            path,
            requests: Some(Arc::new(requests)),
            worker: Some(worker),
            owner,
        };
        match opened.recv() {
            Ok(Ok(())) => Ok(store),
            Ok(Err(message)) => Err(store.error(message)),
            Err(_) => Err(store.error("the store thread ended while opening the file".into())),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A handle that runs work on this store's connection ([`SharedConnection`]).
    pub fn shared_connection(&self) -> SharedConnection {
        let requests = self.requests.as_ref().map_or_else(Weak::new, Arc::downgrade);
        SharedConnection { requests, location: self.location.clone() }
    }

    fn error(&self, message: String) -> StoreError {
        StoreError::at_path(&self.path, message)
    }

    /// Sends a request and waits for its answer.
    fn call<T>(&self, request: impl FnOnce(mpsc::Sender<Result<T, String>>) -> Request) -> Result<T, StoreError> {
        let (reply, answer) = mpsc::channel();
        let sent = self.requests.as_ref().is_some_and(|requests| requests.send(request(reply)).is_ok());
        if !sent {
            return Err(self.error("the store thread has stopped; reopen the engine".into()));
        }
        match answer.recv() {
            Ok(result) => result.map_err(|message| self.error(message)),
            Err(_) => Err(self.error("the store thread stopped before answering; reopen the engine".into())),
        }
    }
}

impl RecordStore for SqliteStore {
    fn append(&mut self, entries: &[EncodedEntry], key_counter: i64) -> Result<(), StoreError> {
        self.submit(entries.to_vec(), key_counter).wait()
    }

    /// Hands the entries to the connection thread and returns at once. The thread takes every
    /// append queued while it was busy into one transaction (group commit) and finishes their
    /// commits after it; after a failed one it refuses every later append.
    fn submit(&mut self, entries: Vec<EncodedEntry>, key_counter: i64) -> Commit {
        let commit = Commit::pending();
        let request = Request::Append { entries, key_counter, commit: commit.clone() };
        let sent = self.requests.as_ref().is_some_and(|requests| requests.send(request).is_ok());
        if !sent {
            commit.finish(Err(self.error("the store thread has stopped; reopen the engine".into())));
        }
        commit
    }

    fn read_log(&mut self, after: i64) -> Result<StoredLog, StoreError> {
        self.call(|reply| Request::ReadLog { after, through: i64::MAX, reply })
    }

    fn read_log_between(&mut self, after: i64, through: i64) -> Result<StoredLog, StoreError> {
        self.call(|reply| Request::ReadLog { after, through, reply })
    }

    /// Keeps the two newest snapshots (the older one in case the newer is damaged).
    fn save_snapshot(&mut self, snapshot: Snapshot) -> Result<(), StoreError> {
        self.call(|reply| Request::SaveSnapshot { snapshot, reply })
    }

    fn snapshots(&mut self) -> Result<Vec<Snapshot>, StoreError> {
        self.call(|reply| Request::Snapshots { reply })
    }

    fn batches(&mut self, from: i64, through: i64, limit: usize) -> Result<Vec<StoredBatch>, StoreError> {
        self.call(|reply| Request::Batches { from, through, limit, reply })
    }

    fn rewrite_batches(&mut self, batches: Vec<StoredBatch>, pruned_through: i64) -> Result<(), StoreError> {
        self.call(|reply| Request::RewriteBatches { batches, pruned_through, reply })
    }

    fn forget_instances(&mut self, keys: Vec<i64>) -> Result<(), StoreError> {
        self.call(|reply| Request::ForgetInstances { keys, reply })
    }

    fn instance_overview(&mut self, newest_ended: usize) -> Result<Option<InstanceOverview>, StoreError> {
        self.call(|reply| Request::Overview { newest_ended, reply })
    }

    fn indexed_instance(&mut self, key: i64) -> Result<IndexLookup, StoreError> {
        self.call(|reply| Request::Lookup { key, reply })
    }

    fn location(&self) -> &str {
        &self.location
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the channel ends the thread, which closes the connection; then the owner
        // lock goes, so the next engine finds the file closed.
        self.requests = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        self.owner = None;
    }
}

/// The connection thread: opens the file, reports, then serves requests until the store drops.
fn serve(path: &Path, access: Access, ready: &mpsc::Sender<Result<(), String>>, inbox: &mpsc::Receiver<Request>) {
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(format!("cannot start the store's runtime: {e}")));
            return;
        }
    };
    runtime.block_on(async {
        let mut connection = match connect(path, access).await {
            Ok(connection) => connection,
            Err(message) => {
                let _ = ready.send(Err(message));
                return;
            }
        };
        let mut writer = match GroupWriter::new(path, &mut connection).await {
            Ok(mut writer) => {
                if access == Access::ReadOnly {
                    writer.failure =
                        Some("this store was opened read-only; open it as an engine's store to write".into());
                }
                writer
            }
            Err(message) => {
                let _ = ready.send(Err(message));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        let mut next = inbox.recv().ok();
        while let Some(request) = next.take() {
            match request {
                Request::Append { entries, key_counter, commit } => {
                    let mut group = vec![(entries, commit)];
                    let mut last_counter = key_counter;
                    // Everything queued while the last commit ran joins this one.
                    loop {
                        match inbox.try_recv() {
                            Ok(Request::Append { entries, key_counter, commit }) => {
                                group.push((entries, commit));
                                last_counter = key_counter;
                            }
                            Ok(other) => {
                                next = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    writer.write(&mut connection, group, last_counter).await;
                }
                Request::ReadLog { after, through, reply } => {
                    let _ = reply.send(read_log(&mut connection, after, through).await);
                }
                Request::SaveSnapshot { snapshot, reply } => {
                    let result = match &writer.failure {
                        Some(message) => Err(message.clone()),
                        None => save_snapshot(&mut connection, &snapshot).await.map_err(|e| describe(&e)),
                    };
                    let _ = reply.send(result);
                }
                Request::Snapshots { reply } => {
                    let _ = reply.send(snapshots(&mut connection).await.map_err(|e| describe(&e)));
                }
                Request::Batches { from, through, limit, reply } => {
                    let _ = reply.send(batches(&mut connection, from, through, limit).await.map_err(|e| describe(&e)));
                }
                Request::RewriteBatches { batches, pruned_through, reply } => {
                    let result = match &writer.failure {
                        Some(message) => Err(message.clone()),
                        None => {
                            rewrite_batches(&mut connection, &batches, pruned_through).await.map_err(|e| describe(&e))
                        }
                    };
                    let _ = reply.send(result);
                }
                Request::ForgetInstances { keys, reply } => {
                    let result = match &writer.failure {
                        Some(message) => Err(message.clone()),
                        None => {
                            // The rows to delete must be written first, or a later write would
                            // bring back part of them.
                            writer.index.flush(&mut connection).await;
                            index::forget(&mut connection, &keys).await.map_err(|e| describe(&e))
                        }
                    };
                    let _ = reply.send(result);
                }
                Request::Overview { newest_ended, reply } => {
                    let _ = reply.send(index::overview(&mut connection, newest_ended).await);
                }
                Request::Lookup { key, reply } => {
                    let _ = reply.send(index::lookup(&mut connection, key).await);
                }
                Request::Lend(job) => job(&mut connection).await,
            }
            if writer.index.is_full() {
                writer.index.flush(&mut connection).await;
            }
            if next.is_none() {
                // Idle: the instance index is written now, off the commit path.
                next = match inbox.try_recv() {
                    Ok(request) => Some(request),
                    Err(_) => {
                        writer.index.flush(&mut connection).await;
                        inbox.recv().ok()
                    }
                };
            }
        }
        writer.index.flush(&mut connection).await;
        let _ = connection.close().await;
    });
}

/// Writes groups of appends, each as one batch row in one transaction, and refuses everything
/// after a failure (the engine's memory is then ahead of the file).
struct GroupWriter<'a> {
    path: &'a Path,
    /// The position the next entry gets.
    next_position: i64,
    failure: Option<String>,
    /// The instance index's marks of what was appended since it was last written.
    index: index::PendingIndex,
}

impl<'a> GroupWriter<'a> {
    async fn new(path: &'a Path, connection: &mut SqliteConnection) -> Result<Self, String> {
        let next_position: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(first_position + entry_count), 1) FROM log_batch")
                .fetch_one(&mut *connection)
                .await
                .map_err(|e| describe(&e))?;
        Ok(Self { path, next_position, failure: None, index: index::PendingIndex::default() })
    }

    async fn write(
        &mut self,
        connection: &mut SqliteConnection,
        group: Vec<(Vec<EncodedEntry>, Commit)>,
        key_counter: i64,
    ) {
        if self.failure.is_none() {
            let entries: Vec<&EncodedEntry> = group.iter().flat_map(|(entries, _)| entries).collect();
            match append(connection, self.next_position, &entries, key_counter).await {
                Ok(()) => {
                    self.index.appended(self.next_position, &entries);
                    self.next_position += entries.len() as i64;
                }
                Err(e) => self.failure = Some(describe(&e)),
            }
        }
        for (_, commit) in group {
            commit.finish(match &self.failure {
                None => Ok(()),
                Some(message) => Err(StoreError::at_path(self.path, message.clone())),
            });
        }
    }
}

async fn connect(path: &Path, access: Access) -> Result<SqliteConnection, String> {
    let options = SqliteConnectOptions::new().filename(path).busy_timeout(LOCK_WAIT);
    if access == Access::ReadOnly {
        // The journal mode is the file's (the engine set WAL); a reader leaves it alone.
        return options.read_only(true).connect().await.map_err(|e| describe(&e));
    }
    let options = options
        .create_if_missing(true)
        .locking_mode(SqliteLockingMode::Normal)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let mut connection = options.connect().await.map_err(|e| describe(&e))?;
    MIGRATOR.run(&mut connection).await.map_err(|e| match e {
        sqlx::migrate::MigrateError::Execute(e) => describe(&e),
        sqlx::migrate::MigrateError::VersionMissing(version) => format!(
            "the file's schema has migration {version}, which this engine does not know: it was written by a newer engine; open it with that engine"
        ),
        other => format!("cannot prepare the file's schema ({other}); restore the file from a backup, or move it away to start an empty engine"),
    })?;
    // The index is not the log: if catching it up fails (a batch that does not decode), it stays
    // behind, readers add the log after it, and opening goes on to say what is wrong with the log.
    let _ = index::catch_up(&mut connection).await;
    Ok(connection)
}

/// Appends the entries as one batch row starting at `first_position`, and the key counter, in
/// one transaction.
async fn append(
    connection: &mut SqliteConnection,
    first_position: i64,
    entries: &[&EncodedEntry],
    key_counter: i64,
) -> sqlx::Result<()> {
    let mut transaction = connection.begin().await?;
    if !entries.is_empty() {
        sqlx::query("INSERT INTO log_batch (first_position, entry_count, entries) VALUES (?, ?, ?)")
            .bind(first_position)
            .bind(entries.len() as i64)
            .bind(pack_batch(entries.iter().copied()))
            .execute(&mut *transaction)
            .await?;
    }
    sqlx::query("UPDATE engine_meta SET key_counter = ? WHERE id = 1")
        .bind(key_counter)
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await
}

/// The entries after `after` and at or before `through`, with the log's meta.
async fn read_log(connection: &mut SqliteConnection, after: i64, through: i64) -> Result<StoredLog, String> {
    let meta = sqlx::query("SELECT format_version, key_counter, pruned_through FROM engine_meta WHERE id = 1")
        .fetch_optional(&mut *connection)
        .await
        .map_err(|e| describe(&e))?;
    let Some(meta) = meta else {
        return Err(
            "the table engine_meta has no row, so the file is not a complete record store; restore it from a backup, or move it away to start an empty engine"
                .into(),
        );
    };
    let rows = sqlx::query(
        "SELECT first_position, entry_count, entries FROM log_batch \
         WHERE first_position >= (SELECT COALESCE(MAX(first_position), 0) FROM log_batch WHERE first_position <= ?) \
           AND first_position <= ? ORDER BY first_position",
    )
    .bind(after.saturating_add(1))
    .bind(through)
    .fetch_all(&mut *connection)
    .await
    .map_err(|e| describe(&e))?;
    let mut batches = Vec::with_capacity(rows.len());
    for row in &rows {
        let first: i64 = row.try_get("first_position").map_err(|e| describe(&e))?;
        let count: i64 = row.try_get("entry_count").map_err(|e| describe(&e))?;
        let bytes: Vec<u8> = row.try_get("entries").map_err(|e| describe(&e))?;
        batches.push((first, count, bytes));
    }
    let mut entries = entries_after(after, batches)?;
    entries.retain(|entry| entry.position <= through);
    Ok(StoredLog {
        format_version: meta.try_get("format_version").map_err(|e| describe(&e))?,
        key_counter: meta.try_get("key_counter").map_err(|e| describe(&e))?,
        entries,
        pruned_through: meta.try_get("pruned_through").map_err(|e| describe(&e))?,
    })
}

/// How many snapshots a store keeps.
const SNAPSHOTS_KEPT: i64 = 2;

async fn save_snapshot(connection: &mut SqliteConnection, snapshot: &Snapshot) -> sqlx::Result<()> {
    let mut transaction = connection.begin().await?;
    sqlx::query("INSERT OR REPLACE INTO snapshot (position, key_counter, state) VALUES (?, ?, ?)")
        .bind(snapshot.position)
        .bind(snapshot.key_counter)
        .bind(&snapshot.state)
        .execute(&mut *transaction)
        .await?;
    sqlx::query(
        "DELETE FROM snapshot WHERE position NOT IN (SELECT position FROM snapshot ORDER BY position DESC LIMIT ?)",
    )
    .bind(SNAPSHOTS_KEPT)
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await
}

async fn snapshots(connection: &mut SqliteConnection) -> sqlx::Result<Vec<Snapshot>> {
    let rows = sqlx::query("SELECT position, key_counter, state FROM snapshot ORDER BY position DESC")
        .fetch_all(&mut *connection)
        .await?;
    rows.iter().map(Snapshot::from_row).collect()
}

async fn batches(
    connection: &mut SqliteConnection,
    from: i64,
    through: i64,
    limit: usize,
) -> sqlx::Result<Vec<StoredBatch>> {
    let rows: Vec<(i64, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT first_position, entry_count, entries FROM log_batch \
         WHERE first_position >= ? AND first_position + entry_count - 1 <= ? ORDER BY first_position LIMIT ?",
    )
    .bind(from)
    .bind(through)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(connection)
    .await?;
    Ok(rows.into_iter().map(StoredBatch::from).collect())
}

async fn rewrite_batches(
    connection: &mut SqliteConnection,
    batches: &[StoredBatch],
    pruned_through: i64,
) -> sqlx::Result<()> {
    let mut transaction = connection.begin().await?;
    sqlx::query("UPDATE engine_meta SET pruned_through = max(pruned_through, ?) WHERE id = 1")
        .bind(pruned_through)
        .execute(&mut *transaction)
        .await?;
    for batch in batches {
        sqlx::query("UPDATE log_batch SET entries = ? WHERE first_position = ? AND entry_count = ?")
            .bind(&batch.bytes)
            .bind(batch.first_position)
            .bind(batch.entry_count)
            .execute(&mut *transaction)
            .await?;
    }
    transaction.commit().await
}

/// A SQLite error in words, with what to do about it (by SQLite's primary result code).
fn describe(error: &sqlx::Error) -> String {
    let code = error
        .as_database_error()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .map(|code| code & 0xff);
    match code {
        // SQLITE_BUSY, SQLITE_LOCKED
        Some(5 | 6) => format!(
            "{error}: another program held the file's write lock for longer than {}s; find what keeps a long transaction open on it and try again",
            LOCK_WAIT.as_secs()
        ),
        // SQLITE_CORRUPT, SQLITE_NOTADB
        Some(11 | 26) => format!(
            "{error}: the file is damaged or is not an engine record store; restore it from a backup, or move it away to start an empty engine"
        ),
        _ => format!(
            "{error}: check that the file is readable and writable and the disk has space, then reopen the engine"
        ),
    }
}
