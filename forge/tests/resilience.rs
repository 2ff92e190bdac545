//! Rate limits, retries and refused tokens, against the stand-in servers' injected failures; and
//! the token never showing in errors or `Debug` output.

mod common;

use std::time::{Duration, Instant};

use common::{TOKEN, azure, github};
use forge::github::NewIssue;
use forge::testing::{GitHubServer, GitHubServerConfig, InjectedFailure};
use forge::{AzureDevOps, ForgeError, GitHub, RetryPolicy, TokenSource};

fn issue() -> NewIssue {
    NewIssue { title: "Retry me".into(), ..NewIssue::default() }
}

fn assert_no_token(error: &ForgeError, token: &str) {
    assert!(!error.to_string().contains(token), "{error}");
    assert!(!format!("{error:?}").contains(token), "{error:?}");
}

#[tokio::test]
async fn a_429_waits_as_retry_after_says_then_succeeds() {
    let fx = github(None).await;
    fx.server.fail_next(1, InjectedFailure::TooManyRequests(1));
    let started = Instant::now();
    let created = fx.client.create_issue(&issue()).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(created.number, 1);
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_secs(3), "{waited:?}");
    assert_eq!(fx.server.requests().len(), 2);

    let fx = azure(None).await;
    fx.server.fail_next(1, InjectedFailure::TooManyRequests(1));
    let started = Instant::now();
    assert_eq!(fx.client.find_active_pull_request("feature/x", "main").await.unwrap(), None);
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(fx.server.requests().len(), 2);
}

#[tokio::test]
async fn an_exhausted_github_quota_waits_for_its_reset() {
    let fx = github(None).await;
    fx.server.fail_next(1, InjectedFailure::QuotaExhausted(1));
    let started = Instant::now();
    fx.client.create_issue(&issue()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900), "{:?}", started.elapsed());
    assert_eq!(fx.server.requests().len(), 2);
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_maximum_wait_fails_at_once() {
    let fx = github(None).await;
    fx.server.fail_next(1, InjectedFailure::TooManyRequests(600));
    let error = fx.client.create_issue(&issue()).await.unwrap_err();
    assert!(matches!(error, ForgeError::RateLimited { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("wait 600s") && text.contains("max_rate_limit_wait") && text.contains("create issue"),
        "{text}"
    );
    assert_eq!(fx.server.requests().len(), 1);

    fx.server.fail_next(1, InjectedFailure::QuotaExhausted(3600));
    let error = fx.client.create_issue(&issue()).await.unwrap_err();
    assert!(matches!(error, ForgeError::RateLimited { .. }), "{error:?}");
}

#[tokio::test]
async fn a_503_is_retried_then_succeeds() {
    let fx = azure(None).await;
    fx.server.fail_next(2, InjectedFailure::ServiceUnavailable);
    assert_eq!(fx.client.find_active_pull_request("feature/x", "main").await.unwrap(), None);
    assert_eq!(fx.server.requests().len(), 3);
}

#[tokio::test]
async fn server_errors_on_every_attempt_end_in_a_clear_error() {
    let fx = github(None).await;
    fx.server.fail_next(10, InjectedFailure::ServiceUnavailable);
    let error = fx.client.create_issue(&issue()).await.unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, ForgeError::Unavailable { attempts: 4, .. }), "{error:?}");
    assert!(
        text.contains("after 4 attempts") && text.contains("HTTP 503") && text.contains("try again later"),
        "{text}"
    );
    assert_eq!(fx.server.requests().len(), 4, "retries + 1 requests");
    assert_no_token(&error, TOKEN);
}

#[tokio::test]
async fn a_refusal_other_than_429_is_not_retried() {
    let fx = github(None).await;
    fx.client.get_pull_request(5).await.unwrap_err();
    assert_eq!(fx.server.requests().len(), 1);
}

#[tokio::test]
async fn an_unreachable_service_is_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let (_dir, path) = common::token_file(TOKEN);
    let config = forge::GitHubConfig {
        base_url: format!("http://{address}"),
        token: TokenSource::File(path),
        retry: RetryPolicy { timeout: Duration::from_secs(2), ..common::fast_policy() },
        ..forge::GitHubConfig::new("acme", "widgets")
    };
    let error = GitHub::connect(config).unwrap().create_issue(&issue()).await.unwrap_err();
    assert!(matches!(error, ForgeError::Unavailable { attempts: 4, .. }), "{error:?}");
    assert!(error.to_string().to_lowercase().contains("connect"), "{error}");
}

/// Runs this test again in a child process with `var` set, since tests may not change their own
/// environment; returns whether this is the child.
fn in_child_with(test: &str, var: &str, value: &str) -> bool {
    if std::env::var_os(var).is_some() {
        return true;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--test-threads=1"])
        .env(var, value)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && stdout.contains("1 passed"), "the child run of {test} failed:\n{stdout}");
    false
}

const WRONG_TOKEN: &str = "ghp_wrongTokenThatMustNotLeak42";

#[tokio::test]
async fn a_refused_token_names_its_environment_variable_and_never_shows() {
    if !in_child_with("a_refused_token_names_its_environment_variable_and_never_shows", "FORGE_TEST_PAT", WRONG_TOKEN) {
        return;
    }
    let server = GitHubServer::start(GitHubServerConfig {
        owner: "acme".into(),
        repo: "widgets".into(),
        token: TOKEN.into(),
        git: None,
    })
    .await
    .unwrap();
    let client = GitHub::connect(common::github_config(&server, TokenSource::Env("FORGE_TEST_PAT".into()))).unwrap();
    assert!(!format!("{client:?}").contains(WRONG_TOKEN));
    let error = client.create_issue(&issue()).await.unwrap_err();
    assert!(matches!(error, ForgeError::Unauthorized { status: 401, .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("environment variable FORGE_TEST_PAT") && text.contains("Bad credentials"), "{text}");
    assert_no_token(&error, WRONG_TOKEN);
    assert!(server.requests().iter().all(|request| !format!("{request:?}").contains(WRONG_TOKEN)));

    let fx = azure(None).await;
    let client =
        AzureDevOps::connect(common::azure_config(&fx.server, TokenSource::Env("FORGE_TEST_PAT".into()))).unwrap();
    assert!(!format!("{client:?}").contains(WRONG_TOKEN));
    let error = client.get_work_item(1).await.unwrap_err();
    assert!(error.to_string().contains("environment variable FORGE_TEST_PAT"), "{error}");
    assert_no_token(&error, WRONG_TOKEN);
}

#[tokio::test]
async fn a_refused_file_token_names_the_file_and_the_right_one_never_shows() {
    let fx = azure(None).await;
    let (_dir, path) = common::token_file("not-the-right-pat-9876");
    let client = AzureDevOps::connect(common::azure_config(&fx.server, TokenSource::File(path.clone()))).unwrap();
    let error = client.find_active_pull_request("a", "main").await.unwrap_err();
    assert!(error.to_string().contains(&format!("token file {}", path.display())), "{error}");
    assert!(error.to_string().contains("TF400813"), "the service's own message: {error}");
    assert_no_token(&error, "not-the-right-pat-9876");
    assert!(!format!("{:?}", fx.client).contains(TOKEN));
}

#[tokio::test]
async fn a_missing_token_is_named_before_any_request() {
    let fx = github(None).await;
    let config = common::github_config(&fx.server, TokenSource::Env("FORGE_TEST_SURELY_UNSET_PAT".into()));
    let error = GitHub::connect(config).unwrap_err();
    assert!(matches!(error, ForgeError::MissingToken { .. }), "{error:?}");
    assert!(error.to_string().contains("environment variable FORGE_TEST_SURELY_UNSET_PAT is not set"), "{error}");
    assert!(fx.server.requests().is_empty());
}

#[tokio::test]
async fn a_success_answer_that_is_not_json_is_reported_with_the_base_url_hint() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buffer = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut buffer).await.unwrap();
        let page = "<html>sign in</html>";
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
            page.len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
    });
    let (_dir, path) = common::token_file(TOKEN);
    let config = forge::GitHubConfig {
        base_url: format!("http://{address}"),
        token: TokenSource::File(path),
        retry: common::fast_policy(),
        ..forge::GitHubConfig::new("acme", "widgets")
    };
    let error = GitHub::connect(config).unwrap().get_pull_request(1).await.unwrap_err();
    assert!(matches!(error, ForgeError::BadResponse { .. }), "{error:?}");
    assert!(error.to_string().contains("<html>sign in</html>") && error.to_string().contains("base URL"), "{error}");
    server.await.unwrap();
}
