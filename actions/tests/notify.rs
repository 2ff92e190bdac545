//! The `notify` action for real: a Slack-compatible JSON post to a webhook whose URL (a secret)
//! comes from a file or the environment and never shows in an error.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use actions::Settings;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use workers::testing::job;
use workers::{JobHandler, JobOutcome};

const SECRET: &str = "T000/B000/hook-secret-7d1e";

/// A webhook that answers every request with `status` and hands back what it got.
async fn webhook(status: u16) -> (String, tokio::task::JoinHandle<(String, Value)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/services/{SECRET}", listener.local_addr().unwrap());
    let served = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let read = stream.read(&mut buffer).await.unwrap();
            request.extend_from_slice(&buffer[..read]);
            let text = String::from_utf8_lossy(&request).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_owned))
                    .and_then(|n| n.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if body.len() >= length || read == 0 {
                    let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
                    stream.write_all(reply.as_bytes()).await.unwrap();
                    let line = head.lines().next().unwrap_or_default().to_owned();
                    return (line, serde_json::from_str(body).unwrap_or(Value::Null));
                }
            }
        }
    });
    (url, served)
}

fn notifier(section: Value) -> Result<Arc<dyn JobHandler>, actions::SettingsError> {
    let settings = Settings { sections: BTreeMap::from([("notify".to_owned(), section)]), ..Settings::default() };
    let fallback: Arc<dyn JobHandler> = Arc::new(workers::handlers::NoopHandler);
    let binding = actions::bindings(&settings, &fallback, |_| true)?.into_iter().find(|b| b.spec.name == "notify");
    Ok(binding.filter(|b| b.real).expect("notify runs for real").handler)
}

fn url_file(dir: &Path, url: &str) -> Value {
    let path = dir.join("webhook-url");
    std::fs::write(&path, format!("{url}\n")).unwrap();
    json!({"webhook_url_file": path})
}

fn notification() -> workers::Job {
    job("notify", &[], json!({"channel": "#releases", "message": "v1.2 is out"}))
}

#[tokio::test]
async fn the_message_is_posted_as_json_text_and_channel() {
    let dir = tempfile::tempdir().unwrap();
    let (url, served) = webhook(200).await;
    let outcome = notifier(url_file(dir.path(), &url)).unwrap().handle(&notification()).await;
    assert_eq!(outcome, JobOutcome::complete_with(json!({"delivered": true}).as_object().cloned().unwrap()));
    let (line, body) = served.await.unwrap();
    assert_eq!(line, format!("POST /services/{SECRET} HTTP/1.1"));
    assert_eq!(body, json!({"text": "v1.2 is out", "channel": "#releases"}));
}

#[tokio::test]
async fn a_refusing_or_missing_webhook_fails_the_job_without_showing_its_url() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _served) = webhook(500).await;
    let outcome = notifier(url_file(dir.path(), &url)).unwrap().handle(&notification()).await;
    let JobOutcome::Fail { message, retries, .. } = &outcome else { panic!("a failure, got {outcome:?}") };
    assert_eq!(*retries, 2, "a server error is retried");
    assert!(message.contains("answered 500") && message.contains("webhook-url"), "{message}");
    assert!(!message.contains(SECRET), "{message}");

    let closed = format!("http://127.0.0.1:9/services/{SECRET}");
    let outcome = notifier(url_file(dir.path(), &closed)).unwrap().handle(&notification()).await;
    assert!(!format!("{outcome:?}").contains(SECRET), "{outcome:?}");
    assert!(format!("{outcome:?}").contains("could not be reached"), "{outcome:?}");

    let missing = json!({"webhook_url_file": dir.path().join("nothing-here")});
    let outcome = notifier(missing).unwrap().handle(&notification()).await;
    let JobOutcome::Fail { message, retries, .. } = &outcome else { panic!("a failure, got {outcome:?}") };
    assert_eq!(*retries, 0);
    assert!(message.contains("nothing-here") && message.contains("fix `webhook_url_file`"), "{message}");

    let unset = json!({"webhook_url_env": "NOTIFY_TEST_URL_THAT_IS_NOT_SET"});
    let outcome = notifier(unset).unwrap().handle(&notification()).await;
    assert!(format!("{outcome:?}").contains("NOTIFY_TEST_URL_THAT_IS_NOT_SET (the webhook URL) is not set"));
}

#[test]
fn settings_need_exactly_one_place_for_the_url() {
    for section in [json!({}), json!({"webhook_url_env": "A", "webhook_url_file": "b"})] {
        let error = notifier(section).err().expect("refused");
        assert_eq!(error.action, "notify");
        assert!(error.message.contains("exactly one of `webhook_url_env`"), "{error}");
    }
}
