//! OAuth client-credentials tokens against a local test double of the authorization server
//! (the Zeebe gateway is never imitated): the form sent, caching, refresh before expiry,
//! refusals, and the daemon working a job on the real broker with a token on its calls.

mod support;

use std::time::Duration;

use support::token_server::{Answer, TokenServer};
use support::zeebe_broker::ensure_broker_ready;
use support::{Daemon, one_task_bpmn, run, tokio, write};
use workers::{ClientError, CredentialsProvider, OAuthCredentials, OAuthSettings, ZeebeClient};

fn credentials(server: &TokenServer) -> OAuthCredentials {
    let settings = OAuthSettings {
        authorization_server_url: server.url(),
        client_id: "persona".into(),
        client_secret: "s3cret".into(),
        audience: Some("zeebe-api".into()),
    };
    OAuthCredentials::new(settings, None).expect("credentials")
}

#[test]
fn a_token_is_fetched_with_the_client_credentials_grant_and_cached() {
    let server = TokenServer::start(Answer::Token { expires_in: 3600 });
    let credentials = credentials(&server);
    tokio().block_on(async {
        assert_eq!(credentials.authorization().await.unwrap(), "Bearer token-1");
        assert_eq!(credentials.authorization().await.unwrap(), "Bearer token-1");
    });
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 1, "the second call used the cached token");
    let form: Vec<&str> = bodies[0].split('&').collect();
    for field in ["grant_type=client_credentials", "client_id=persona", "client_secret=s3cret", "audience=zeebe-api"] {
        assert!(form.contains(&field), "{field} missing from {form:?}");
    }
}

#[test]
fn a_token_is_replaced_before_it_expires_and_after_a_refusal() {
    let server = TokenServer::start(Answer::Token { expires_in: 2 });
    let credentials = credentials(&server);
    tokio().block_on(async {
        assert_eq!(credentials.authorization().await.unwrap(), "Bearer token-1");
        // Half of a 2 s lifetime is the refresh margin: after 1.2 s the token is replaced.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(credentials.authorization().await.unwrap(), "Bearer token-2");
        credentials.invalidate();
        assert_eq!(credentials.authorization().await.unwrap(), "Bearer token-3");
    });
}

#[test]
fn refused_credentials_name_the_variables_to_check_and_a_down_server_is_transient() {
    let server = TokenServer::start(Answer::Status(401));
    let error = tokio().block_on(credentials(&server).authorization()).unwrap_err();
    let ClientError::Rejected(message) = &error else { panic!("expected a rejection, got {error:?}") };
    assert!(message.contains(&server.url()) && message.contains("ZEEBE_CLIENT_SECRET"), "{message}");

    let failing = TokenServer::start(Answer::Status(503));
    let error = tokio().block_on(credentials(&failing).authorization()).unwrap_err();
    assert!(error.is_transient(), "a 503 passes by itself: {error:?}");

    let nowhere = OAuthSettings {
        authorization_server_url: format!("http://127.0.0.1:{}/token", support::free_port()),
        client_id: "persona".into(),
        client_secret: "s".into(),
        audience: None,
    };
    let error = tokio().block_on(OAuthCredentials::new(nowhere, None).unwrap().authorization()).unwrap_err();
    assert!(matches!(error, ClientError::Unavailable(_)), "{error:?}");
}

#[test]
fn a_ca_certificate_that_is_not_pem_is_refused() {
    let server = TokenServer::start(Answer::Token { expires_in: 60 });
    let settings = OAuthSettings {
        authorization_server_url: server.url(),
        client_id: "persona".into(),
        client_secret: "s".into(),
        audience: None,
    };
    let error =
        OAuthCredentials::new(settings, Some(b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"))
            .expect_err("a broken CA certificate was accepted");
    assert!(matches!(&error, ClientError::InvalidArgument(m) if m.contains("CA certificate")), "{error:?}");
}

#[test]
fn the_daemon_fetches_tokens_and_works_jobs_on_the_broker() {
    let gateway = ensure_broker_ready();
    let server = TokenServer::start(Answer::Token { expires_in: 2 });
    let dir = tempfile::tempdir().expect("temp dir");
    let process_id = format!("daemon-test-oauth-{}", std::process::id());
    let model = write(dir.path(), "oauth.bpmn", &one_task_bpmn(&process_id, "daemon-test-oauth"));
    let deployed =
        run(&["deploy", "--address", &gateway, model.to_str().unwrap_or_default()], &[], Duration::from_secs(60));
    assert!(deployed.status.success(), "{}", String::from_utf8_lossy(&deployed.stderr));

    let url = server.url();
    let env = [
        ("ZEEBE_ADDRESS", gateway.as_str()),
        ("ZEEBE_CLIENT_ID", "persona"),
        ("ZEEBE_CLIENT_SECRET", "s3cret"),
        ("ZEEBE_AUTHORIZATION_SERVER_URL", url.as_str()),
        ("ZEEBE_TOKEN_AUDIENCE", "zeebe-api"),
    ];
    let config = "worker:\n  request_timeout: 1s\njobs:\n  daemon-test-oauth:\n    handler: noop\n";
    let daemon = Daemon::start(config, &env);
    let completed = tokio().block_on(async {
        let client = ZeebeClient::new(&gateway).expect("client");
        client.create_process_instance_with_result(&process_id, Default::default(), Duration::from_secs(30)).await
    });
    assert!(completed.is_ok(), "{completed:?}");
    // Polls go on every second with tokens that live 2 s: within 3 s a refreshed one is used.
    std::thread::sleep(Duration::from_secs(3));
    let fetched = server.bodies().len();
    assert!(fetched >= 2, "the daemon fetched {fetched} tokens; expected a refresh");
    assert!(daemon.logged("could not activate jobs").is_empty(), "{:?}", daemon.logged("could not activate"));
}
