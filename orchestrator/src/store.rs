//! Where the record store is, and opening it: as an engine for commands that change state,
//! or as a folded history for commands that only read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use engine::history::History;
use engine::store::{SqliteStore, read_entries};
use engine::{EngineCore, SystemClock};

use crate::failure::{Failure, Result};

/// The store when neither `--store` nor the environment names one.
pub const DEFAULT_STORE: &str = ".orchestrator/state.db";

/// The client name recorded on the engine commands the orchestrator's API calls cause.
pub const CLIENT: &str = "orchestrator";

/// The environment variable naming the store.
pub const STORE_VARIABLE: &str = "ORCHESTRATOR_STORE";

/// The store's location: `--store`, else `ORCHESTRATOR_STORE`, else [`DEFAULT_STORE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreLocation {
    path: PathBuf,
}

impl StoreLocation {
    /// Resolves the location from the flag and the environment.
    pub fn resolve(flag: Option<&str>) -> Result<Self> {
        let from_env = std::env::var(STORE_VARIABLE).ok().filter(|v| !v.trim().is_empty());
        let chosen = flag.map(str::to_owned).or(from_env).unwrap_or_else(|| DEFAULT_STORE.to_owned());
        if chosen.starts_with("postgres://") || chosen.starts_with("postgresql://") {
            return Err(Failure::Usage(format!(
                "PostgreSQL stores ('{}') are not supported by this build of orchestrator yet; give a SQLite file path instead",
                redact(&chosen)
            )));
        }
        Ok(Self { path: PathBuf::from(chosen) })
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the store file exists.
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// Opens the engine on the store (creating the file and its folder when missing).
    pub fn open_engine(&self) -> Result<EngineCore> {
        if let Some(folder) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| {
                Failure::Failed(format!(
                    "cannot create the store's folder {}: {e}; check its permissions or choose another --store",
                    folder.display()
                ))
            })?;
        }
        let store = SqliteStore::open(&self.path)?;
        let mut core = EngineCore::open(Box::new(store), Arc::new(SystemClock))?;
        core.set_client(Some(CLIENT.to_owned()));
        Ok(core)
    }

    /// Reads and folds the store's log without starting an engine (nothing fires, nothing is
    /// written). A missing store is an empty history.
    pub fn read_history(&self) -> Result<History> {
        if !self.exists() {
            return Ok(History::default());
        }
        let mut store = SqliteStore::open(&self.path)?;
        Ok(History::fold(read_entries(&mut store)?))
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
    }
}
