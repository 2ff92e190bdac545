//! A test double of an OAuth authorization server (not of the Zeebe gateway): answers each
//! `POST` with a numbered token, records the form bodies, and can refuse.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, PoisonError};

/// What the server answers.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// `200` with `{"access_token":"token-N","expires_in":<seconds>}`, N counting from 1.
    Token { expires_in: u64 },
    /// This status with a short body.
    Status(u16),
}

/// A running token server on a loopback port; it runs until the test process ends.
pub struct TokenServer {
    /// Its address.
    pub addr: SocketAddr,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl TokenServer {
    /// Starts a server that always gives `answer`.
    pub fn start(answer: Answer) -> TokenServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the token server");
        let addr = listener.local_addr().expect("token server address");
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let recorded = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let mut reader = BufReader::new(stream);
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; length];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                let count = {
                    let mut bodies = recorded.lock().unwrap_or_else(PoisonError::into_inner);
                    bodies.push(String::from_utf8_lossy(&body).into_owned());
                    bodies.len()
                };
                let (status, text) = match answer {
                    Answer::Token { expires_in } => (
                        "200 OK".to_owned(),
                        format!(
                            r#"{{"access_token":"token-{count}","expires_in":{expires_in},"token_type":"Bearer"}}"#
                        ),
                    ),
                    Answer::Status(code) => (format!("{code} Refused"), r#"{"error":"invalid_client"}"#.to_owned()),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
                let mut stream = reader.into_inner();
                let _ = stream.write_all(response.as_bytes());
            }
        });
        TokenServer { addr, bodies }
    }

    /// The token endpoint's URL.
    pub fn url(&self) -> String {
        format!("http://{}/oauth/token", self.addr)
    }

    /// The form bodies received so far.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}
