//! Transactions on a connection lent by the engine's SQLite store
//! ([`engine::store::SharedConnection`]): in the process that runs the engine, the registry
//! works in the engine's file through the engine's own connection, since the engine holds the
//! file to itself.
//!
//! A [`LentTx`] is a job on the store's connection thread that begins a transaction and then
//! runs the statements sent to it, one at a time, until it is told to commit; when the handle is
//! dropped first, it rolls back. The engine's appends wait meanwhile, so registry transactions
//! stay short and never wait for the engine.

use std::future::Future;

use engine::store::SharedConnection;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use tokio::sync::{mpsc, oneshot};

use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Executor, Sqlite};

use crate::db::Arg;

/// A statement for the lent transaction.
enum Op {
    /// Run a statement; answers the rows it changed.
    Execute(String, Vec<Arg>),
    /// Run statements without arguments (a migration).
    Script(String),
    /// Run a query; answers its rows.
    FetchAll(String, Vec<Arg>),
    /// Commit and end.
    Commit,
}

/// What a statement gave back.
pub(crate) enum Answer {
    /// Rows changed.
    Changed(u64),
    /// Rows read.
    Rows(Vec<SqliteRow>),
}

type Reply = oneshot::Sender<Result<Answer, sqlx::Error>>;

/// An open transaction on the lent connection.
pub(crate) struct LentTx {
    ops: mpsc::UnboundedSender<(Op, Reply)>,
}

/// The error for a connection thread that went away (the engine's store was closed).
fn gone() -> sqlx::Error {
    sqlx::Error::Protocol("the engine's store closed while the registry was using it; reopen the engine".into())
}

impl LentTx {
    /// Begins a transaction with `begin` (`BEGIN IMMEDIATE` or `BEGIN`) on the shared connection.
    pub(crate) async fn begin(shared: &SharedConnection, begin: &'static str) -> Result<Self, sqlx::Error> {
        let (ops, inbox) = mpsc::unbounded_channel::<(Op, Reply)>();
        let (ready, begun) = oneshot::channel();
        shared
            .run(Box::new(move |connection| Box::pin(serve(connection, begin, ready, inbox))))
            .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        begun.await.map_err(|_| gone())??;
        Ok(Self { ops })
    }

    async fn send(&self, op: Op) -> Result<Answer, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        self.ops.send((op, reply)).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) async fn execute(&self, sql: &str, args: &[Arg]) -> Result<u64, sqlx::Error> {
        match self.send(Op::Execute(sql.to_owned(), args.to_vec())).await? {
            Answer::Changed(count) => Ok(count),
            Answer::Rows(_) => Err(gone()),
        }
    }

    /// Runs statements without arguments.
    pub(crate) async fn execute_script(&self, sql: &str) -> Result<(), sqlx::Error> {
        self.send(Op::Script(sql.to_owned())).await.map(drop)
    }

    /// The rows of a query.
    pub(crate) async fn fetch_all(&self, sql: &str, args: &[Arg]) -> Result<Vec<SqliteRow>, sqlx::Error> {
        match self.send(Op::FetchAll(sql.to_owned(), args.to_vec())).await? {
            Answer::Rows(rows) => Ok(rows),
            Answer::Changed(_) => Err(gone()),
        }
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.send(Op::Commit).await.map(drop)
    }
}

/// The lent job: begins, runs the statements sent until a commit, and rolls back when the
/// handle goes away without one.
async fn serve(
    connection: &mut SqliteConnection,
    begin: &'static str,
    ready: oneshot::Sender<Result<(), sqlx::Error>>,
    mut inbox: mpsc::UnboundedReceiver<(Op, Reply)>,
) {
    let started = run(connection, Op::Execute(begin.into(), Vec::new())).await.map(drop);
    let ok = started.is_ok();
    if ready.send(started).is_err() || !ok {
        if ok {
            let _ = run(connection, Op::Execute("ROLLBACK".into(), Vec::new())).await;
        }
        return;
    }
    while let Some((op, reply)) = inbox.recv().await {
        let commit = matches!(op, Op::Commit);
        let answer = run(connection, op).await;
        let committed = commit && answer.is_ok();
        let _ = reply.send(answer);
        if committed {
            return;
        }
        if commit {
            break;
        }
    }
    let _ = run(connection, Op::Execute("ROLLBACK".into(), Vec::new())).await;
}

/// Runs one statement. Through the `Executor` methods, whose futures are boxed: the compiler
/// cannot prove `Send` for every lifetime of the lent connection through sqlx's `async fn`s.
async fn run(connection: &mut SqliteConnection, op: Op) -> Result<Answer, sqlx::Error> {
    match &op {
        Op::Execute(sql, args) => {
            Executor::execute(&mut *connection, bind(sql, args)).await.map(|r| Answer::Changed(r.rows_affected()))
        }
        Op::Script(sql) => Executor::execute(&mut *connection, sql.as_str()).await.map(|_| Answer::Changed(0)),
        Op::FetchAll(sql, args) => Executor::fetch_all(&mut *connection, bind(sql, args)).await.map(Answer::Rows),
        Op::Commit => Executor::execute(&mut *connection, "COMMIT").await.map(|_| Answer::Changed(0)),
    }
}

/// `sql` with `args` bound in order.
fn bind<'q>(sql: &'q str, args: &'q [Arg]) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    let mut query = sqlx::query(sql);
    for arg in args {
        query = match arg {
            Arg::Int(value) => query.bind(*value),
            Arg::Text(value) => query.bind(value.as_deref()),
        };
    }
    query
}

/// The registry's own thread for work on a lent connection.
///
/// A lent transaction holds the engine's connection while its statements flow, and the engine's
/// commands wait for that connection while blocking the thread they run on. Were the
/// registry's work driven by the runtime that also runs those commands, every worker thread
/// could end up blocked behind a transaction that needs one of them to continue: so the
/// registry's operations run here, on a thread that never runs an engine command.
pub(crate) struct Detached {
    handle: tokio::runtime::Handle,
    /// Dropping it ends the thread.
    _stop: oneshot::Sender<()>,
}

impl Detached {
    /// Starts the thread.
    pub(crate) fn start() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new().name("persona-registry".into()).spawn(move || {
            runtime.block_on(async move {
                let _ = stopped.await;
            });
        })?;
        Ok(Self { handle, _stop: stop })
    }

    /// Runs `work` on the registry's thread and waits for it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, tokio::task::JoinError> {
        self.handle.spawn(work).await
    }
}

impl std::fmt::Debug for Detached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Detached")
    }
}
