//! Where the record store is (a SQLite file or a PostgreSQL URL), and opening it: as an engine for commands that change state,
//! or as a folded history for commands that only read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use engine::history::History;
use engine::state::State;
use engine::store::{self, InstanceOverview, SharedConnection, SqliteStore, is_postgres_url, read_entries};
use engine::{Clock, EngineCore, SystemClock};
use personas::Registry;

use crate::failure::{Failure, Result};

/// The store when neither `--store` nor the environment names one.
pub const DEFAULT_STORE: &str = ".orchestrator/state.db";

/// The client name recorded on the engine commands the orchestrator's API calls cause.
pub const CLIENT: &str = "orchestrator";

/// The environment variable naming the store.
pub const STORE_VARIABLE: &str = "ORCHESTRATOR_STORE";

/// The store's location: `--store`, else `ORCHESTRATOR_STORE`, else [`DEFAULT_STORE`]. A
/// `postgres://` URL names a PostgreSQL log, anything else a SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreLocation {
    location: String,
}

impl StoreLocation {
    /// Resolves the location from the flag and the environment.
    pub fn resolve(flag: Option<&str>) -> Self {
        let from_env = std::env::var(STORE_VARIABLE).ok().filter(|v| !v.trim().is_empty());
        let location = flag.map(str::to_owned).or(from_env).unwrap_or_else(|| DEFAULT_STORE.to_owned());
        Self { location }
    }

    /// True for a PostgreSQL URL.
    fn is_database(&self) -> bool {
        is_postgres_url(&self.location)
    }

    /// The location for messages: the file path, or the URL without its password.
    pub fn display(&self) -> String {
        if self.is_database() { redact(&self.location) } else { self.location.clone() }
    }

    /// True when the store may hold a log: the file exists (a database is always asked).
    pub fn exists(&self) -> bool {
        self.is_database() || Path::new(&self.location).exists()
    }

    /// The location as given (a file path, or a URL with its password), for opening.
    pub fn as_str(&self) -> &str {
        &self.location
    }

    /// The file holding the server's generated API token: beside a SQLite store, in
    /// `.orchestrator/` for a PostgreSQL one.
    pub fn token_file(&self) -> PathBuf {
        let folder = if self.is_database() {
            Path::new(".orchestrator")
        } else {
            Path::new(&self.location).parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
        };
        folder.join("api-token")
    }

    /// The file in which a running `serve` keeps its address (`http://host:port`): beside a
    /// SQLite store (`<store>-serve`), in `.orchestrator/` for a PostgreSQL one.
    pub fn serve_file(&self) -> PathBuf {
        self.side_file("-serve", "serve-address")
    }

    /// The file in which `timers advance` and `timers fire` keep the store's virtual clock
    /// (epoch milliseconds), so that a move which fires nothing (and so writes nothing to the
    /// log) still counts for the next one: beside a SQLite store (`<store>-clock`), in
    /// `.orchestrator/` for a PostgreSQL one.
    pub fn clock_file(&self) -> PathBuf {
        self.side_file("-clock", "virtual-clock")
    }

    /// A file that belongs to the store: `<store><suffix>` beside a SQLite file, or
    /// `.orchestrator/<database_name>` for a PostgreSQL store.
    fn side_file(&self, suffix: &str, database_name: &str) -> PathBuf {
        if self.is_database() {
            return Path::new(".orchestrator").join(database_name);
        }
        let mut name = std::ffi::OsString::from(&self.location);
        name.push(suffix);
        PathBuf::from(name)
    }

    /// True for the default store, whose folder is created on first use; another path's
    /// folder must exist (a mistyped `--store` is an error, not a new store).
    fn is_default(&self) -> bool {
        self.location == DEFAULT_STORE
    }

    /// Fails, saying what to check, when a SQLite store's file is missing: reading commands
    /// never create a store.
    pub fn require_existing(&self) -> Result<()> {
        if self.exists() {
            return Ok(());
        }
        Err(Failure::Failed(format!(
            "no store at {}: check --store or {STORE_VARIABLE}, or run `orchestrator deploy`, `run` or `serve` first, which create it",
            self.display()
        )))
    }

    /// Opens the engine on the store (creating a missing SQLite file, and the default store's
    /// folder), on the system clock. Refused while another engine runs on the store.
    pub fn open_engine(&self) -> Result<EngineCore> {
        self.open_engine_on(Arc::new(SystemClock))
    }

    /// Opens the engine on the store with `clock`.
    pub fn open_engine_on(&self, clock: Arc<dyn Clock>) -> Result<EngineCore> {
        Ok(self.open_engine_sharing(clock)?.0)
    }

    /// Opens the engine on the store with `clock`; on a SQLite file also returns the handle
    /// through which the persona registry uses the engine's connection (the engine holds the
    /// file to itself while it runs).
    pub fn open_engine_sharing(&self, clock: Arc<dyn Clock>) -> Result<(EngineCore, Option<SharedConnection>)> {
        self.create_folder()?;
        let (records, shared): (Box<dyn store::RecordStore>, _) = if self.is_database() {
            (store::open(&self.location)?, None)
        } else {
            let file = SqliteStore::open(&self.location)?;
            let shared = file.shared_connection();
            (Box::new(file), Some(shared))
        };
        let mut core = EngineCore::open(records, clock)?;
        core.set_client(Some(CLIENT.to_owned()));
        Ok((core, shared))
    }

    /// Opens the persona registry beside an engine this process runs on the store: through the
    /// engine's connection (`shared`) on a SQLite file, with connections of its own on
    /// PostgreSQL.
    pub async fn open_registry_beside(
        &self,
        shared: Option<SharedConnection>,
        clock: Arc<dyn Clock>,
    ) -> Result<Registry> {
        Ok(match shared {
            Some(shared) => Registry::on_engine_store(shared, clock).await?,
            None => Registry::open(&self.location, clock).await?,
        })
    }

    /// Opens the persona registry in the store (creating a missing SQLite file, and the default
    /// store's folder); it works beside an engine running on the store.
    pub async fn open_registry(&self) -> Result<Registry> {
        self.create_folder()?;
        Ok(Registry::open(&self.location, Arc::new(SystemClock)).await?)
    }

    /// Creates the folder of the default SQLite store's file when it is missing.
    fn create_folder(&self) -> Result<()> {
        if self.is_default()
            && let Some(folder) = Path::new(&self.location).parent().filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(folder).map_err(|e| {
                Failure::Failed(format!(
                    "cannot create the store's folder {}: {e}; check its permissions or choose another --store",
                    folder.display()
                ))
            })?;
        }
        Ok(())
    }

    /// The engine time of the newest entry in the store's log, `None` for an empty or missing
    /// store. Reads from the newest snapshot on, not the whole log. For the engine about to run
    /// on the store: it opens it as an engine does, so a file that holds only the persona
    /// registry so far gets the engine's tables.
    pub fn last_time(&self) -> Result<Option<i64>> {
        if !self.exists() {
            return Ok(None);
        }
        let mut store = store::open(&self.location)?;
        // A snapshot's position is the last entry it includes, so reading after the one before
        // it returns at least that entry.
        let after = store.snapshots()?.first().map_or(0, |s| s.position.saturating_sub(1).max(0));
        Ok(store.read_log(after)?.entries.last().map(|e| e.at_millis))
    }

    /// Reads and folds the store's log without starting an engine (nothing fires, nothing is
    /// written), beside an engine that may run on it. A missing SQLite file is an error.
    pub fn read_history(&self) -> Result<History> {
        self.require_existing()?;
        let mut store = store::open_read_only(&self.location)?;
        Ok(History::fold(read_entries(&mut *store)?))
    }

    /// The instance index's overview (every running instance, the `newest_ended` newest ended
    /// ones, counts), or `None` when the store keeps no index yet (fold the log instead).
    pub fn instance_overview(&self, newest_ended: usize) -> Result<Option<InstanceOverview>> {
        self.require_existing()?;
        let mut store = store::open_read_only(&self.location)?;
        Ok(store.instance_overview(newest_ended)?)
    }

    /// The history of one instance ([`History::read_instance`]: only its span of the log when
    /// the store keeps an instance index). An instance the store does not know is an error that
    /// says how to list them.
    pub fn read_instance_history(&self, key: i64) -> Result<History> {
        self.require_existing()?;
        let mut store = store::open_read_only(&self.location)?;
        History::read_instance(store.as_mut(), key)?.ok_or_else(|| self.unknown_instance(key))
    }

    /// Rebuilds the engine's state from the store (its newest snapshot and the log after it)
    /// without starting an engine (nothing fires, nothing is written), beside an engine that may
    /// run on it. A missing SQLite file is an error.
    pub fn read_state(&self) -> Result<State> {
        self.require_existing()?;
        let mut store = store::open_read_only(&self.location)?;
        Ok(engine::rebuild_state(store.as_mut())?.state)
    }
}

impl StoreLocation {
    /// The failure for an instance key the store does not know.
    pub fn unknown_instance(&self, key: i64) -> Failure {
        Failure::Failed(format!(
            "no process instance {key} in the store {}: `orchestrator status` lists the instances",
            self.display()
        ))
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_loses_its_credentials_in_messages() {
        assert_eq!(redact("postgres://user:secret@db:5432/x"), "postgres://…@db:5432/x");
        assert_eq!(redact("postgres://db/x"), "postgres://db/x");
        let location = StoreLocation { location: "postgres://u:pw@db/x?log=a".into() };
        assert_eq!(location.display(), "postgres://…@db/x?log=a");
        assert!(location.exists());
    }
}
