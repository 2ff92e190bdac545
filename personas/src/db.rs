//! The store underneath the registry: a SQLite file or a PostgreSQL database, behind one small
//! interface so the registry's logic and SQL are written once.
//!
//! Statements use `$1`, `$2`, ... placeholders (both drivers read them) and only integers and
//! text ([`Arg`]); rows are read by column name ([`Row::get`]). A write transaction on SQLite is
//! `BEGIN IMMEDIATE`: it takes the file's write lock before it reads, so every read-then-write
//! (route a job, reserve money) sees the latest state and no other writer slips in between. On
//! PostgreSQL the statements that guard a limit are conditional updates, which re-check their
//! condition on the newest row version after waiting for its lock.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::error::ErrorKind;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Database, Decode, Encode, Postgres, Sqlite, Transaction, Type};

use engine::store::SharedConnection;

use crate::error::RegistryError;
use crate::lent::{Detached, LentTx};

/// How long a statement waits for SQLite's write lock, or for a pooled connection.
const WAIT: Duration = Duration::from_secs(30);

/// Connections to a PostgreSQL database per registry handle.
const PG_CONNECTIONS: u32 = 8;

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    /// An integer (or NULL).
    Int(Option<i64>),
    /// Text (or NULL).
    Text(Option<String>),
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Arg::Int(Some(value))
    }
}

impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Self {
        Arg::Int(value)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(Some(value.to_owned()))
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(Some(value))
    }
}

impl From<Option<&str>> for Arg {
    fn from(value: Option<&str>) -> Self {
        Arg::Text(value.map(str::to_owned))
    }
}

/// `[Arg::from(a), Arg::from(b), ...]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        [$($crate::db::Arg::from($value)),*]
    };
}
pub(crate) use args;

/// `($first, $first+1, ...), (...)`: `rows` tuples of `width` placeholders numbered from `first`.
pub(crate) fn tuples(first: usize, rows: usize, width: usize) -> String {
    (0..rows)
        .map(|row| {
            let at = first + row * width;
            let cells: Vec<String> = (at..at + width).map(|n| format!("${n}")).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The most rows one multi-row statement carries.
const ROWS_PER_STATEMENT: usize = 256;

/// `rows` in chunks of [`ROWS_PER_STATEMENT`], the rest in falling powers of two, so that the
/// multi-row statements of any batch come in a few shapes, which the statement cache keeps
/// prepared.
fn chunks<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        let size = match rows.len() {
            0 => return None,
            n if n >= ROWS_PER_STATEMENT => ROWS_PER_STATEMENT,
            n => 1 << n.ilog2(),
        };
        let (chunk, rest) = rows.split_at(size);
        rows = rest;
        Some(chunk)
    })
}

/// `sql` with its numbered placeholders as `?`, when they appear once each and in order
/// (`$1`, `$2`, ...); `None` otherwise. SQLite binds a `?` by position, but looks a numbered
/// placeholder up in a list: binding a statement of thousands of them costs the square of
/// their number. (The registry's SQL holds no `$` in literals.)
fn positional(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let (mut next, mut rest) = (1_usize, sql);
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
        if rest[at + 1..at + 1 + digits].parse::<usize>().ok()? != next {
            return None;
        }
        out.push('?');
        next += 1;
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    Some(out)
}

/// A failed statement, with the store it failed on.
#[derive(Debug)]
pub(crate) struct DbError {
    location: Arc<str>,
    error: sqlx::Error,
}

impl DbError {
    /// True when a unique index refused the row.
    pub(crate) fn is_unique_violation(&self) -> bool {
        self.error.as_database_error().is_some_and(|e| e.kind() == ErrorKind::UniqueViolation)
    }
}

impl From<DbError> for RegistryError {
    fn from(failure: DbError) -> Self {
        RegistryError::Store { location: failure.location.to_string(), message: describe(&failure.error) }
    }
}

/// What went wrong, and what to do about it.
fn describe(error: &sqlx::Error) -> String {
    let busy = error.as_database_error().and_then(|e| e.code()).is_some_and(|code| {
        // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes.
        code.parse::<i32>().is_ok_and(|code| matches!(code & 0xff, 5 | 6))
    });
    match error {
        _ if busy => format!(
            "{error}: another program held the store's write lock for too long; find what keeps a long transaction open on it and try again"
        ),
        sqlx::Error::PoolTimedOut => format!(
            "{error}: no connection to the store within {}s; another program may hold a long transaction on its SQLite file, or the database is down or overloaded",
            WAIT.as_secs()
        ),
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            format!("{error}: cannot reach the database; check that it runs and the URL's host and port")
        }
        sqlx::Error::Database(_) | sqlx::Error::Configuration(_) => {
            format!("{error}: check the store location, its permissions and that it is an orchestrator store")
        }
        _ => format!("{error}: check the store and try again"),
    }
}

/// A registry's connections: a pool on a SQLite file or a PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    pool: Pool,
    location: Arc<str>,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    /// The engine's own SQLite connection, in the process that runs the engine, and the thread
    /// the registry's operations run on there.
    Lent(SharedConnection, Arc<Detached>),
}

impl Db {
    /// Connects to `location`: a `postgres://` (or `postgresql://`) URL, or the path of a SQLite
    /// file (created when missing). A URL's `log=` parameter (which names an engine's log) is
    /// ignored: the registry is one per database, shared by the engines on it.
    pub(crate) async fn open(location: &str) -> Result<Self, RegistryError> {
        if engine::store::is_postgres_url(location) {
            let options = postgres_options(location)?;
            let shown: Arc<str> = format!(
                "postgres://{}@{}:{}/{}",
                options.get_username(),
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or(options.get_username())
            )
            .into();
            let pool = PgPoolOptions::new()
                .max_connections(PG_CONNECTIONS)
                .acquire_timeout(WAIT)
                .connect_with(options)
                .await
                .map_err(|error| DbError { location: shown.clone(), error })?;
            Ok(Self { pool: Pool::Postgres(pool), location: shown })
        } else {
            let shown: Arc<str> = location.into();
            let options = SqliteConnectOptions::new()
                .filename(location)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // As the engine's log: a committed routing decision or charge survives power loss.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(WAIT)
                .foreign_keys(true);
            probe(&options, &shown).await?;
            // One connection: the handle's writers queue in the pool instead of polling the
            // file lock; other handles and processes wait on the lock (busy_timeout).
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(WAIT)
                .connect_with(options)
                .await
                .map_err(|error| DbError { location: shown.clone(), error })?;
            Ok(Self { pool: Pool::Sqlite(pool), location: shown })
        }
    }

    /// The registry in the SQLite file of an engine running in this process, through the
    /// connection the engine's store lends ([`crate::lent`]).
    pub(crate) fn lent(shared: SharedConnection) -> Result<Self, RegistryError> {
        let location: Arc<str> = shared.location().into();
        let detached = Detached::start().map_err(|e| RegistryError::Store {
            location: location.to_string(),
            message: format!("cannot start the registry's thread: {e}"),
        })?;
        Ok(Self { pool: Pool::Lent(shared, Arc::new(detached)), location })
    }

    /// Runs `work` (an operation of the registry) where it cannot be held up by the engine: on
    /// the registry's own thread with a lent connection ([`Detached`]), in place otherwise.
    pub(crate) async fn detach<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, RegistryError>> + Send + 'static,
    ) -> Result<T, RegistryError> {
        match &self.pool {
            Pool::Lent(_, detached) => detached.run(work).await.map_err(|e| RegistryError::Store {
                location: self.location.to_string(),
                message: format!("the registry's operation stopped: {e}"),
            })?,
            Pool::Sqlite(_) | Pool::Postgres(_) => work.await,
        }
    }

    /// The store for messages: the file path, or the URL without a password.
    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    /// The connections open in the registry's own pool now (0 on a lent connection, which is
    /// the engine's).
    pub(crate) fn connections(&self) -> u32 {
        match &self.pool {
            Pool::Sqlite(pool) => pool.size(),
            Pool::Postgres(pool) => pool.size(),
            Pool::Lent(..) => 0,
        }
    }

    /// True on PostgreSQL.
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// A transaction that will write: on SQLite it holds the write lock from its first statement.
    pub(crate) async fn write(&self) -> Result<Tx, DbError> {
        let inner = match &self.pool {
            Pool::Sqlite(pool) => pool.begin_with("BEGIN IMMEDIATE").await.map(Inner::Sqlite),
            Pool::Postgres(pool) => pool.begin().await.map(Inner::Postgres),
            Pool::Lent(shared, _) => LentTx::begin(shared, "BEGIN IMMEDIATE").await.map(Inner::Lent),
        };
        inner.map(|inner| Tx { inner, location: self.location.clone() }).map_err(|error| self.fail(error))
    }

    /// A transaction that only reads (one consistent view on SQLite).
    pub(crate) async fn read(&self) -> Result<Tx, DbError> {
        let inner = match &self.pool {
            Pool::Sqlite(pool) => pool.begin().await.map(Inner::Sqlite),
            Pool::Postgres(pool) => pool.begin().await.map(Inner::Postgres),
            Pool::Lent(shared, _) => LentTx::begin(shared, "BEGIN").await.map(Inner::Lent),
        };
        inner.map(|inner| Tx { inner, location: self.location.clone() }).map_err(|error| self.fail(error))
    }

    /// Closes the connections; on SQLite the file is released when this returns.
    pub(crate) async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => {
                // `Pool::close` can return while the connection of a transaction that just ended
                // is still on its way back to the pool, which keeps the file open a moment longer
                // (and an engine opening it next is refused). Taking that connection out of the
                // pool and closing it ourselves is deterministic.
                if let Ok(connection) = pool.acquire().await {
                    let _ = connection.detach().close().await;
                }
                pool.close().await;
            }
            Pool::Postgres(pool) => pool.close().await,
            // The engine owns the connection and closes it.
            Pool::Lent(..) => {}
        }
    }

    fn fail(&self, error: sqlx::Error) -> DbError {
        DbError { location: self.location.clone(), error }
    }
}

/// How long opening a SQLite store waits for the file's write lock before saying who may hold it.
const PROBE_WAIT: Duration = Duration::from_millis(500);

/// Takes and gives back the SQLite file's write lock once, waiting [`PROBE_WAIT`] at most: a
/// file that is not a database, or one some program keeps locked, is reported at once instead
/// of by a pool that retries for [`WAIT`]. (A running engine does not keep the file locked:
/// the registry works beside it.)
async fn probe(options: &SqliteConnectOptions, shown: &Arc<str>) -> Result<(), DbError> {
    let fail = |error| DbError { location: shown.clone(), error };
    let mut connection = options.clone().busy_timeout(PROBE_WAIT).connect().await.map_err(fail)?;
    let locked = sqlx::query("BEGIN IMMEDIATE").execute(&mut connection).await;
    let released = match locked {
        Ok(_) => sqlx::query("ROLLBACK").execute(&mut connection).await.map(drop),
        Err(error) => Err(error),
    };
    let _ = connection.close().await;
    released.map_err(fail)
}

/// The driver's options for a PostgreSQL URL, without the engine's `log=` parameter.
fn postgres_options(url: &str) -> Result<PgConnectOptions, RegistryError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let kept: Vec<&str> = query.split('&').filter(|pair| !pair.is_empty() && !pair.starts_with("log=")).collect();
    let driver_url = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    PgConnectOptions::from_str(&driver_url).map_err(|e| RegistryError::Store {
        location: base.split_once('@').map_or_else(|| base.to_owned(), |(_, host)| format!("postgres://…@{host}")),
        message: format!("not a PostgreSQL URL ({e}); write it as postgres://user:password@host:port/database"),
    })
}

/// An open transaction; dropping it without [`commit`](Tx::commit) rolls it back.
pub(crate) struct Tx {
    inner: Inner,
    location: Arc<str>,
}

enum Inner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
    Lent(LentTx),
}

/// `query` with `args` bound in order.
fn bind<'q, DB>(
    mut query: sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>,
    args: &'q [Arg],
) -> sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
{
    for arg in args {
        query = match arg {
            Arg::Int(value) => query.bind(*value),
            Arg::Text(value) => query.bind(value.as_deref()),
        };
    }
    query
}

impl Tx {
    /// `sql` as this store's driver binds it fastest: with positional placeholders on SQLite
    /// where they allow ([`positional`]).
    fn dialect<'s>(&self, sql: &'s str) -> std::borrow::Cow<'s, str> {
        match &self.inner {
            Inner::Sqlite(_) | Inner::Lent(_) => positional(sql).map_or(sql.into(), Into::into),
            Inner::Postgres(_) => sql.into(),
        }
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, args: &[Arg]) -> Result<u64, DbError> {
        let sql = &self.dialect(sql);
        let done = match &mut self.inner {
            Inner::Sqlite(tx) => bind(sqlx::query(sql), args).execute(&mut **tx).await.map(|r| r.rows_affected()),
            Inner::Postgres(tx) => bind(sqlx::query(sql), args).execute(&mut **tx).await.map(|r| r.rows_affected()),
            Inner::Lent(tx) => tx.execute(sql, args).await,
        };
        done.map_err(|error| self.fail(error))
    }

    /// Runs statements without arguments, several separated by `;` (a migration).
    pub(crate) async fn execute_script(&mut self, sql: &str) -> Result<(), DbError> {
        let done = match &mut self.inner {
            Inner::Sqlite(tx) => sqlx::raw_sql(sql).execute(&mut **tx).await.map(drop),
            Inner::Postgres(tx) => sqlx::raw_sql(sql).execute(&mut **tx).await.map(drop),
            Inner::Lent(tx) => tx.execute_script(sql).await,
        };
        done.map_err(|error| self.fail(error))
    }

    /// The rows of a query.
    pub(crate) async fn fetch_all(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, DbError> {
        let sql = &self.dialect(sql);
        let rows = match &mut self.inner {
            Inner::Sqlite(tx) => bind(sqlx::query(sql), args)
                .fetch_all(&mut **tx)
                .await
                .map(|rows| rows.into_iter().map(Kind::Sqlite).collect()),
            Inner::Postgres(tx) => bind(sqlx::query(sql), args)
                .fetch_all(&mut **tx)
                .await
                .map(|rows| rows.into_iter().map(Kind::Postgres).collect::<Vec<_>>()),
            Inner::Lent(tx) => tx.fetch_all(sql, args).await.map(|rows| rows.into_iter().map(Kind::Sqlite).collect()),
        };
        let rows: Vec<Kind> = rows.map_err(|error| self.fail(error))?;
        Ok(rows.into_iter().map(|row| Row { row, location: self.location.clone() }).collect())
    }

    /// Runs a multi-row statement over `rows` (each row's arguments, all of one width), in
    /// chunks ([`chunks`]): `sql` gets a chunk's `($n, ...), (...)` list, numbered after
    /// `leading`, which are bound first in every chunk. Returns the rows of every chunk, in
    /// order.
    pub(crate) async fn fetch_rows<R: AsRef<[Arg]>>(
        &mut self,
        leading: &[Arg],
        rows: &[R],
        sql: impl Fn(&str) -> String,
    ) -> Result<Vec<Row>, DbError> {
        let width = rows.first().map_or(0, |row| row.as_ref().len());
        let mut out = Vec::new();
        for chunk in chunks(rows) {
            let mut args = leading.to_vec();
            args.extend(chunk.iter().flat_map(|row| row.as_ref().iter().cloned()));
            out.extend(self.fetch_all(&sql(&tuples(leading.len() + 1, chunk.len(), width)), &args).await?);
        }
        Ok(out)
    }

    /// The first row of a query, if any.
    pub(crate) async fn fetch_optional(&mut self, sql: &str, args: &[Arg]) -> Result<Option<Row>, DbError> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    /// The one row of a query (the store is damaged when it has none).
    pub(crate) async fn fetch_one(&mut self, sql: &str, args: &[Arg]) -> Result<Row, DbError> {
        let row = self.fetch_optional(sql, args).await?;
        row.ok_or_else(|| self.fail(sqlx::Error::RowNotFound))
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), DbError> {
        let location = self.location;
        let done = match self.inner {
            Inner::Sqlite(tx) => tx.commit().await,
            Inner::Postgres(tx) => tx.commit().await,
            Inner::Lent(tx) => tx.commit().await,
        };
        done.map_err(|error| DbError { location, error })
    }

    fn fail(&self, error: sqlx::Error) -> DbError {
        DbError { location: self.location.clone(), error }
    }
}

/// A row of a query.
pub(crate) struct Row {
    row: Kind,
    location: Arc<str>,
}

enum Kind {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    /// The store the row came from, for messages.
    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    /// The value of column `column`.
    pub(crate) fn get<T>(&self, column: &str) -> Result<T, DbError>
    where
        T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>,
    {
        use sqlx::Row as _;
        let value = match &self.row {
            Kind::Sqlite(row) => row.try_get(column),
            Kind::Postgres(row) => row.try_get(column),
        };
        value.map_err(|error| DbError { location: self.location.clone(), error })
    }
}

#[cfg(test)]
mod tests {
    use super::{chunks, positional};

    #[test]
    fn placeholders_in_order_become_positional() {
        assert_eq!(positional("SELECT $1, $2 WHERE a IN ($3)").as_deref(), Some("SELECT ?, ? WHERE a IN (?)"));
        assert_eq!(positional("SELECT 1").as_deref(), Some("SELECT 1"));
        assert_eq!(
            positional("VALUES ($1, $2), ($3, $4), ($5, $6), ($7, $8), ($9, $10)").as_deref(),
            Some("VALUES (?, ?), (?, ?), (?, ?), (?, ?), (?, ?)")
        );
    }

    #[test]
    fn placeholders_out_of_order_or_repeated_stay_numbered() {
        assert_eq!(positional("UPDATE t SET a = $2 WHERE id = $1"), None);
        assert_eq!(positional("SELECT $1 WHERE $1 > 0"), None);
        assert_eq!(positional("SELECT $"), None);
    }

    #[test]
    fn rows_go_in_a_few_chunk_sizes() {
        let rows: Vec<usize> = (0..700).collect();
        let sizes: Vec<usize> = chunks(&rows).map(<[usize]>::len).collect();
        assert_eq!(sizes, [256, 256, 128, 32, 16, 8, 4]);
        assert_eq!(chunks(&rows).flatten().count(), 700);
        assert_eq!(chunks::<usize>(&[]).count(), 0);
    }
}
