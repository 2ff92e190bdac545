//! What only the PostgreSQL store does: several engines share one database, one log each, and
//! connection problems are reported with the URL (password hidden) and what to do.

mod backends;

use std::net::TcpListener;
use std::sync::Arc;

use backends::postgres_server::{empty_log_url, execute, log_name, server_url, with_database};
use engine::store::{PgStore, StoreError};
use engine::testing::{model, vars};
use engine::{EngineCore, VirtualClock};
use serde_json::json;

fn open_engine(url: &str) -> Result<EngineCore, StoreError> {
    EngineCore::open(engine::store::open(url)?, Arc::new(VirtualClock::default()))
}

/// `url` with the password of its user replaced by `password`.
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (user_info, host) = rest.split_once('@').expect("the test URL names a user");
    let user = user_info.split_once(':').map_or(user_info, |(user, _)| user);
    format!("{scheme}://{user}:{password}@{host}")
}

/// An error names the store without its password.
fn assert_redacted(error: &StoreError, password: &str) {
    assert!(error.location.starts_with("postgres"), "names the URL: {error}");
    assert!(!error.to_string().contains(&format!(":{password}@")), "the password is hidden: {error}");
}

#[test]
fn a_second_engine_on_the_same_log_is_refused_and_told_who_holds_it() {
    let url = empty_log_url("postgres_store::same_log");
    let first = PgStore::open(&url).expect("the first engine opens the log");
    let error = PgStore::open(&url).expect_err("a second engine on the same log is refused");
    assert!(error.message.contains(&format!("log '{}' is held by another engine", first.log())), "{error}");
    let holder = format!("orchestrator engine pid {} log {}", std::process::id(), first.log());
    assert!(error.message.contains(&holder), "names the holder '{holder}': {error}");
    assert!(error.message.contains("?log=<name>"), "says how to use another log: {error}");
    assert_redacted(&error, "orchestrator");
    drop(first);
    PgStore::open(&url).expect("the log opens once the first engine let go");
}

#[test]
fn engines_on_different_logs_share_a_database_without_seeing_each_other() {
    let url_a = empty_log_url("postgres_store::shared_a");
    let url_b = empty_log_url("postgres_store::shared_b");
    let (a, b) = {
        let mut first = open_engine(&url_a).expect("engine A opens its log");
        let mut second = open_engine(&url_b).expect("engine B opens its log while A holds its own");
        first.deploy_model("a.bpmn", &model::service_task_process("only-in-a", "work")).expect("A deploys");
        second.deploy_model("b.bpmn", &model::service_task_process("only-in-b", "work")).expect("B deploys");
        let a = first.create_instance("only-in-a", None, vars(json!({"who": "a"}))).expect("A starts");
        let b = second.create_instance("only-in-b", None, vars(json!({"who": "b"}))).expect("B starts");
        (a.process_instance_key, b.process_instance_key)
    };
    let mut first = open_engine(&url_a).expect("A reopens");
    let mut second = open_engine(&url_b).expect("B reopens");
    assert_eq!(first.variable(a, "who"), Some(json!("a")), "A rebuilt its own instance");
    assert_eq!(second.variable(b, "who"), Some(json!("b")), "B rebuilt its own instance");
    assert!(second.create_instance("only-in-a", None, vars(json!({}))).is_err(), "B does not know A's process");
    assert!(first.create_instance("only-in-b", None, vars(json!({}))).is_err(), "A does not know B's process");
}

#[test]
fn an_unreachable_server_is_reported_with_what_to_do() {
    server_url(); // the URL's form comes from the test server; the port is one nothing listens on
    let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port();
    let url = format!("postgres://orchestrator:s3cret@127.0.0.1:{port}/orchestrator?log=down");
    let error = PgStore::open(&url).expect_err("nothing listens there");
    assert!(error.message.contains(&format!("cannot reach the PostgreSQL server at 127.0.0.1:{port}")), "{error}");
    assert!(error.message.contains("db/postgres.sh start"), "says how to start it: {error}");
    assert_eq!(error.location, format!("postgres://orchestrator:***@127.0.0.1:{port}/orchestrator?log=down"));
    assert_redacted(&error, "s3cret");
}

#[test]
fn a_wrong_password_is_reported_without_showing_it() {
    let url = with_password(&empty_log_url("postgres_store::wrong_password"), "not-the-password");
    let error = PgStore::open(&url).expect_err("the server refuses the login");
    assert!(error.message.contains("check the user and password in the URL"), "{error}");
    assert_redacted(&error, "not-the-password");
}

#[test]
fn a_missing_database_is_reported_with_how_to_create_it() {
    let url = with_database(&server_url(), "no_such_database_here");
    let error = PgStore::open(&url).expect_err("there is no such database");
    assert!(error.message.contains("database 'no_such_database_here' does not exist"), "{error}");
    assert!(error.message.contains("createdb no_such_database_here"), "says what to do: {error}");
    assert_redacted(&error, "orchestrator");
}

#[test]
fn bad_urls_and_log_names_are_refused_before_connecting() {
    let error = engine::store::open("postgres://me:pw@127.0.0.1:notaport/db").map(|_| ()).expect_err("no port");
    assert!(error.message.contains("write it as postgres://user:password@host:port/database?log=<name>"), "{error}");
    assert_redacted(&error, "pw");
    let error =
        engine::store::open("postgresql://me:pw@127.0.0.1/db?log=two%20words").map(|_| ()).expect_err("bad log");
    assert!(error.message.contains("the log name 'two%20words' in the URL is not usable"), "{error}");
    assert_redacted(&error, "pw");
}

#[test]
fn the_opener_picks_postgresql_for_urls_and_sqlite_for_paths() {
    let url = empty_log_url("postgres_store::opener");
    let store = engine::store::open(&url).expect("opens the log");
    assert!(store.location().starts_with("postgres://") && store.location().contains(":***@"), "{}", store.location());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("engine.db");
    let file = engine::store::open(&path.display().to_string()).expect("opens the file");
    assert_eq!(file.location(), path.display().to_string());
    assert!(path.exists(), "a path makes a SQLite file");
}

#[test]
fn a_lost_connection_fails_the_next_command_and_frees_the_log() {
    // A short log name keeps the engine's application name within PostgreSQL's 63 characters.
    let url = empty_log_url("postgres_store::lost");
    let mut core = open_engine(&url).expect("opens");
    core.deploy_model("order.bpmn", &model::service_task_process("order", "charge")).expect("deploys");
    let log = log_name("postgres_store::lost");
    let terminated = execute(
        &server_url(),
        &[&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'orchestrator engine pid {} log {log}'",
            std::process::id()
        )],
    );
    assert_eq!(terminated, vec![1], "the engine's server process was found and ended");
    let error = core.create_instance("order", None, vars(json!({}))).expect_err("the start cannot be stored");
    assert_eq!(error.code(), "UNAVAILABLE", "{error}");
    assert!(error.to_string().contains("reopen the engine"), "says what to do: {error}");
    drop(core);
    let mut reopened = open_engine(&url).expect("the log is free again and reopens");
    reopened.create_instance("order", None, vars(json!({}))).expect("the deployment survived and the log takes writes");
}

/// Runs `db/postgres.sh <verb>` with `env` on a cluster folder of its own; returns the exit
/// code and what it printed.
fn server_script(verb: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../db/postgres.sh");
    let output = std::process::Command::new("bash")
        .arg(script)
        .arg(verb)
        .env("ORCHESTRATOR_PG_DIR", dir.path().join("cluster"))
        .envs(env.iter().copied())
        .output()
        .expect("bash runs the script");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.code(), text)
}

#[test]
fn the_server_script_explains_bad_settings_and_reports_a_stopped_server() {
    let (code, text) = server_script("start", &[("ORCHESTRATOR_PG_BIN", "/no/such/folder")]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("apt-get install postgresql"), "says how to install PostgreSQL: {text}");
    let (code, text) = server_script("url", &[("ORCHESTRATOR_PG_PORT", "not-a-port")]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("ORCHESTRATOR_PG_PORT must be a TCP port number, not 'not-a-port'"), "{text}");
    let (code, text) = server_script("status", &[]);
    assert_eq!((code, text.trim()), (Some(3), "stopped"), "a cluster that never started is stopped");
    let (code, text) = server_script("url", &[("ORCHESTRATOR_PG_PORT", "54321")]);
    assert_eq!((code, text.trim()), (Some(0), "postgres://orchestrator:orchestrator@127.0.0.1:54321/orchestrator"));
    let (code, text) = server_script("frobnicate", &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("usage:"), "{text}");
}
