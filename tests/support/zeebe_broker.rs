//! The local Zeebe broker of `zeebe/broker.sh`, started once per test run for the tests that
//! need a real Zeebe. It keeps running after the tests (CI stops it; locally
//! `zeebe/broker.sh stop` does).

use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::workspace_root;

/// The gRPC port `broker.sh` serves when `ZEEBE_GATEWAY_PORT` is not set.
const DEFAULT_GATEWAY_PORT: u16 = 26500;

/// How long a broker that is running but not yet ready gets to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(180);

/// Makes sure the broker of this checkout is ready: `status` first, `start` when it is stopped
/// (fetching the runtime with Maven on first use), waiting when it is still starting. Panics
/// with `broker.sh`'s own explanation when that fails (no Java or Maven, port taken, ...).
pub fn ensure_broker_ready() -> String {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    match READY.get_or_init(bring_up) {
        Ok(()) => gateway_address(),
        Err(problem) => panic!("no Zeebe broker for this test: {problem}"),
    }
}

/// The gateway address `broker.sh` serves: on `ZEEBE_GATEWAY_PORT` when set (the script reads
/// the same variable), else on 26500.
pub fn gateway_address() -> String {
    let port = std::env::var("ZEEBE_GATEWAY_PORT").ok().and_then(|p| p.parse::<u16>().ok());
    format!("http://127.0.0.1:{}", port.unwrap_or(DEFAULT_GATEWAY_PORT))
}

/// `broker.sh status` (or another command) with its exit code and output.
fn broker_sh(command: &str) -> Result<(Option<i32>, String), String> {
    let script = workspace_root().join("zeebe/broker.sh");
    let output = Command::new("bash")
        .arg(&script)
        .arg(command)
        .output()
        .map_err(|e| format!("cannot run {} {command}: {e}", script.display()))?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    Ok((output.status.code(), text))
}

fn bring_up() -> Result<(), String> {
    let began = Instant::now();
    loop {
        match broker_sh("status")? {
            (Some(0), _) => return Ok(()),
            (Some(3), _) => {
                let (code, text) = broker_sh("start")?;
                if code != Some(0) {
                    return Err(format!("`zeebe/broker.sh start` failed ({code:?}):\n{text}"));
                }
            }
            (Some(1), text) if began.elapsed() < READY_TIMEOUT => {
                eprintln!("waiting for the broker: {}", text.trim());
                std::thread::sleep(Duration::from_secs(2));
            }
            (code, text) => return Err(format!("`zeebe/broker.sh status` answered {code:?}:\n{text}")),
        }
    }
}

/// Moves the broker's clock forward by `by`: the broker of `broker.sh` runs with a controlled
/// clock (`zeebe/config/application.yaml`), moved through its management endpoint
/// (`POST /actuator/clock/add` on `ZEEBE_MONITORING_PORT`, default 9600). Timers that fall due
/// fire; the clock keeps ticking in real time from the new offset.
pub fn advance_broker_clock(by: Duration) -> Result<(), String> {
    use std::io::{Read, Write};

    let port = std::env::var("ZEEBE_MONITORING_PORT").ok().and_then(|p| p.parse::<u16>().ok()).unwrap_or(9600);
    let body = format!("{{\"offsetMilli\":{}}}", by.as_millis());
    let request = format!(
        "POST /actuator/clock/add HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("cannot reach the broker's management port {port}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    stream.write_all(request.as_bytes()).map_err(|e| format!("cannot send the clock request: {e}"))?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| format!("no answer to the clock request: {e}"))?;
    if response.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!(
            "the broker refused to move its clock (is `zeebe.clock.controlled` on in zeebe/config/application.yaml?): {}",
            response.lines().next().unwrap_or_default()
        ))
    }
}
