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

/// A broker of its own for one test: its own loopback ports and run directory (`ZEEBE_RUN_DIR`),
/// so the test can kill and restart it without touching the shared broker that other tests in
/// the same run use. Stopped (and its directory removed) when dropped.
pub struct PrivateBroker {
    run_dir: std::path::PathBuf,
    ports: [u16; 5],
}

/// The `ZEEBE_*_PORT` variables `broker.sh` reads, in the order [`PrivateBroker`] keeps its ports.
const PORT_VARIABLES: [&str; 5] =
    ["ZEEBE_GATEWAY_PORT", "ZEEBE_MONITORING_PORT", "ZEEBE_REST_PORT", "ZEEBE_COMMAND_PORT", "ZEEBE_INTERNAL_PORT"];

impl PrivateBroker {
    /// Starts a fresh broker on five free loopback ports (picked by the OS) with its data under
    /// `run_dir`. `start_timeout` bounds each start and restart.
    pub fn start(run_dir: std::path::PathBuf, start_timeout: Duration) -> Result<Self, String> {
        let _ = std::fs::remove_dir_all(&run_dir);
        let broker = Self { run_dir, ports: free_ports()? };
        broker.run("start", &[], start_timeout)?;
        Ok(broker)
    }

    /// The gRPC gateway address.
    pub fn gateway_address(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports[0])
    }

    /// SIGKILLs the broker's JVM, as a crash would; its data stays.
    pub fn kill(&self) -> Result<(), String> {
        self.run("kill", &[], Duration::from_secs(30))
    }

    /// Starts the broker again on the data it left, and waits until it is ready.
    pub fn restart(&self, start_timeout: Duration) -> Result<(), String> {
        self.run("start", &["--keep-data"], start_timeout)
    }

    /// Runs one `broker.sh` verb for this broker; an error carries the script's output.
    fn run(&self, verb: &str, args: &[&str], timeout: Duration) -> Result<(), String> {
        let script = workspace_root().join("zeebe/broker.sh");
        let mut command = Command::new("bash");
        command.arg(&script).arg(verb).args(args).env("ZEEBE_RUN_DIR", &self.run_dir);
        command.env("ZEEBE_START_TIMEOUT", timeout.as_secs().max(1).to_string());
        for (variable, port) in PORT_VARIABLES.iter().zip(self.ports) {
            command.env(variable, port.to_string());
        }
        let output = command.output().map_err(|e| format!("cannot run {} {verb}: {e}", script.display()))?;
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        if output.status.success() {
            eprintln!("private broker: {}", text.trim());
            Ok(())
        } else {
            Err(format!("`broker.sh {verb} {}` failed ({:?}):\n{text}", args.join(" "), output.status.code()))
        }
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        if let Err(problem) = self.run("stop", &[], Duration::from_secs(30)) {
            eprintln!("could not stop the private broker: {problem}");
        }
        let _ = std::fs::remove_dir_all(&self.run_dir);
    }
}

/// Five distinct loopback ports that were free a moment ago (all bound at once, then released).
fn free_ports() -> Result<[u16; 5], String> {
    let listeners = (0..5)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("cannot find free loopback ports: {e}"))?;
    let mut ports = [0; 5];
    for (port, listener) in ports.iter_mut().zip(&listeners) {
        *port = listener.local_addr().map_err(|e| format!("cannot read a bound port: {e}"))?.port();
    }
    Ok(ports)
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
