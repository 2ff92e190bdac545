//! Wire-level tests against llm-katan, a provider emulator written by others that speaks the
//! OpenAI, Anthropic and Gemini formats with an echo backend and injects failures. Each test
//! starts its own servers through `llm::testing::Katan` (which installs llm-katan if missing);
//! a test fails, loudly, when llm-katan cannot be installed or started.
//!
//! The echo backend answers with the last user message, so a prompt that carries a JSON object
//! makes the "model" answer with that object.
//!
//! This file has its own `main` (harness = false): keys come from environment variables, and
//! setting variables in-process needs `unsafe` (forbidden here), so `main` re-runs itself once
//! with the test keys in its environment, then runs the tests on threads of their own.

use std::future::Future;
use std::io::Write as _;
use std::pin::Pin;
use std::process::{Command, ExitCode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod llm_support;

use actions::OutputShapes;
use actions::llm::LlmHandler;
use llm::testing::Katan;
use llm::{Chain, ChainOptions, CircuitState, Message, ProviderConfig, ProviderKind};
use llm_support::{Priced, Seen};
use serde_json::Value;
use workers::spend::{NoSpendLimit, SpendGate};
use workers::{Job, JobHandler, JobOutcome};

/// Holds a key that llm-katan only checks for presence.
const KEY_VAR: &str = "LLM_KATAN_TEST_KEY";
/// Holds the secret whose value must never show up anywhere.
const SECRET_VAR: &str = "LLM_KATAN_TEST_SECRET";
fn provider(name: &str, kind: ProviderKind, base_url: String, key_var: &str) -> ProviderConfig {
    ProviderConfig { name: name.into(), kind, base_url, model: "echo-model".into(), api_key_env: Some(key_var.into()) }
}

fn openai(name: &str, katan: &Katan) -> ProviderConfig {
    provider(name, ProviderKind::OpenAiCompatible, format!("{}/v1", katan.url()), KEY_VAR)
}

fn options() -> ChainOptions {
    ChainOptions {
        timeout: Duration::from_secs(10),
        retries: 1,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        ..ChainOptions::default()
    }
}

/// Dollars per 1,000 input and output tokens.
const PRICE: (f64, f64) = (0.5, 1.5);

fn handler(providers: Vec<ProviderConfig>, options: ChainOptions, gate: Arc<dyn SpendGate>) -> LlmHandler {
    LlmHandler::new(Chain::new(providers, options).unwrap(), gate)
}

/// A prompt that makes the echo backend answer validly, and the outputs it fits.
const PROMPT: &str = r#"Review the change. Reply {"VERDICT": "approve", "SCORE": 3}"#;
const OUTPUTS: &str = r#"{"VERDICT": ["approve", "reject"], "SCORE": "number"}"#;

fn job(key: i64) -> Job {
    Job {
        job_type: "llm".into(),
        key,
        element_id: "review".into(),
        element_instance_key: 1,
        bpmn_process_id: "p".into(),
        process_definition_key: 1,
        process_instance_key: 1,
        variables: workers::Variables::from_iter([("prompt".to_owned(), Value::from(PROMPT))]),
        custom_headers: [("outputs".to_owned(), OUTPUTS.to_owned())].into(),
        retries: 3,
        deadline: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        worker: "test".into(),
    }
}

/// The variables of a completed job; panics with the outcome otherwise.
async fn completed(handler: &LlmHandler, key: i64) -> workers::Variables {
    match handler.handle(&job(key)).await {
        JobOutcome::Complete { variables } => variables,
        other => panic!("expected the job to complete, got {other:?}"),
    }
}

async fn primary_429_falls_over_to_the_secondary() {
    let primary = Katan::start(&["--rate-limit-after", "1"]);
    let secondary = Katan::start(&[]);
    let alone = handler(vec![openai("primary", &primary)], options(), Arc::new(NoSpendLimit));
    assert_eq!(completed(&alone, 1).await["llm_usage"]["provider"], "primary", "its one request before the limit");

    let chain =
        handler(vec![openai("primary", &primary), openai("secondary", &secondary)], options(), Arc::new(NoSpendLimit));
    let variables = completed(&chain, 2).await;
    assert_eq!(variables["llm_usage"]["provider"], "secondary");
    assert_eq!(variables["VERDICT"], "approve");
    assert_eq!(primary.requests("openai").await, 3, "1 before the limit, then a 429 and one retry");
    assert_eq!(secondary.requests("openai").await, 1);
}

async fn the_circuit_opens_after_n_failures_and_half_opens_after_the_cool_down() {
    let primary = Katan::start(&["--error-rate", "1.0"]);
    let secondary = Katan::start(&[]);
    let cool_down = Duration::from_millis(1500);
    let options = ChainOptions { failure_threshold: 3, cool_down, ..options() };
    let chain = Chain::new(vec![openai("primary", &primary), openai("secondary", &secondary)], options).unwrap();
    let hi = [Message::user("hi")];
    let ask = || chain.complete(&hi);

    assert_eq!(ask().await.unwrap().usage.provider, "secondary");
    assert_eq!(chain.circuit("primary"), Some(CircuitState::Closed), "2 failures, threshold 3");
    assert_eq!(ask().await.unwrap().usage.provider, "secondary");
    assert_eq!(chain.circuit("primary"), Some(CircuitState::Open));
    assert_eq!(primary.requests("openai").await, 3, "the retry after the third failure is not sent");
    let opened = Instant::now();

    assert_eq!(ask().await.unwrap().usage.provider, "secondary");
    assert_eq!(primary.requests("openai").await, 3, "an open circuit sends nothing");

    tokio::time::sleep(cool_down.saturating_sub(opened.elapsed()) + Duration::from_millis(100)).await;
    assert_eq!(chain.circuit("primary"), Some(CircuitState::HalfOpen));
    assert_eq!(ask().await.unwrap().usage.provider, "secondary");
    assert_eq!(primary.requests("openai").await, 4, "half-open lets exactly one probe through");
    assert_eq!(chain.circuit("primary"), Some(CircuitState::Open), "the failed probe opens it again");
    assert_eq!(secondary.requests("openai").await, 4);
}

async fn a_timeout_moves_on_to_the_next_provider() {
    let slow = Katan::start(&["--latency-ms", "5000"]);
    let fast = Katan::start(&[]);
    let options = ChainOptions { timeout: Duration::from_millis(700), retries: 0, ..options() };
    let chain = Chain::new(vec![openai("slow", &slow), openai("fast", &fast)], options).unwrap();
    let started = Instant::now();
    let completion = chain.complete(&[Message::user("hi")]).await.unwrap();
    assert_eq!(completion.usage.provider, "fast");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}: the slow provider was waited for",
        started.elapsed()
    );
}

async fn each_wire_format_round_trips_with_usage_and_cost() {
    let katan = Katan::start(&[]);
    let formats = [
        ("openai", openai("openai", &katan)),
        ("anthropic", provider("anthropic", ProviderKind::Anthropic, katan.url(), KEY_VAR)),
        ("vertexai", provider("gemini", ProviderKind::Gemini, katan.url(), KEY_VAR)),
    ];
    for (key, (format, config)) in (10..).zip(formats) {
        let name = config.name.clone();
        let ledger = Arc::new(Priced::new(PRICE.0, PRICE.1));
        let handler = handler(vec![config], options(), ledger.clone());
        let variables = completed(&handler, key).await;
        assert_eq!((&variables["VERDICT"], &variables["SCORE"]), (&"approve".into(), &3.into()), "{name}");

        let tally = &katan.stats().await["tokens"][format];
        let (input, output) = (tally["prompt"].as_u64().unwrap(), tally["completion"].as_u64().unwrap());
        assert!(input > 0 && output > 0, "{name}: {tally}");
        let usage = &variables["llm_usage"];
        assert_eq!(
            (usage["input_tokens"].as_u64(), usage["output_tokens"].as_u64()),
            (Some(input), Some(output)),
            "{name}"
        );
        let cost = (input as f64 * PRICE.0 + output as f64 * PRICE.1) / 1000.0;
        assert!((usage["cost"].as_f64().unwrap() - cost).abs() < 1e-12, "{name}: {usage}");
        assert_eq!(usage["provider"], name.as_str());
        let seen = ledger.seen();
        assert!(
            matches!(seen.as_slice(), [Seen::Held(k, _), Seen::Charged(model, charged)]
                if *k == key && model == "echo-model" && *charged == usage["cost"].as_f64().unwrap()),
            "{name}: held before the call, charged after: {seen:?}"
        );
        assert_eq!(katan.requests(format).await, 1, "{name}: one request, in its own format");
    }
}

/// Everything written to a `tracing` subscriber or the `log` facade while the test runs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl log::Log for Captured {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let _ = writeln!(self.clone(), "{} {} {}", record.level(), record.target(), record.args());
    }
    fn flush(&self) {}
}

async fn the_api_key_never_appears_in_logs_errors_or_debug_output() {
    let secret = std::env::var(SECRET_VAR).unwrap();
    let captured = Captured::default();
    log::set_logger(Box::leak(Box::new(captured.clone()))).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // A callsite first hit while no subscriber listened keeps "never" cached; ask again.
    tracing::callsite::rebuild_interest_cache();

    // OpenAI expects the secret; Anthropic and Gemini expect another key and echo the one they
    // got in their 401 body, as llm-katan does.
    let api_keys = format!("openai={secret},anthropic=other-key,vertexai=other-key");
    let katan = Katan::start(&["--validate-keys", "--api-keys", &api_keys]);
    let accepted = handler(
        vec![provider("openai", ProviderKind::OpenAiCompatible, format!("{}/v1", katan.url()), SECRET_VAR)],
        options(),
        Arc::new(NoSpendLimit),
    );
    let outcome = accepted.handle(&job(1)).await;
    assert!(matches!(outcome, JobOutcome::Complete { .. }), "the secret is the right key, so it was sent: {outcome:?}");

    let refused = handler(
        vec![
            provider("anthropic", ProviderKind::Anthropic, katan.url(), SECRET_VAR),
            provider("gemini", ProviderKind::Gemini, katan.url(), SECRET_VAR),
            // Nothing listens on port 1: a transport error for a URL that carries the key.
            provider("gemini-down", ProviderKind::Gemini, "http://127.0.0.1:1".into(), SECRET_VAR),
        ],
        options(),
        Arc::new(NoSpendLimit),
    );
    let error = refused.ask(&job(2), PROMPT, &OutputShapes::from_header(OUTPUTS).unwrap()).await.unwrap_err();
    let outcome = refused.handle(&job(3)).await;

    let message = error.to_string();
    assert!(message.contains("anthropic: request refused (HTTP 401)"), "{message}");
    assert_eq!(
        message.matches("got '[redacted]'").count(),
        2,
        "the servers echoed the key and it was removed: {message}"
    );
    assert!(message.contains("gemini-down: could not reach the provider"), "{message}");
    assert!(matches!(&outcome, JobOutcome::Error { code, .. } if code == "LLM_UNAVAILABLE"), "{outcome:?}");

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(logs.contains("LLM provider gave no answer"), "the capture works: {logs}");
    for (what, text) in [
        ("error", message),
        ("error Debug", format!("{error:?}")),
        ("outcome Debug", format!("{outcome:?}")),
        ("handler Debug", format!("{refused:?} {accepted:?}")),
        ("logs", logs),
    ] {
        assert!(!text.contains(&secret), "the API key leaked into the {what}:\n{text}");
    }
}

type TestFn = fn() -> Pin<Box<dyn Future<Output = ()>>>;

fn main() -> ExitCode {
    if std::env::var_os(SECRET_VAR).is_none() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let status = Command::new(std::env::current_exe().expect("the test binary's path"))
            .args(std::env::args_os().skip(1))
            .env(KEY_VAR, "katan-presence-key")
            .env(SECRET_VAR, format!("sk-test-{}-{nanos}", std::process::id()))
            .status()
            .expect("re-running the test binary with the test keys");
        return if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    let tests: Vec<(&str, TestFn)> = vec![
        ("primary_429_falls_over_to_the_secondary", || Box::pin(primary_429_falls_over_to_the_secondary())),
        ("the_circuit_opens_after_n_failures_and_half_opens_after_the_cool_down", || {
            Box::pin(the_circuit_opens_after_n_failures_and_half_opens_after_the_cool_down())
        }),
        ("a_timeout_moves_on_to_the_next_provider", || Box::pin(a_timeout_moves_on_to_the_next_provider())),
        ("each_wire_format_round_trips_with_usage_and_cost", || {
            Box::pin(each_wire_format_round_trips_with_usage_and_cost())
        }),
        ("the_api_key_never_appears_in_logs_errors_or_debug_output", || {
            Box::pin(the_api_key_never_appears_in_logs_errors_or_debug_output())
        }),
    ];
    // libtest-style arguments: words are name filters; options (and the values of those that
    // take one) are ignored.
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--test-threads" | "--color" | "--format" | "--logfile" | "--skip" | "-Z" => {
                args.next();
            }
            _ if arg.starts_with('-') => {}
            _ => filters.push(arg),
        }
    }
    let selected: Vec<_> =
        tests.into_iter().filter(|(name, _)| filters.iter().all(|f| name.contains(f.as_str()))).collect();
    println!("\nrunning {} tests", selected.len());
    let runs: Vec<_> = selected
        .into_iter()
        .map(|(name, test)| {
            let thread = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(test());
            });
            (name, thread)
        })
        .collect();
    let (total, mut failed) = (runs.len(), 0);
    for (name, thread) in runs {
        let ok = thread.join().is_ok();
        failed += usize::from(!ok);
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
    }
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!("\ntest result: {verdict}. {} passed; {failed} failed", total - failed);
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
