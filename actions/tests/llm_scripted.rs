//! Cases llm-katan cannot script (an invalid answer, then a valid one; a 503 then an answer;
//! Ollama's native format, which it does not serve), against a tiny local HTTP server that
//! replays canned responses and records the requests.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod llm_support;

use actions::llm::LlmHandler;
use llm::{Chain, ChainOptions, ProviderConfig, ProviderKind};
use llm_support::{Priced, Seen};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use workers::spend::{NoSpendLimit, SpendGate};
use workers::{Job, JobHandler, JobOutcome};

/// One recorded request: request line and JSON body.
#[derive(Debug, Clone)]
struct Recorded {
    line: String,
    body: Value,
}

/// Answers each request with the next canned `(status, body)`; records what it got.
struct Scripted {
    url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Scripted {
    async fn start(responses: Vec<(u16, Value)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let mut responses = VecDeque::from(responses);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut data = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head_end, length) = loop {
                    let n = stream.read(&mut chunk).await.unwrap();
                    assert!(n > 0, "client closed before sending a request");
                    data.extend_from_slice(&chunk[..n]);
                    if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                        break (end + 4, length);
                    }
                };
                while data.len() < head_end + length {
                    let n = stream.read(&mut chunk).await.unwrap();
                    data.extend_from_slice(&chunk[..n]);
                }
                let line = String::from_utf8_lossy(&data[..head_end]).lines().next().unwrap_or("").to_owned();
                let body = serde_json::from_slice(&data[head_end..head_end + length]).unwrap_or(Value::Null);
                recorded.lock().unwrap().push(Recorded { line, body });
                let (status, reply) = responses.pop_front().expect("more requests than canned responses");
                let reply = reply.to_string();
                let response = format!(
                    "HTTP/1.1 {status} Canned\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                stream.write_all(response.as_bytes()).await.unwrap();
            }
        });
        Self { url, requests }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

fn openai_reply(text: &str, input: u64, output: u64) -> Value {
    json!({"id": "c", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output}})
}

fn provider(kind: ProviderKind, base_url: String) -> ProviderConfig {
    ProviderConfig { name: "local".into(), kind, base_url, model: "m".into(), api_key_env: None }
}

fn options() -> ChainOptions {
    ChainOptions { retries: 1, min_delay: Duration::from_millis(5), ..ChainOptions::default() }
}

fn handler(providers: Vec<ProviderConfig>, gate: Arc<dyn SpendGate>) -> LlmHandler {
    LlmHandler::new(Chain::new(providers, options()).unwrap(), gate)
}

/// The gate most tests use: $1 per 1,000 input and $3 per 1,000 output tokens.
fn priced() -> Arc<Priced> {
    Arc::new(Priced::new(1.0, 3.0))
}

fn job(prompt: Option<&str>, outputs: &str) -> Job {
    let mut variables = workers::Variables::new();
    if let Some(prompt) = prompt {
        variables.insert("prompt".into(), prompt.into());
    }
    Job {
        job_type: "llm".into(),
        key: 42,
        element_id: "analyse".into(),
        element_instance_key: 1,
        bpmn_process_id: "p".into(),
        process_definition_key: 1,
        process_instance_key: 1,
        variables,
        custom_headers: BTreeMap::from([("outputs".to_owned(), outputs.to_owned())]),
        retries: 3,
        deadline: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        worker: "test".into(),
    }
}

const OUTPUTS: &str = r#"{"ACTION": ["implement-feature", "fix-bug"], "CONFIDENCE": "number"}"#;

#[tokio::test]
async fn an_invalid_answer_gets_one_corrective_retry_that_names_the_problem() {
    let server = Scripted::start(vec![
        (200, openai_reply(r#"{"ACTION": "write-docs", "CONFIDENCE": 0.4}"#, 10, 4)),
        (200, openai_reply(r#"{"ACTION": "fix-bug", "CONFIDENCE": 0.9}"#, 30, 5)),
    ])
    .await;
    let handler = handler(vec![provider(ProviderKind::OpenAiCompatible, format!("{}/v1", server.url))], priced());

    let JobOutcome::Complete { variables } = handler.handle(&job(Some("Classify bug 7"), OUTPUTS)).await else {
        panic!("the corrected answer should complete the job")
    };
    assert_eq!(variables["ACTION"], "fix-bug");
    assert_eq!(variables["CONFIDENCE"], 0.9);
    let usage = &variables["llm_usage"];
    assert_eq!((usage["input_tokens"].as_u64(), usage["output_tokens"].as_u64()), (Some(40), Some(9)));
    assert_eq!(usage["cost"].as_f64(), Some((40.0 * 1.0 + 9.0 * 3.0) / 1000.0));

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].line.starts_with("POST /v1/chat/completions "), "{}", requests[0].line);
    let second = requests[1].body["messages"].as_array().unwrap();
    assert_eq!(second.len(), 3, "prompt, the invalid answer, the correction");
    assert_eq!(second[1]["role"], "assistant");
    assert!(second[1]["content"].as_str().unwrap().contains("write-docs"));
    let correction = second[2]["content"].as_str().unwrap();
    assert!(correction.contains(r#"key "ACTION" is "write-docs""#), "{correction}");
}

#[tokio::test]
async fn a_second_invalid_answer_is_the_bpmn_error_llm_invalid_output() {
    let server = Scripted::start(vec![
        (200, openai_reply("I think it is a bug.", 10, 5)),
        (200, openai_reply(r#"{"ACTION": "fix-bug"}"#, 20, 3)),
    ])
    .await;
    let handler = handler(vec![provider(ProviderKind::OpenAiCompatible, server.url.clone())], priced());

    let outcome = handler.handle(&job(Some("Classify bug 7"), OUTPUTS)).await;
    let JobOutcome::Error { code, message, variables } = outcome else {
        panic!("expected a BPMN error, got {outcome:?}")
    };
    assert_eq!(code, "LLM_INVALID_OUTPUT");
    assert!(message.contains(r#"key "CONFIDENCE" is missing"#), "{message}");
    assert_eq!(variables["llm_usage"]["input_tokens"], 30, "both calls are accounted");
    assert_eq!(server.requests().len(), 2, "exactly one corrective retry");
}

#[tokio::test]
async fn a_503_is_retried_on_the_same_provider_after_back_off() {
    let server = Scripted::start(vec![
        (503, json!({"error": {"message": "overloaded", "type": "server_error", "param": null, "code": null}})),
        (200, openai_reply(r#"{"ACTION": "implement-feature", "CONFIDENCE": 1}"#, 3, 3)),
    ])
    .await;
    let handler = handler(vec![provider(ProviderKind::OpenAiCompatible, server.url.clone())], priced());
    let outcome = handler.handle(&job(Some("go"), OUTPUTS)).await;
    assert!(
        matches!(&outcome, JobOutcome::Complete { variables } if variables["ACTION"] == "implement-feature"),
        "{outcome:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn ollama_native_chat_round_trips() {
    let server = Scripted::start(vec![(
        200,
        json!({"model": "m", "created_at": "2026-01-01T00:00:00Z", "done": true, "done_reason": "stop",
            "message": {"role": "assistant", "content": "{\"ACTION\": \"fix-bug\", \"CONFIDENCE\": 0.5}"},
            "prompt_eval_count": 12, "eval_count": 7}),
    )])
    .await;
    let handler = handler(vec![provider(ProviderKind::Ollama, server.url.clone())], priced());
    let outcome = handler.handle(&job(Some("Classify"), OUTPUTS)).await;
    let JobOutcome::Complete { variables } = outcome else { panic!("{outcome:?}") };
    assert_eq!(variables["llm_usage"]["input_tokens"], 12);
    assert_eq!(variables["llm_usage"]["output_tokens"], 7);
    let request = &server.requests()[0];
    assert!(request.line.starts_with("POST /api/chat "), "{}", request.line);
    assert_eq!(request.body["stream"], false, "Ollama streams unless told not to");
    assert_eq!(request.body["messages"][0]["role"], "user");
}

#[tokio::test]
async fn a_call_that_would_pass_the_limit_is_refused_before_it_is_made() {
    let server =
        Scripted::start(vec![(200, openai_reply(r#"{"ACTION": "fix-bug", "CONFIDENCE": 1}"#, 1000, 1000))]).await;
    // The most a call can cost: the prompt's tokens plus 1,024 output tokens at $3 per 1,000.
    let gate = Arc::new(Priced { limit: Some(0.01), ..Priced::new(1.0, 3.0) });
    let handler = handler(vec![provider(ProviderKind::OpenAiCompatible, server.url.clone())], gate.clone());
    let outcome = handler.handle(&job(Some("go"), OUTPUTS)).await;
    assert!(matches!(&outcome, JobOutcome::Error { code, .. } if code == "SPEND_LIMIT_EXCEEDED"), "{outcome:?}");
    assert!(server.requests().is_empty(), "the refused call was never sent");
    assert!(gate.seen().is_empty(), "nothing was held or charged: {:?}", gate.seen());
}

#[tokio::test]
async fn a_call_that_fails_gives_its_hold_back() {
    let server = Scripted::start(vec![(400, json!({"error": {"message": "bad request"}}))]).await;
    let gate = priced();
    let handler = handler(vec![provider(ProviderKind::OpenAiCompatible, server.url.clone())], gate.clone());
    let outcome = handler.handle(&job(Some("go"), OUTPUTS)).await;
    assert!(matches!(&outcome, JobOutcome::Error { code, .. } if code == "LLM_UNAVAILABLE"), "{outcome:?}");
    let seen = gate.seen();
    assert!(matches!(seen.as_slice(), [Seen::Held(42, _), Seen::Released]), "{seen:?}");
}

#[tokio::test]
async fn bad_job_input_fails_without_retries_naming_the_task() {
    let handler = handler(vec![provider(ProviderKind::Ollama, "http://127.0.0.1:9".into())], Arc::new(NoSpendLimit));
    for (job, expected) in [
        (job(None, OUTPUTS), "no string variable `prompt`"),
        (job(Some("go"), r#"{"X": "integer"}"#), "gives output `X` the shape \"integer\""),
    ] {
        let outcome = handler.handle(&job).await;
        let JobOutcome::Fail { message, retries: 0, .. } = outcome else { panic!("{outcome:?}") };
        assert!(message.starts_with("llm task `analyse`: ") && message.contains(expected), "{message}");
    }
}
