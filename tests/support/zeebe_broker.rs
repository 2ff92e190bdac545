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
