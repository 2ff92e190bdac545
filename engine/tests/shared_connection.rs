//! [`SharedConnection`]: work lent to a SQLite store's own connection sees the engine's file
//! (which no second connection may open) and stops working once the store is dropped.

use std::sync::mpsc;

use engine::store::{RecordStore, SharedConnection, SqliteStore};

/// Runs `SELECT COUNT(*) FROM sqlite_master WHERE name = 'log_batch'` on the lent connection.
fn count_log_tables(shared: &SharedConnection) -> Result<i64, String> {
    let (reply, answer) = mpsc::channel();
    shared
        .run(Box::new(move |connection| {
            Box::pin(async move {
                let counted =
                    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'log_batch'")
                        .fetch_one(connection)
                        .await;
                let _ = reply.send(counted.map_err(|e| e.to_string()));
            })
        }))
        .map_err(|e| e.to_string())?;
    answer.recv().map_err(|e| e.to_string())?
}

#[test]
fn a_lent_job_reads_the_engines_file_until_the_store_is_dropped() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("state.db");
    let store = SqliteStore::open(&path).expect("opens");
    let shared = store.shared_connection();
    assert_eq!(shared.location(), store.location());
    assert_eq!(count_log_tables(&shared), Ok(1), "the engine's schema is visible on its connection");
    drop(store);
    let error = count_log_tables(&shared).expect_err("the store is gone");
    assert!(error.contains("closed"), "{error}");
}
