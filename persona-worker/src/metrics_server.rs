//! A minimal HTTP/1.1 server for `GET /metrics`: one request per connection, answered and
//! closed, which is all a Prometheus scrape needs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::metrics::PrometheusMetrics;

/// The longest request head read; longer ones are answered 431.
const MAX_HEAD: usize = 8 * 1024;

/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds `addr` (the error says what to do) and serves `/metrics` from a background task.
pub async fn start(addr: SocketAddr, metrics: Arc<PrometheusMetrics>) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind(addr).await.map_err(|error| {
        format!("cannot serve metrics on {addr}: {error}; choose another --metrics-addr or metrics_addr")
    })?;
    let bound = listener.local_addr().map_err(|error| format!("cannot serve metrics on {addr}: {error}"))?;
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(answer(stream, metrics.clone()));
                }
                Err(error) => {
                    tracing::warn!(%error, "could not accept a metrics connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(bound)
}

/// Reads one request head and answers it.
async fn answer(mut stream: TcpStream, metrics: Arc<PrometheusMetrics>) {
    let head = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Ok(head)) => head,
        Ok(Err(status)) => return respond(&mut stream, status, "text/plain", "bad request\n").await,
        Err(_) => return,
    };
    let request_line = head.lines().next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    match (method, path.split('?').next().unwrap_or_default()) {
        ("GET", "/metrics") => {
            let body = metrics.render();
            respond(&mut stream, "200 OK", "application/openmetrics-text; version=1.0.0; charset=utf-8", &body).await;
        }
        ("GET", _) => respond(&mut stream, "404 Not Found", "text/plain", "metrics are at /metrics\n").await,
        _ => respond(&mut stream, "405 Method Not Allowed", "text/plain", "only GET is served\n").await,
    }
}

/// The request head (up to the blank line), or the status to refuse it with.
async fn read_head(stream: &mut TcpStream) -> Result<String, &'static str> {
    let mut head = Vec::with_capacity(512);
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return Err("431 Request Header Fields Too Large");
        }
        let read = stream.read(&mut buffer).await.map_err(|_| "400 Bad Request")?;
        if read == 0 {
            return Err("400 Bad Request");
        }
        head.extend_from_slice(&buffer[..read]);
    }
    String::from_utf8(head).map_err(|_| "400 Bad Request")
}

async fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if let Err(error) = stream.write_all(response.as_bytes()).await {
        tracing::debug!(%error, "could not send a metrics answer");
    }
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `request` to the server at `addr` and returns the status line of the answer.
    async fn status_line(addr: SocketAddr, request: &str) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer.lines().next().unwrap_or_default().to_owned()
    }

    #[tokio::test]
    async fn only_get_metrics_is_served_and_other_requests_are_refused_by_status() {
        let metrics = Arc::new(PrometheusMetrics::new());
        let addr = start("127.0.0.1:0".parse().unwrap(), metrics).await.unwrap();
        assert_eq!(status_line(addr, "GET /metrics?x=1 HTTP/1.1\r\n\r\n").await, "HTTP/1.1 200 OK");
        assert_eq!(status_line(addr, "GET / HTTP/1.1\r\n\r\n").await, "HTTP/1.1 404 Not Found");
        assert_eq!(status_line(addr, "POST /metrics HTTP/1.1\r\n\r\n").await, "HTTP/1.1 405 Method Not Allowed");
        let endless = format!("GET /metrics HTTP/1.1\r\nX: {}", "a".repeat(MAX_HEAD + 10));
        assert_eq!(status_line(addr, &endless).await, "HTTP/1.1 431 Request Header Fields Too Large");
    }

    #[tokio::test]
    async fn a_taken_port_is_refused_with_what_to_do() {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = taken.local_addr().unwrap();
        let problem = start(addr, Arc::new(PrometheusMetrics::new())).await.unwrap_err();
        assert!(problem.contains(&addr.to_string()) && problem.contains("--metrics-addr"), "{problem}");
    }
}
