//! A durable engine refuses a damaged or foreign record log with an error that names the store
//! and says what to do, and reports a store that stops accepting writes. The damage tests run
//! on SQLite (`sqlite::<test>`) and on PostgreSQL (`postgres::<test>`); see `backends/`.

mod backends;

use std::sync::Arc;

use backends::{Damage, TestStore, on_every_backend};
use engine::store::{EncodedEntry, RecordStore, SqliteStore, StoreError, StoredLog};
use engine::testing::model;
use engine::testing::vars;
use engine::{EngineCore, EngineError, VirtualClock};
use serde_json::json;

on_every_backend!(
    an_unreadable_record_is_refused_with_its_position,
    a_record_that_does_not_fit_the_log_is_refused,
    a_record_whose_intent_is_not_its_values_is_refused,
    a_record_naming_an_element_the_process_lacks_is_refused,
    a_stored_resource_that_no_longer_reads_is_refused,
    a_resource_that_recompiles_to_other_elements_is_refused,
    a_log_in_a_newer_record_format_is_refused,
    a_log_without_its_meta_row_is_refused,
    a_log_in_an_older_record_format_is_refused_saying_there_is_no_converter,
    an_entry_with_fewer_records_than_it_says_is_refused,
    an_entry_whose_cause_does_not_read_is_refused,
);

/// Gives `store` one deployed process and one waiting instance.
fn with_an_instance(store: &TestStore) {
    let mut core = store.open_engine_ok(&VirtualClock::default());
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    core.create_instance("order", None, vars(json!({"n": 1}))).expect("starts");
}

fn assert_refused(store: &TestStore, expected: &[&str]) {
    let error = store.open_engine(&VirtualClock::default()).map(|_| ()).expect_err("the damaged log is refused");
    let text = error.to_string();
    assert!(text.contains(&store.shown_location()), "names the store: {text}");
    for part in expected {
        assert!(text.contains(part), "says '{part}': {text}");
    }
}

fn an_unreadable_record_is_refused_with_its_position(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::CutBatch { first_position: 2 });
    assert_refused(store, &["position 2", "does not decompress", "from a backup"]);
}

fn a_record_that_does_not_fit_the_log_is_refused(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::SetJson { pointer: "/2/SequenceFlow/1", value: json!(9999) });
    assert_refused(store, &["does not fit the records before it", "names sequence flow 9999", "backup"]);
}

fn a_record_naming_an_element_the_process_lacks_is_refused(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::SetJson { pointer: "/2/Element/1", value: json!(4242) });
    assert_refused(store, &["names element 4242, which process order does not have", "backup"]);
}

fn a_record_whose_intent_is_not_its_values_is_refused(store: &TestStore) {
    with_an_instance(store);
    // Records are stored as [key, intent, value]: every record now claims to create a job.
    store.damage(Damage::SetJson { pointer: "/1", value: json!("JobCreated") });
    assert_refused(store, &["position 1", "(JobCreated) is not an intent of a process record", "backup"]);
}

fn a_stored_resource_that_no_longer_reads_is_refused(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::SetJson { pointer: "/2/Process/5/Text", value: json!("not xml") });
    assert_refused(store, &["order.bpmn", "no longer reads", "position 1"]);
}

fn a_resource_that_recompiles_to_other_elements_is_refused(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::SetJson { pointer: "/2/Process/6", value: json!(12345) });
    assert_refused(store, &["order.bpmn", "other elements than the deployed one", "engine version that wrote it"]);
}

fn a_log_in_a_newer_record_format_is_refused(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::FormatVersion(engine::store::RECORD_FORMAT_VERSION + 1));
    assert_refused(store, &["newer engine that wrote it"]);
}

fn a_log_in_an_older_record_format_is_refused_saying_there_is_no_converter(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::FormatVersion(1));
    assert_refused(store, &["older record format 1", "no converter", "move the file away"]);
}

fn an_entry_with_fewer_records_than_it_says_is_refused(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::EditEntries(&|entry| entry.record_count += 1));
    assert_refused(store, &["position 1", "instead of", "backup"]);
}

fn an_entry_whose_cause_does_not_read_is_refused(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::EditEntries(&|entry| entry.cause = r#"{"kind":"alien"}"#.into()));
    assert_refused(store, &["position 1", "cause that cannot be read"]);
}

/// A store file with a deployment and a start, each one batch.
fn sqlite_with_an_instance() -> TestStore {
    let store = TestStore::sqlite();
    with_an_instance(&store);
    store
}

#[test]
fn a_missing_batch_is_refused_naming_the_gap() {
    let store = sqlite_with_an_instance();
    let TestStore::Sqlite { path, .. } = &store else { unreachable!("a SQLite store") };
    tamper(path, "DELETE FROM log_batch WHERE first_position = 2");
    let mut core = store.open_engine_ok(&VirtualClock::default());
    core.create_instance("order", None, vars(json!({}))).expect("starts");
    drop(core);
    tamper(path, "DELETE FROM log_batch WHERE first_position = 1");
    assert_refused(&store, &["no entries from position 1 to 1", "backup"]);
}

/// Runs SQL on the SQLite file behind the engine's back.
fn tamper(path: &std::path::Path, statement: &str) {
    use sqlx::{ConnectOptions, Connection};
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(async {
        let mut connection =
            sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.expect("connects");
        sqlx::query(statement).execute(&mut connection).await.expect("tampers");
        connection.close().await.expect("closes");
    });
}

fn a_log_without_its_meta_row_is_refused(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::DeleteMeta);
    assert_refused(store, &["engine_meta has no row", "backup"]);
}

/// A schema migration marks the whole database, so on PostgreSQL this test gets a database of its own.
fn a_schema_from_a_newer_engine_is_refused(store: &TestStore) {
    with_an_instance(store);
    store.damage(Damage::FutureMigration);
    assert_refused(store, &["migration 99", "newer engine"]);
}

#[test]
fn sqlite_a_schema_from_a_newer_engine_is_refused() {
    a_schema_from_a_newer_engine_is_refused(&TestStore::sqlite());
}

#[test]
fn postgres_a_schema_from_a_newer_engine_is_refused() {
    a_schema_from_a_newer_engine_is_refused(&TestStore::postgres_database("durable_damage::postgres::newer_schema"));
}

#[test]
fn a_file_in_a_missing_folder_is_refused_with_advice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no-such-folder").join("engine.db");
    let error = SqliteStore::open(&path).expect_err("cannot be created");
    assert!(error.to_string().contains(&path.display().to_string()), "names the file: {error}");
    assert!(error.message.contains("no-such-folder does not exist; check the path"), "says what to do: {error}");
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
