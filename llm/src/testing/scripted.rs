//! [`ScriptedLlm`]: an OpenAI-compatible chat server on 127.0.0.1 whose answers a test
//! writes, call by call. llm-katan only echoes the prompt back, which cannot play a model that
//! answers the same prompt differently on each call (a fix loop's patches, say).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use serde_json::{Value, json};

/// One call the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// 0 for the first call, then 1, 2, …
    pub index: usize,
    /// The last user message of the request.
    pub prompt: String,
}

/// Writes the answer text of each call.
pub type Script = dyn Fn(&Call) -> String + Send + Sync;

/// A scripted OpenAI-compatible server (`POST /v1/chat/completions`) on a free 127.0.0.1 port;
/// stopped on drop. Each request is answered with what the script returns for it, with token
/// counts of a quarter of the characters.
pub struct ScriptedLlm {
    port: u16,
    calls: Arc<Mutex<Vec<Call>>>,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ScriptedLlm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedLlm").field("port", &self.port).finish_non_exhaustive()
    }
}

impl ScriptedLlm {
    /// Starts a server that answers each call with `script(call)`.
    ///
    /// # Panics
    ///
    /// When no 127.0.0.1 port can be bound.
    pub fn start(script: impl Fn(&Call) -> String + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("cannot bind 127.0.0.1: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_else(|e| panic!("no local address: {e}"));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let stopping = Arc::new(AtomicBool::new(false));
        let script: Arc<Script> = Arc::new(script);
        let acceptor = {
            let (calls, stopping) = (Arc::clone(&calls), Arc::clone(&stopping));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (calls, script) = (Arc::clone(&calls), Arc::clone(&script));
                    std::thread::spawn(move || serve(stream, &calls, script.as_ref()));
                }
            })
        };
        Self { port, calls, stopping, acceptor: Some(acceptor) }
    }

    /// Its root URL (an OpenAI-compatible provider's base URL is this plus `/v1`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The calls answered so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for ScriptedLlm {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Answers the one request on `stream` and closes it.
fn serve(stream: TcpStream, calls: &Mutex<Vec<Call>>, script: &Script) {
    let Ok(mut writer) = stream.try_clone() else { return };
    let (status, body) = match read_request(stream) {
        Ok(request) => match prompt_of(&request) {
            Some(prompt) => {
                let call = {
                    let mut calls = calls.lock().unwrap_or_else(PoisonError::into_inner);
                    let call = Call { index: calls.len(), prompt };
                    calls.push(call.clone());
                    call
                };
                let answer = script(&call);
                ("200 OK", completion(&call, &answer))
            }
            None => ("400 Bad Request", json!({"error": {"message": "no user message in the request"}})),
        },
        Err(why) => ("400 Bad Request", json!({"error": {"message": why}})),
    };
    let body = body.to_string();
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = writer.write_all(response.as_bytes());
    let _ = writer.shutdown(Shutdown::Both);
}

/// The JSON body of one HTTP request.
fn read_request(stream: TcpStream) -> Result<Value, String> {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("the request ended inside its headers".to_owned());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().map_err(|e| format!("content-length `{value}`: {e}"))?;
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    serde_json::from_slice(&body).map_err(|e| format!("the body is not JSON: {e}"))
}

/// The last user message of an OpenAI chat request.
fn prompt_of(request: &Value) -> Option<String> {
    let messages = request["messages"].as_array()?;
    let last = messages.iter().rev().find(|m| m["role"] == "user")?;
    last["content"].as_str().map(str::to_owned)
}

/// An OpenAI chat completion holding `answer`.
fn completion(call: &Call, answer: &str) -> Value {
    json!({
        "id": format!("scripted-{}", call.index),
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": call.prompt.len() / 4 + 1, "completion_tokens": answer.len() / 4 + 1},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_call_gets_the_scripted_answer_for_its_index_and_prompt() {
        let server = ScriptedLlm::start(|call| format!("answer {} to {}", call.index, call.prompt));
        let http = reqwest::Client::new();
        for expected in ["answer 0 to hi", "answer 1 to hi"] {
            let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
            let response = http
                .post(format!("{}/v1/chat/completions", server.url()))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
            assert_eq!(answer["choices"][0]["message"]["content"], expected);
        }
        assert_eq!(server.calls().len(), 2);
    }

    #[tokio::test]
    async fn a_request_without_a_user_message_is_refused() {
        let server = ScriptedLlm::start(|_| String::new());
        let response = reqwest::Client::new()
            .post(format!("{}/v1/chat/completions", server.url()))
            .body("{\"messages\": []}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
        assert!(server.calls().is_empty());
    }
}
