//! The storage tests run on every backend: a test is a function of a [`TestStore`], and
//! [`on_every_backend!`] makes a `sqlite::<test>` and a `postgres::<test>` test of it.
//!
//! A SQLite store is a file in a temporary folder; a PostgreSQL store is a log of its own (named
//! after the test) in the test server's database, so the tests run in parallel.

#![allow(dead_code, unused_macros)] // each test binary uses a different subset of these helpers

pub mod postgres_server;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::record::Record;
use engine::store::format::{pack_batch, records_from_json, records_to_json, unpack_batch};
use engine::store::{EncodedEntry, RecordStore, StoreError};
use engine::{EngineCore, VirtualClock};

/// Makes a `sqlite::<name>` and a `postgres::<name>` test of each `fn <name>(store: &TestStore)`.
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $test() {
                    super::$test(&crate::backends::TestStore::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $test() {
                    super::$test(&crate::backends::TestStore::postgres(concat!(module_path!(), "::", stringify!($test))));
                }
            )*
        }
    };
}
#[allow(unused_imports)] // used by the binaries that run a suite on every backend
pub(crate) use on_every_backend;

/// Where a test's records live.
pub enum TestStore {
    /// A SQLite file in a temporary folder (deleted with it).
    Sqlite { dir: tempfile::TempDir, path: PathBuf },
    /// A PostgreSQL URL naming the database and the log.
    Postgres { url: String },
}

/// Damage done to a stored log behind the engine's back, in each backend's SQL.
pub enum Damage<'a> {
    /// Cuts the batch starting at `first_position` to its first 10 bytes.
    CutBatch { first_position: i64 },
    /// Sets the value at a JSON pointer (records are stored as arrays of their fields: `/2` is
    /// a record's value, `/2/Process/6` a process record's shape) in every record that has it.
    SetJson { pointer: &'a str, value: serde_json::Value },
    /// Edits every stored entry (time, cause, record count, records).
    EditEntries(&'a dyn Fn(&mut EncodedEntry)),
    /// Zeroes four bytes in the middle of every snapshot's state.
    CorruptSnapshots,
    /// Cuts the snapshot at `position` to its first 5 bytes.
    TruncateSnapshot { position: i64 },
    /// Sets the log's record format version.
    FormatVersion(i64),
    /// Deletes the log's row of `engine_meta`.
    DeleteMeta,
    /// Records a schema migration 99 as applied (on PostgreSQL, the whole database's schema).
    FutureMigration,
}

impl TestStore {
    /// A new SQLite file.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("engine.db");
        Self::Sqlite { dir, path }
    }

    /// An empty log of its own for the test named `test` in the test server's database.
    pub fn postgres(test: &str) -> Self {
        Self::Postgres { url: postgres_server::empty_log_url(test) }
    }

    /// An empty database of its own for the test named `test` (for damage to the whole schema).
    pub fn postgres_database(test: &str) -> Self {
        Self::Postgres { url: postgres_server::empty_database_url(test) }
    }

    /// What `engine::store::open` takes: the file path or the URL.
    pub fn location(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => path.display().to_string(),
            Self::Postgres { url } => url.clone(),
        }
    }

    /// How errors name the store: the path, or the URL with its password hidden.
    pub fn shown_location(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => path.display().to_string(),
            Self::Postgres { url } => match url.split_once("://").and_then(|(scheme, rest)| {
                let (user_info, host) = rest.split_once('@')?;
                Some(format!("{scheme}://{}:***@{host}", user_info.split_once(':')?.0))
            }) {
                Some(redacted) => redacted,
                None => url.clone(),
            },
        }
    }

    /// Opens the store through the one opener.
    pub fn open_store(&self) -> Result<Box<dyn RecordStore>, StoreError> {
        engine::store::open(&self.location())
    }

    /// Opens an engine on the store (replaying its log).
    pub fn open_engine(&self, clock: &VirtualClock) -> Result<EngineCore, StoreError> {
        EngineCore::open(self.open_store()?, Arc::new(clock.clone()))
    }

    /// Opens an engine on the store, failing the test with the error if it cannot.
    pub fn open_engine_ok(&self, clock: &VirtualClock) -> EngineCore {
        self.open_engine(clock).unwrap_or_else(|e| panic!("the store opens: {e}"))
    }

    /// Opens an engine after the process holding the store was killed. SQLite releases the file
    /// at once; PostgreSQL releases the log's lock when the server notices the dead connection,
    /// so "another engine" refusals are retried for a few seconds.
    pub fn open_engine_after_kill(&self, clock: &VirtualClock) -> EngineCore {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.open_engine(clock) {
                Ok(core) => return core,
                Err(e) if e.message.contains("another engine") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("the store opens after the kill: {e}"),
            }
        }
    }

    /// Every record of the log, decoded.
    pub fn stored_records(&self) -> Vec<Record> {
        let mut store = self.open_store().expect("the store opens");
        let entries = engine::store::read_entries(store.as_mut()).expect("the log reads");
        entries.into_iter().flat_map(|e| e.records).collect()
    }

    /// Runs `statement` on the store behind the engine's back, with `{this log}` standing for the
    /// condition that picks this store's rows of a per-log table (`engine_meta`, the index);
    /// returns how many rows it touched.
    pub fn execute(&self, statement: &str) -> u64 {
        match self {
            Self::Sqlite { path, .. } => sqlite_affected(path, &statement.replace("{this log}", "1 = 1")),
            Self::Postgres { url } => {
                let log = url.rsplit_once("log=").map_or("default", |(_, log)| log);
                let statement = statement.replace("{this log}", &format!("log = '{log}'"));
                postgres_server::execute(url, &[&statement]).iter().sum()
            }
        }
    }

    /// Damages the stored log (the store must not be open).
    pub fn damage(&self, damage: Damage<'_>) {
        let edit: Option<Box<BatchEdit<'_>>> = match &damage {
            Damage::SetJson { pointer, value } => Some(Box::new(move |first, bytes| {
                rewrite_batch(first, bytes, &|entry| {
                    let mut records = records_to_json(&entry.records).expect("the records read");
                    let mut changed = false;
                    for record in &mut records {
                        if let Some(target) = record.pointer_mut(pointer) {
                            *target = value.clone();
                            changed = true;
                        }
                    }
                    entry.records = records_from_json(&records).expect("the records encode");
                    changed
                })
            })),
            Damage::EditEntries(edit) => Some(Box::new(move |first, bytes| {
                rewrite_batch(first, bytes, &|entry| {
                    edit(entry);
                    true
                })
            })),
            _ => None,
        };
        if let Some(edit) = edit {
            let changed = match self {
                Self::Sqlite { path, .. } => sqlite_rewrite_batches(path, &*edit),
                Self::Postgres { url } => {
                    let log = url.rsplit_once("log=").map_or("default", |(_, log)| log);
                    postgres_server::rewrite_batches(url, log, &*edit)
                }
            };
            assert!(changed > 0, "the damage touched the log");
            return;
        }
        match self {
            Self::Sqlite { path, .. } => sqlite_execute(path, &sqlite_damage(&damage)),
            Self::Postgres { url } => {
                let log = url.rsplit_once("log=").map_or("default", |(_, log)| log);
                let affected = postgres_server::execute(url, &[&postgres_damage(&damage, log)]);
                assert!(affected.iter().all(|n| *n > 0), "the damage touched the log");
            }
        }
    }
}

fn sqlite_damage(damage: &Damage<'_>) -> String {
    match damage {
        Damage::CutBatch { first_position } => {
            format!("UPDATE log_batch SET entries = substr(entries, 1, 10) WHERE first_position = {first_position}")
        }
        Damage::SetJson { .. } | Damage::EditEntries(_) => unreachable!("rewritten in Rust"),
        Damage::CorruptSnapshots => {
            "UPDATE snapshot SET state = substr(state, 1, 20) || zeroblob(4) || substr(state, 25)".into()
        }
        Damage::TruncateSnapshot { position } => {
            format!("UPDATE snapshot SET state = substr(state, 1, 5) WHERE position = {position}")
        }
        Damage::FormatVersion(version) => format!("UPDATE engine_meta SET format_version = {version}"),
        Damage::DeleteMeta => "DELETE FROM engine_meta".into(),
        Damage::FutureMigration => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                                    VALUES (99, 'future', 1, x'00', 0)"
                .into()
        }
    }
}

fn postgres_damage(damage: &Damage<'_>, log: &str) -> String {
    match damage {
        Damage::CutBatch { first_position } => format!(
            "UPDATE log_batch SET entries = substring(entries from 1 for 10) WHERE log = '{log}' AND first_position = {first_position}"
        ),
        Damage::SetJson { .. } | Damage::EditEntries(_) => unreachable!("rewritten in Rust"),
        Damage::CorruptSnapshots => format!(
            "UPDATE snapshot SET state = substring(state from 1 for 20) || '\\x00000000'::bytea || substring(state from 25) \
             WHERE log = '{log}'"
        ),
        Damage::TruncateSnapshot { position } => format!(
            "UPDATE snapshot SET state = substring(state from 1 for 5) WHERE log = '{log}' AND position = {position}"
        ),
        Damage::FormatVersion(version) => {
            format!("UPDATE engine_meta SET format_version = {version} WHERE log = '{log}'")
        }
        Damage::DeleteMeta => format!("DELETE FROM engine_meta WHERE log = '{log}'"),
        Damage::FutureMigration => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                                    VALUES (99, 'future', true, '\\x00', 0)"
                .into()
        }
    }
}

/// Runs `statement` on the SQLite file behind the engine's back; it must touch the log.
fn sqlite_execute(path: &std::path::Path, statement: &str) {
    assert!(sqlite_affected(path, statement) > 0, "the damage touched the log: {statement}");
}

/// Runs `statement` on the SQLite file behind the engine's back; returns the rows it touched.
fn sqlite_affected(path: &std::path::Path, statement: &str) -> u64 {
    use sqlx::{ConnectOptions, Connection};
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(async {
        let mut connection =
            sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.expect("connects");
        let done = sqlx::query(statement).execute(&mut connection).await.expect("runs");
        connection.close().await.expect("closes");
        done.rows_affected()
    })
}

/// An edit of a stored batch: given its first position and bytes, the new bytes, or `None` to
/// leave it as it is.
pub type BatchEdit<'a> = dyn Fn(i64, &[u8]) -> Option<Vec<u8>> + 'a;

/// Unpacks a batch, edits each entry (`edit` says whether it changed it), and packs it again;
/// `None` when nothing changed.
fn rewrite_batch(first: i64, bytes: &[u8], edit: &dyn Fn(&mut EncodedEntry) -> bool) -> Option<Vec<u8>> {
    let mut changed = false;
    let entries: Vec<EncodedEntry> = unpack_batch(first, bytes)
        .expect("the batch unpacks")
        .into_iter()
        .map(|stored| {
            let mut entry = EncodedEntry::from(stored);
            changed |= edit(&mut entry);
            entry
        })
        .collect();
    changed.then(|| pack_batch(&entries))
}

/// Rewrites the SQLite file's batches with `edit`; returns how many it changed.
fn sqlite_rewrite_batches(path: &std::path::Path, edit: &BatchEdit<'_>) -> usize {
    use sqlx::{ConnectOptions, Connection, Row};
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(async {
        let mut connection =
            sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.expect("connects");
        let rows = sqlx::query("SELECT first_position, entries FROM log_batch")
            .fetch_all(&mut connection)
            .await
            .expect("reads");
        let mut changed = 0;
        for row in rows {
            let first: i64 = row.get("first_position");
            let bytes: Vec<u8> = row.get("entries");
            if let Some(new) = edit(first, &bytes) {
                sqlx::query("UPDATE log_batch SET entries = ? WHERE first_position = ?")
                    .bind(new)
                    .bind(first)
                    .execute(&mut connection)
                    .await
                    .expect("writes");
                changed += 1;
            }
        }
        connection.close().await.expect("closes");
        changed
    })
}
