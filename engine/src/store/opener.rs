//! [`open`]: one entry point for every store, chosen by the form of its location.

use super::{PgStore, RecordStore, SqliteStore, StoreError};

/// Opens the record store at `location`: a `postgres://` (or `postgresql://`) URL opens a
/// [`PgStore`], anything else is the path of a SQLite file ([`SqliteStore`]).
pub fn open(location: &str) -> Result<Box<dyn RecordStore>, StoreError> {
    if is_postgres_url(location) {
        Ok(Box::new(PgStore::open(location)?))
    } else {
        Ok(Box::new(SqliteStore::open(location)?))
    }
}

/// True when `location` names a PostgreSQL database rather than a file.
pub fn is_postgres_url(location: &str) -> bool {
    ["postgres://", "postgresql://"].iter().any(|scheme| location.starts_with(scheme))
}

/// Opens the record store at `location` to read it beside a running engine: a SQLite file
/// with [`SqliteStore::open_read_only`] (it must exist), a PostgreSQL log with
/// [`PgStore::open_read_only`]; neither locks or writes anything.
pub fn open_read_only(location: &str) -> Result<Box<dyn RecordStore>, StoreError> {
    if is_postgres_url(location) {
        Ok(Box::new(PgStore::open_read_only(location)?))
    } else {
        Ok(Box::new(SqliteStore::open_read_only(location)?))
    }
}
