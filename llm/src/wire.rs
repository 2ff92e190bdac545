//! The four wire formats: the request each provider kind expects for a plain (non-streaming)
//! chat call, and the answer text and token counts read from its response.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::provider::{ApiKey, ProviderConfig, ProviderKind};

/// Who said a message in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The caller.
    User,
    /// The model.
    Assistant,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Who said it.
    pub role: Role,
    /// What was said.
    pub content: String,
}

impl Message {
    /// A message from the caller.
    pub fn user(content: impl Into<String>) -> Self {
        Self { role: Role::User, content: content.into() }
    }

    /// A message from the model.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self { role: Role::Assistant, content: content.into() }
    }
}

/// The answer text and token counts of one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) text: String,
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
}

/// The request for one call: URL, headers and JSON body, ready to send.
pub(crate) fn request(
    http: &reqwest::Client,
    config: &ProviderConfig,
    key: Option<&ApiKey>,
    messages: &[Message],
    max_tokens: u32,
) -> reqwest::RequestBuilder {
    let base = config.base_url.trim_end_matches('/');
    let (role_user, role_assistant) = match config.kind {
        ProviderKind::Gemini => ("user", "model"),
        _ => ("user", "assistant"),
    };
    let role = |m: &Message| match m.role {
        Role::User => role_user,
        Role::Assistant => role_assistant,
    };
    let plain: Vec<Value> = messages.iter().map(|m| json!({"role": role(m), "content": m.content})).collect();
    let builder = match config.kind {
        ProviderKind::OpenAiCompatible => {
            let builder = http.post(format!("{base}/chat/completions"));
            let builder = match key {
                Some(key) => builder.bearer_auth(key.expose()),
                None => builder,
            };
            builder.json_body(&json!({"model": config.model, "messages": plain, "max_tokens": max_tokens}))
        }
        ProviderKind::Anthropic => {
            let builder = http.post(format!("{base}/v1/messages")).header("anthropic-version", "2023-06-01");
            let builder = match key {
                Some(key) => builder.header("x-api-key", key.expose()),
                None => builder,
            };
            builder.json_body(&json!({"model": config.model, "max_tokens": max_tokens, "messages": plain}))
        }
        ProviderKind::Gemini => {
            let contents: Vec<Value> =
                messages.iter().map(|m| json!({"role": role(m), "parts": [{"text": m.content}]})).collect();
            let builder = http.post(format!("{base}/v1beta/models/{}:generateContent", config.model));
            let builder = match key {
                Some(key) => builder.query(&[("key", key.expose())]),
                None => builder,
            };
            builder.json_body(&json!({"contents": contents, "generationConfig": {"maxOutputTokens": max_tokens}}))
        }
        ProviderKind::Ollama => {
            let builder = http.post(format!("{base}/api/chat"));
            let builder = match key {
                Some(key) => builder.bearer_auth(key.expose()),
                None => builder,
            };
            builder.json_body(&json!({
                "model": config.model, "messages": plain, "stream": false, "options": {"num_predict": max_tokens}
            }))
        }
    };
    builder.header(reqwest::header::ACCEPT, "application/json")
}

/// Sets a JSON body without reqwest's `json` feature.
trait JsonBody {
    fn json_body(self, body: &Value) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body(self, body: &Value) -> Self {
        self.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string())
    }
}

#[derive(Deserialize)]
struct OpenAiResponse {
    choices: Vec<OpenAiChoice>,
    usage: Option<OpenAiUsage>,
}
#[derive(Deserialize)]
struct OpenAiChoice {
    message: OpenAiMessage,
}
#[derive(Deserialize)]
struct OpenAiMessage {
    content: Option<String>,
}
#[derive(Deserialize)]
struct OpenAiUsage {
    prompt_tokens: u64,
    completion_tokens: u64,
}

#[derive(Deserialize)]
struct AnthropicResponse {
    content: Vec<AnthropicBlock>,
    usage: AnthropicUsage,
}
#[derive(Deserialize)]
struct AnthropicBlock {
    text: Option<String>,
}
/// Anthropic's `input_tokens` leaves out cached tokens; all three are input.
#[derive(Deserialize)]
struct AnthropicUsage {
    input_tokens: u64,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
    output_tokens: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GeminiResponse {
    #[serde(default)]
    candidates: Vec<GeminiCandidate>,
    usage_metadata: Option<GeminiUsage>,
}
#[derive(Deserialize)]
struct GeminiCandidate {
    content: GeminiContent,
}
#[derive(Deserialize)]
struct GeminiContent {
    #[serde(default)]
    parts: Vec<GeminiPart>,
}
#[derive(Deserialize)]
struct GeminiPart {
    text: Option<String>,
}
/// Thinking tokens are billed as output but not counted in `candidatesTokenCount`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GeminiUsage {
    #[serde(default)]
    prompt_token_count: u64,
    #[serde(default)]
    candidates_token_count: u64,
    #[serde(default)]
    thoughts_token_count: u64,
}

#[derive(Deserialize)]
struct OllamaResponse {
    message: OllamaMessage,
    #[serde(default)]
    prompt_eval_count: u64,
    #[serde(default)]
    eval_count: u64,
}
#[derive(Deserialize)]
struct OllamaMessage {
    content: String,
}

/// Reads a successful response body of the given kind.
pub(crate) fn parse(kind: ProviderKind, body: &[u8]) -> Result<Reply, String> {
    let unreadable = |e: serde_json::Error| format!("not a {kind:?} response: {e}");
    match kind {
        ProviderKind::OpenAiCompatible => {
            let response: OpenAiResponse = serde_json::from_slice(body).map_err(unreadable)?;
            let text = response.choices.into_iter().next().and_then(|c| c.message.content);
            let text = text.ok_or("the response has no choice with text content")?;
            let usage = response.usage.unwrap_or(OpenAiUsage { prompt_tokens: 0, completion_tokens: 0 });
            Ok(Reply { text, input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens })
        }
        ProviderKind::Anthropic => {
            let response: AnthropicResponse = serde_json::from_slice(body).map_err(unreadable)?;
            let text: String = response.content.into_iter().filter_map(|b| b.text).collect();
            let u = response.usage;
            let input =
                u.input_tokens + u.cache_creation_input_tokens.unwrap_or(0) + u.cache_read_input_tokens.unwrap_or(0);
            Ok(Reply { text, input_tokens: input, output_tokens: u.output_tokens })
        }
        ProviderKind::Gemini => {
            let response: GeminiResponse = serde_json::from_slice(body).map_err(unreadable)?;
            let candidate = response.candidates.into_iter().next().ok_or("the response has no candidate")?;
            let text: String = candidate.content.parts.into_iter().filter_map(|p| p.text).collect();
            let usage = response.usage_metadata.unwrap_or(GeminiUsage {
                prompt_token_count: 0,
                candidates_token_count: 0,
                thoughts_token_count: 0,
            });
            Ok(Reply {
                text,
                input_tokens: usage.prompt_token_count,
                output_tokens: usage.candidates_token_count + usage.thoughts_token_count,
            })
        }
        ProviderKind::Ollama => {
            let response: OllamaResponse = serde_json::from_slice(body).map_err(unreadable)?;
            Ok(Reply {
                text: response.message.content,
                input_tokens: response.prompt_eval_count,
                output_tokens: response.eval_count,
            })
        }
    }
}

/// The message of an error response: `error.message` (OpenAI, Anthropic, Gemini), `error` as a
/// string (Ollama), else the start of the body.
pub(crate) fn error_message(body: &[u8]) -> String {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    match error {
        Some(Value::String(message)) => message.clone(),
        Some(error) => match error.get("message").and_then(Value::as_str) {
            Some(message) => message.to_owned(),
            None => error.to_string(),
        },
        None => String::from_utf8_lossy(body).chars().take(300).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_counts_cached_and_thinking_tokens() {
        let anthropic = br#"{"content":[{"type":"text","text":"{\"a\":1}"}],
            "usage":{"input_tokens":5,"cache_creation_input_tokens":7,"cache_read_input_tokens":11,"output_tokens":3}}"#;
        let reply = parse(ProviderKind::Anthropic, anthropic).unwrap();
        assert_eq!((reply.text.as_str(), reply.input_tokens, reply.output_tokens), ("{\"a\":1}", 23, 3));

        let gemini = br#"{"candidates":[{"content":{"role":"model","parts":[{"text":"x"},{"text":"y"}]}}],
            "usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":6,"thoughtsTokenCount":2}}"#;
        let reply = parse(ProviderKind::Gemini, gemini).unwrap();
        assert_eq!((reply.text.as_str(), reply.input_tokens, reply.output_tokens), ("xy", 4, 8));
    }

    #[test]
    fn an_unexpected_body_is_an_error_not_a_panic() {
        let error = parse(ProviderKind::OpenAiCompatible, br#"{"choices":[]}"#).unwrap_err();
        assert!(error.contains("no choice"), "{error}");
        assert!(parse(ProviderKind::Ollama, b"<html>").unwrap_err().starts_with("not a Ollama response"));
    }

    #[test]
    fn error_messages_of_each_format() {
        assert_eq!(error_message(br#"{"error":{"message":"slow down","type":"x"}}"#), "slow down");
        assert_eq!(error_message(br#"{"type":"error","error":{"type":"x","message":"busy"}}"#), "busy");
        assert_eq!(error_message(br#"{"error":"model not found"}"#), "model not found");
        assert_eq!(error_message(b"Bad Gateway"), "Bad Gateway");
    }
}
