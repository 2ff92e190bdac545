//! The PostgreSQL server of the storage tests.
//!
//! CI starts it and passes its URL in `ORCHESTRATOR_TEST_POSTGRES_URL`. When that is unset, the
//! first test that needs it runs `db/postgres.sh start` (which creates a throwaway cluster under
//! `db/target/` on `ORCHESTRATOR_PG_PORT`, default 55432); the server keeps running after the
//! tests (`db/postgres.sh stop` stops it). Without PostgreSQL installed, the tests fail and say
//! how to install it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use sqlx::Connection;

/// The variable naming the server (a `postgres://` URL) the tests use instead of starting one.
pub const URL_ENV: &str = "ORCHESTRATOR_TEST_POSTGRES_URL";

/// How long one setup statement (create or reset a database or log) may take.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(60);

/// The URL of the test server's database: `$ORCHESTRATOR_TEST_POSTGRES_URL`, or the one
/// `db/postgres.sh start` prints after starting the local server (once per test binary).
pub fn server_url() -> String {
    static URL: OnceLock<Result<String, String>> = OnceLock::new();
    match URL.get_or_init(find_or_start) {
        Ok(url) => url.clone(),
        Err(problem) => panic!("no PostgreSQL server for this test: {problem}"),
    }
}

fn find_or_start() -> Result<String, String> {
    if let Ok(url) = std::env::var(URL_ENV)
        && !url.trim().is_empty()
    {
        return Ok(url.trim().to_string());
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../db/postgres.sh");
    let output = Command::new("bash")
        .arg(&script)
        .arg("start")
        .output()
        .map_err(|e| format!("cannot run {} start: {e}", script.display()))?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        return Err(format!(
            "`db/postgres.sh start` failed ({}); set {URL_ENV} to a server's URL or fix what it says:\n{text}",
            output.status
        ));
    }
    match text.lines().rev().find(|line| line.starts_with("postgres://")) {
        Some(url) => Ok(url.to_string()),
        None => Err(format!("`db/postgres.sh start` printed no postgres:// URL:\n{text}")),
    }
}

/// `url` with its database replaced by `database` (the query, if any, is kept).
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(base, query)| (base, Some(query)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// `url` with `log=<log>` added to its query.
pub fn with_log(url: &str, log: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}log={log}")
}

/// Runs `statements` on `url`, one by one, and returns the rows-affected counts.
pub fn execute(url: &str, statements: &[&str]) -> Vec<u64> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let work = async {
            let mut connection =
                sqlx::PgConnection::connect(url).await.expect("the test database accepts a connection");
            let mut affected = Vec::new();
            for statement in statements {
                let result = sqlx::query(statement).execute(&mut connection).await;
                affected.push(result.unwrap_or_else(|e| panic!("`{statement}` fails: {e}")).rows_affected());
            }
            connection.close().await.expect("closes");
            affected
        };
        tokio::time::timeout(STATEMENT_TIMEOUT, work).await.expect("the test database answers in time")
    })
}

/// Rewrites the log's batches with `edit` (given a batch's first position and bytes, it returns
/// the new bytes, or `None` to leave the batch); returns how many batches it changed.
pub fn rewrite_batches(url: &str, log: &str, edit: &super::BatchEdit<'_>) -> usize {
    use sqlx::Row;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let mut connection = sqlx::PgConnection::connect(url).await.expect("the test database accepts a connection");
        let rows = sqlx::query("SELECT first_position, entries FROM log_batch WHERE log = $1")
            .bind(log)
            .fetch_all(&mut connection)
            .await
            .expect("reads the batches");
        let mut changed = 0;
        for row in rows {
            let first: i64 = row.get("first_position");
            let bytes: Vec<u8> = row.get("entries");
            if let Some(new) = edit(first, &bytes) {
                sqlx::query("UPDATE log_batch SET entries = $1 WHERE log = $2 AND first_position = $3")
                    .bind(new)
                    .bind(log)
                    .bind(first)
                    .execute(&mut connection)
                    .await
                    .expect("writes the batch");
                changed += 1;
            }
        }
        connection.close().await.expect("closes");
        changed
    })
}

/// A log name for the test `test` (a full path like `durable::postgres::name`): readable,
/// at most 63 characters, and different for different tests.
pub fn log_name(test: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in test.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let readable: String = test.rsplit("::").next().unwrap_or(test).chars().take(40).collect();
    format!("{readable}-{hash:016x}")
}

/// The URL of an empty log of its own for `test` in the test server's database (whatever an
/// earlier run left in that log is deleted first).
pub fn empty_log_url(test: &str) -> String {
    let url = server_url();
    let log = log_name(test);
    // On a new database the tables are not there yet: the first store that opens creates them.
    let reset = format!(
        "DO $$ BEGIN \
           IF to_regclass('record_log') IS NOT NULL THEN DELETE FROM record_log WHERE log = '{log}'; END IF; \
           IF to_regclass('log_batch') IS NOT NULL THEN DELETE FROM log_batch WHERE log = '{log}'; END IF; \
           IF to_regclass('snapshot') IS NOT NULL THEN DELETE FROM snapshot WHERE log = '{log}'; END IF; \
           IF to_regclass('engine_meta') IS NOT NULL THEN DELETE FROM engine_meta WHERE log = '{log}'; END IF; \
         END $$"
    );
    execute(&url, &[&reset]);
    with_log(&url, &log)
}

/// The URL of a new, empty database of its own for `test` (dropped and created again).
pub fn empty_database_url(test: &str) -> String {
    let url = server_url();
    let database = log_name(test).replace(['-', '.'], "_");
    execute(
        &url,
        &[&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"), &format!("CREATE DATABASE {database}")],
    );
    with_database(&url, &database)
}
