//! PostgreSQL failures in words: what failed and what to do about it.

use std::io::ErrorKind;
use std::time::Duration;

use super::location::PgLocation;

/// A `sqlx` error of the store at `at`, with advice chosen by its kind and SQLSTATE.
pub(crate) fn describe(error: &sqlx::Error, at: &PgLocation) -> String {
    let server = &at.server;
    match error {
        sqlx::Error::Io(e) if matches!(e.kind(), ErrorKind::ConnectionRefused | ErrorKind::NotFound) => format!(
            "cannot reach the PostgreSQL server at {server} ({e}); start it (the local test server: db/postgres.sh start) or fix the host and port in the URL"
        ),
        sqlx::Error::Io(e) => format!(
            "the connection to the PostgreSQL server at {server} failed ({e}); once the server is reachable, reopen the engine"
        ),
        sqlx::Error::Tls(e) => {
            format!("TLS with the PostgreSQL server at {server} failed ({e}); check `sslmode` in the URL")
        }
        sqlx::Error::Database(e) => {
            let code = e.code().unwrap_or_default();
            match &*code {
                "28P01" | "28000" => format!(
                    "the PostgreSQL server at {server} refused user '{}' ({e}); check the user and password in the URL",
                    at.user
                ),
                "3D000" => format!(
                    "database '{0}' does not exist on {server} ({e}); create it (createdb {0}) or fix the database name in the URL",
                    at.database
                ),
                "53300" => format!(
                    "the PostgreSQL server at {server} has no free connection slot ({e}); stop some of its clients or raise max_connections"
                ),
                "57P01" | "57P02" | "57P03" => format!(
                    "the PostgreSQL server at {server} ended or refused this engine's connection ({e}); the log's lock went with it: reopen the engine once the server is up"
                ),
                "42501" => format!(
                    "user '{}' lacks a privilege in database '{}' ({e}); let it create tables there (GRANT CREATE ON SCHEMA public) or use the database owner",
                    at.user, at.database
                ),
                _ => format!("{e} (SQLSTATE {code}); check the database, then reopen the engine"),
            }
        }
        other => format!("{other}; check that {server} is a reachable PostgreSQL server, then reopen the engine"),
    }
}

/// The server did not answer a connection attempt in time.
pub(crate) fn no_answer(at: &PgLocation, waited: Duration) -> String {
    format!(
        "no answer from the PostgreSQL server at {} within {} s; check that it runs and that the host and port in the URL are right",
        at.server,
        waited.as_secs()
    )
}

/// Applying the schema migrations failed.
pub(crate) fn migration_failed(error: sqlx::migrate::MigrateError, at: &PgLocation) -> String {
    match error {
        sqlx::migrate::MigrateError::Execute(e) => describe(&e, at),
        sqlx::migrate::MigrateError::VersionMissing(version) => format!(
            "database '{}' has schema migration {version}, which this engine does not know: it was written by a newer engine; open it with that engine",
            at.database
        ),
        other => format!(
            "cannot prepare the schema of database '{}' ({other}); restore the database from a backup, or use an empty database",
            at.database
        ),
    }
}
