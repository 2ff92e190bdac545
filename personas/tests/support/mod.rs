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

/// A small deterministic random generator (xorshift), so a failing interleaving can be rerun.
pub struct Random(pub u64);

impl Random {
    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A connection to the store behind the registry's back, for checks and damage.
pub enum Raw {
    /// To the SQLite file.
    Sqlite(sqlx::SqliteConnection),
    /// To the PostgreSQL database.
    Postgres(sqlx::PgConnection),
}

impl Raw {
    /// Connects to the store at `location` (a file path or a URL).
    pub async fn connect(location: &str) -> Self {
        use sqlx::{ConnectOptions, Connection};
        if location.starts_with("postgres") {
            Raw::Postgres(sqlx::PgConnection::connect(location).await.expect("connects"))
        } else {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(location)
                .busy_timeout(std::time::Duration::from_secs(30));
            Raw::Sqlite(options.connect().await.expect("connects"))
        }
    }

    /// Runs a statement; the rows it changed, or the database's refusal.
    pub async fn execute(&mut self, sql: &str) -> Result<u64, String> {
        let done = match self {
            Raw::Sqlite(c) => sqlx::query(sql).execute(c).await.map(|r| r.rows_affected()),
            Raw::Postgres(c) => sqlx::query(sql).execute(c).await.map(|r| r.rows_affected()),
        };
        done.map_err(|e| e.to_string())
    }

    /// The rows of a query of two integer columns.
    pub async fn pairs(&mut self, sql: &str) -> Vec<(i64, i64)> {
        let rows = match self {
            Raw::Sqlite(c) => sqlx::query_as(sql).fetch_all(c).await,
            Raw::Postgres(c) => sqlx::query_as(sql).fetch_all(c).await,
        };
        rows.unwrap_or_else(|e| panic!("`{sql}` fails: {e}"))
    }

    /// The one integer a query returns.
    pub async fn scalar(&mut self, sql: &str) -> i64 {
        let value = match self {
            Raw::Sqlite(c) => sqlx::query_scalar(sql).fetch_one(c).await,
            Raw::Postgres(c) => sqlx::query_scalar(sql).fetch_one(c).await,
        };
        value.unwrap_or_else(|e| panic!("`{sql}` fails: {e}"))
    }
}
