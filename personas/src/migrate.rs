//! The registry's schema: sqlx migrations (`personas/migrations/{sqlite,postgres}/`, built into
//! the binary by `sqlx::migrate!`), applied and recorded in a table of the registry's own,
//! `persona_schema_migrations`.
//!
//! Why not `Migrator::run`: sqlx 0.8 records every migrator in the one table `_sqlx_migrations`
//! (a configurable table name only comes with sqlx 0.9), and the engine's migrator, which shares
//! the store, refuses a version it does not know, reading it as "written by a newer engine".
//! Distinct version numbers with `set_ignore_missing(true)` would have meant switching that
//! check off in the engine too. Applying the same embedded migrations with a table of our own
//! keeps the two schemas independent: neither migrator ever sees the other's rows.

use sqlx::migrate::Migrator;

use crate::db::{Db, args};
use crate::error::RegistryError;

/// The SQLite schema.
static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");

/// The PostgreSQL schema.
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The key of the transaction-scoped advisory lock that lets one process at a time migrate a
/// PostgreSQL database (FNV-1a of "persona registry migrations").
const MIGRATION_LOCK: i64 = {
    let text = b"persona registry migrations";
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < text.len() {
        hash ^= text[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash as i64
};

/// Brings the store's registry schema up to date, in one transaction: after a failure nothing of
/// it is applied. `now` is recorded as the time each migration was applied.
pub(crate) async fn migrate(db: &Db, now: i64) -> Result<(), RegistryError> {
    let migrator = if db.is_postgres() { &POSTGRES } else { &SQLITE };
    let mut tx = db.write().await?;
    if db.is_postgres() {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &args![MIGRATION_LOCK]).await?;
    }
    tx.execute_script(
        "CREATE TABLE IF NOT EXISTS persona_schema_migrations (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
    .await?;
    let applied = tx.fetch_all("SELECT version, checksum FROM persona_schema_migrations ORDER BY version", &[]).await?;
    let mut applied_versions = Vec::with_capacity(applied.len());
    for row in &applied {
        let version: i64 = row.get("version")?;
        let checksum: String = row.get("checksum")?;
        match migrator.iter().find(|m| m.version == version) {
            None => {
                return Err(schema_error(
                    db,
                    format!(
                        "the store's registry schema has migration {version}, which this program does not know: a newer orchestrator wrote it; use that one"
                    ),
                ));
            }
            Some(known) if hex(&known.checksum) != checksum => {
                return Err(schema_error(
                    db,
                    format!(
                        "registry migration {version} ({}) differs from the one applied to the store; restore the migration file as it was released",
                        known.description
                    ),
                ));
            }
            Some(_) => applied_versions.push(version),
        }
    }
    for migration in migrator.iter().filter(|m| !applied_versions.contains(&m.version)) {
        tx.execute_script(&migration.sql).await?;
        tx.execute(
            "INSERT INTO persona_schema_migrations (version, description, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            &args![migration.version, migration.description.as_ref(), hex(&migration.checksum), now],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn schema_error(db: &Db, message: String) -> RegistryError {
    RegistryError::Store { location: db.location().to_owned(), message }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
