//! The registry tests run on every backend: a test is an `async fn(TestStore)`, and
//! [`on_every_backend!`] makes a `sqlite::<test>` and a `postgres::<test>` test of it.
//!
//! A SQLite store is a file in a temporary folder. A PostgreSQL store is a database of its own
//! (named after the test, dropped and created afresh), since the registry's tables are shared by
//! every engine log of a database. The server is the engine tests' one
//! (`ORCHESTRATOR_TEST_POSTGRES_URL`, else `db/postgres.sh start`).

#![allow(dead_code, unused_macros)] // each test binary uses a different subset of these helpers

/// The engine tests' PostgreSQL helpers, shared rather than copied.
#[path = "../../../engine/tests/backends/postgres_server.rs"]
mod postgres_server;

/// Needed by `postgres_server::rewrite_batches` (which the registry tests do not use).
pub type BatchEdit<'a> = dyn Fn(i64, &[u8]) -> Option<Vec<u8>> + 'a;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use engine::VirtualClock;
use personas::{NewInstance, Project, Registry};
use yaml_to_bpmn::personas::PersonaCatalogue;

/// Makes a `sqlite::<name>` and a `postgres::<name>` test of each `async fn <name>(store: TestStore)`.
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $test() {
                    crate::support::block_on(super::$test(crate::support::TestStore::sqlite()));
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $test() {
                    let name = concat!(module_path!(), "::", stringify!($test));
                    crate::support::block_on(super::$test(crate::support::TestStore::postgres(name)));
                }
            )*
        }
    };
}
pub(crate) use on_every_backend;

/// Runs a test on a runtime with worker threads, so concurrent tasks really overlap.
pub fn block_on<F: Future<Output = ()>>(test: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(test);
}

/// Where a test's registry lives.
pub enum TestStore {
    /// A SQLite file in a temporary folder (deleted with it).
    Sqlite { dir: tempfile::TempDir, path: PathBuf },
    /// A PostgreSQL URL naming a database of the test's own.
    Postgres { url: String },
}

impl TestStore {
    /// A new SQLite file.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        Self::Sqlite { dir, path }
    }

    /// A new, empty database for the test named `test`.
    pub fn postgres(test: &str) -> Self {
        Self::Postgres { url: postgres_server::empty_database_url(test) }
    }

    /// What `Registry::open` takes: the file path or the URL.
    pub fn location(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => path.display().to_string(),
            Self::Postgres { url } => url.clone(),
        }
    }

    /// True on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }

    /// Opens a registry on the store with `clock`, with the project's catalogue loaded.
    pub async fn registry(&self, clock: &VirtualClock) -> Registry {
        let registry = self.open(clock).await;
        registry.load_types(&catalogue()).await.expect("the catalogue loads");
        registry
    }

    /// Opens a registry on the store (as another process would: its own connections).
    pub async fn open(&self, clock: &VirtualClock) -> Registry {
        Registry::open(&self.location(), Arc::new(clock.clone()))
            .await
            .unwrap_or_else(|e| panic!("the registry opens: {e}"))
    }
}

/// The project's persona type catalogue.
pub fn catalogue() -> PersonaCatalogue {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../workflows/personas/types.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    PersonaCatalogue::parse("types.yaml", &text).unwrap_or_else(|d| panic!("the catalogue parses: {d:?}"))
}

/// The project most tests use.
pub fn shop() -> Project {
    Project::new("acme", "shop")
}

/// A new instance `name` of `persona_type` in `project`.
pub fn instance_in(name: &str, persona_type: &str, project: &Project) -> NewInstance {
    let mut new = NewInstance::new(name, persona_type);
    new.project = Some(project.clone());
    new
}
