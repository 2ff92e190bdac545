//! A durable engine refuses a damaged or foreign record log with an error that names the file
//! and says what to do, and reports a store that stops accepting writes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use engine::store::format::{records_from_json, records_to_json};
use engine::store::{EncodedEntry, RecordStore, SqliteStore, StoreError, StoredLog};
use engine::testing::model;
use engine::testing::vars;
use engine::{EngineCore, EngineError, VirtualClock};
use serde_json::json;

/// A store file with one deployed process and one waiting instance.
fn store_with_an_instance(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("engine.db");
    let store = SqliteStore::open(&path).expect("opens");
    let mut core = EngineCore::open(Box::new(store), Arc::new(VirtualClock::default())).expect("opens");
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    core.create_instance("order", None, vars(json!({"n": 1}))).expect("starts");
    path
}

/// Runs SQL on the file behind the engine's back (what a damaged disk or a careless hand does).
fn tamper(path: &Path, statement: &str) {
    use sqlx::{ConnectOptions, Connection};
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(async {
        let mut connection =
            sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.expect("connects");
        sqlx::query(statement).execute(&mut connection).await.expect("tampers");
        connection.close().await.expect("closes");
    });
}

/// Rewrites the stored records with `edit` (given each record as JSON in its stored structure;
/// it returns true when it changed one), entry by entry, behind the engine's back.
fn tamper_records(path: &Path, edit: impl Fn(&mut serde_json::Value) -> bool) {
    use sqlx::{ConnectOptions, Connection, Row};
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(async {
        let mut connection =
            sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.expect("connects");
        let rows =
            sqlx::query("SELECT position, records FROM log_entry").fetch_all(&mut connection).await.expect("reads");
        let mut changed = 0;
        for row in rows {
            let position: i64 = row.get("position");
            let blob: Vec<u8> = row.get("records");
            let mut values = records_to_json(&blob).expect("the stored records read");
            if values.iter_mut().map(&edit).fold(false, |a, b| a | b) {
                changed += 1;
                sqlx::query("UPDATE log_entry SET records = ? WHERE position = ?")
                    .bind(records_from_json(&values).expect("encodes"))
                    .bind(position)
                    .execute(&mut connection)
                    .await
                    .expect("writes");
            }
        }
        assert!(changed > 0, "the tampering found a record to change");
        connection.close().await.expect("closes");
    });
}

/// The JSON value at a path of object keys, for editing.
fn at<'a>(value: &'a mut serde_json::Value, path: &[&str]) -> Option<&'a mut serde_json::Value> {
    path.iter().try_fold(value, |v, key| v.get_mut(*key))
}

fn open(path: &Path) -> Result<EngineCore, StoreError> {
    let store = SqliteStore::open(path)?;
    EngineCore::open(Box::new(store), Arc::new(VirtualClock::default()))
}

fn assert_refused(path: &Path, expected: &[&str]) {
    let error = open(path).expect_err("the damaged log is refused");
    let text = error.to_string();
    assert!(text.contains(&path.display().to_string()), "names the file: {text}");
    for part in expected {
        assert!(text.contains(part), "says '{part}': {text}");
    }
}

#[test]
fn an_unreadable_record_is_refused_with_its_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper(&path, "UPDATE log_entry SET records = substr(records, 1, 10) WHERE position = 2");
    assert_refused(&path, &["position 2", "cannot be read", "restore the file from a backup"]);
}

#[test]
fn a_record_that_does_not_fit_the_log_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper_records(&path, |record| {
        at(record, &["value", "SequenceFlow", "flow"]).map(|flow| *flow = json!(9999)).is_some()
    });
    assert_refused(&path, &["does not fit the records before it", "backup"]);
}

#[test]
fn a_stored_resource_that_no_longer_reads_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper_records(&path, |record| {
        at(record, &["value", "Process", "resource", "Text"]).map(|text| *text = json!("not xml")).is_some()
    });
    assert_refused(&path, &["order.bpmn", "no longer reads", "position 1"]);
}

#[test]
fn a_resource_that_recompiles_to_other_elements_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper_records(&path, |record| {
        at(record, &["value", "Process", "shape"]).map(|shape| *shape = json!(12345)).is_some()
    });
    assert_refused(&path, &["order.bpmn", "other elements than the deployed one", "engine version that wrote it"]);
}

#[test]
fn a_log_in_a_newer_record_format_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper(&path, "UPDATE engine_meta SET format_version = format_version + 1");
    assert_refused(&path, &["newer engine that wrote it"]);
}

#[test]
fn a_log_in_an_older_record_format_is_refused_saying_there_is_no_converter() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper(&path, "UPDATE engine_meta SET format_version = 1");
    assert_refused(&path, &["older record format 1", "no converter", "move the file away"]);
}

#[test]
fn an_entry_with_fewer_records_than_it_says_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper(&path, "UPDATE log_entry SET record_count = record_count + 1 WHERE position = 2");
    assert_refused(&path, &["position 2", "instead of", "backup"]);
}

#[test]
fn an_entry_whose_cause_does_not_read_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper(&path, "UPDATE log_entry SET cause = '{\"kind\":\"alien\"}' WHERE position = 2");
    assert_refused(&path, &["position 2", "cause that cannot be read"]);
}

#[test]
fn a_schema_from_a_newer_engine_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper(
        &path,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'future', 1, x'00', 0)",
    );
    assert_refused(&path, &["migration 99", "newer engine"]);
}

#[test]
fn a_log_without_its_meta_row_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_with_an_instance(&dir);
    tamper(&path, "DELETE FROM engine_meta");
    assert_refused(&path, &["engine_meta has no row", "backup"]);
}

#[test]
fn a_file_in_a_missing_folder_is_refused_with_advice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no-such-folder").join("engine.db");
    let error = SqliteStore::open(&path).expect_err("cannot be created");
    assert!(error.to_string().contains(&path.display().to_string()), "names the file: {error}");
    assert!(error.message.contains("check that the file is readable and writable"), "says what to do: {error}");
}

/// A store that accepts the writes of opening and then refuses exactly one append.
struct RefusesOneAppend {
    appends: u32,
}

impl RecordStore for RefusesOneAppend {
    fn append(&mut self, _entries: &[EncodedEntry], _key_counter: i64) -> Result<(), StoreError> {
        self.appends += 1;
        match self.appends {
            2 => Err(StoreError::new(self.location(), "disk full")),
            _ => Ok(()),
        }
    }

    fn read_log(&mut self, _after: i64) -> Result<StoredLog, StoreError> {
        Ok(StoredLog { format_version: engine::store::RECORD_FORMAT_VERSION, ..StoredLog::default() })
    }

    fn location(&self) -> &str {
        "memory:refuses-one"
    }
}

#[test]
fn a_failed_write_fails_the_command_and_every_later_one() {
    let store = RefusesOneAppend { appends: 0 };
    let mut core = EngineCore::open(Box::new(store), Arc::new(VirtualClock::default())).expect("opens");
    let error = core
        .deploy_model("order.bpmn", &model::service_task_process("order", "charge"))
        .expect_err("the deployment was not stored");
    let EngineError::Unavailable(message) = &error else { panic!("UNAVAILABLE expected: {error}") };
    assert!(message.contains("memory:refuses-one") && message.contains("disk full"), "{message}");
    assert!(message.contains("reopen the engine"), "says what to do: {message}");
    let later = core.broadcast_signal("anything", vars(json!({}))).expect_err("still refused");
    assert_eq!(later.code(), "UNAVAILABLE");
}
