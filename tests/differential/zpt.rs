//! Zeebe as a differential [`Engine`]: a private in-memory Zeebe engine
//! (`zeebe-process-test-engine`, Zeebe's own workflow engine) started for this test binary by
//! `ZEEBE_ENGINE=zpt zeebe/broker.sh serve` on free ports, beside (never instead of) the broker
//! other tests share. Commands go through its gRPC gateway with `workers::ZeebeClient`; the
//! outcome is read from the engine's record log, which `zpt/ZptGateway.java --control` serves
//! as JSON lines, together with the engine clock (pinned, moved only by [`Engine::advance`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use workers::{ActivateJobsRequest, JobClient, ZeebeClient};

use super::case::{Reply, Step, Variables};
use super::driver::{ActiveJob, Engine, JOB_TIMEOUT, pending_timers};
use super::outcome::{Change, Event, Lifecycle};
use crate::support::workspace_root;

/// How long the engine may take to start (a first run also fetches it with Maven).
const START_TIMEOUT: Duration = Duration::from_secs(240);

/// How far the clock is nudged while a due timer has not fired.
const NUDGE: Duration = Duration::from_millis(10);

/// How long a fired timer may take to show up in the record log.
const TIMER_TIMEOUT: Duration = Duration::from_secs(10);

/// The engine process; killed when dropped.
pub struct ZptProcess {
    child: Child,
    /// The gRPC gateway address.
    pub gateway: String,
    /// The control endpoint's port.
    pub control_port: u16,
    log: std::path::PathBuf,
}

impl Drop for ZptProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("no free port: {e}"))
}

impl ZptProcess {
    /// Starts the engine and waits for its ready line.
    pub fn start() -> Result<Self, String> {
        let (gateway_port, control_port) = (free_port()?, free_port()?);
        let log = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("differential-zpt.log");
        let stderr = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = Command::new("bash")
            .arg(workspace_root().join("zeebe/broker.sh"))
            .arg("serve")
            .env("ZEEBE_ENGINE", "zpt")
            .env("ZEEBE_GATEWAY_PORT", gateway_port.to_string())
            .env("ZEEBE_CONTROL_PORT", control_port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot run zeebe/broker.sh serve: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (ready, wait) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("zpt-gateway ready") {
                    let _ = ready.send(());
                }
            }
        });
        let process = Self { child, gateway: format!("http://127.0.0.1:{gateway_port}"), control_port, log };
        match wait.recv_timeout(START_TIMEOUT) {
            Ok(()) => Ok(process),
            Err(_) => Err(format!(
                "the in-memory Zeebe engine did not start within {START_TIMEOUT:?}; its log ({}):\n{}",
                process.log.display(),
                std::fs::read_to_string(&process.log).unwrap_or_default()
            )),
        }
    }
}

/// One HTTP/1.0 request without a body to the control endpoint; the body of a 200 answer.
fn control(port: u16, method: &str, path: &str) -> Result<String, String> {
    control_with(port, method, path, "")
}

/// One HTTP/1.0 request to the control endpoint; the body of a 200 answer.
fn control_with(port: u16, method: &str, path: &str, body: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("control endpoint: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
    write!(stream, "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n{body}", body.len())
        .map_err(|e| format!("control endpoint: {e}"))?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| format!("control endpoint {path}: {e}"))?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or_else(|| format!("{path}: no HTTP answer"))?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        return Err(format!("{method} {path}: {head}: {body}"));
    }
    Ok(body.to_owned())
}

/// The Zeebe side: the shared engine, with the record log read up to `cursor`.
pub struct Zpt {
    client: ZeebeClient,
    control_port: u16,
    /// Records of the log read so far (all cases).
    cursor: usize,
    /// This case's events.
    events: Vec<Event>,
    /// Commands sent and time spent waiting for the engine, for the timing report.
    pub stats: (usize, Duration),
    /// Per clock move of this case, how far the clock was nudged beyond it (see
    /// [`Engine::advance`]); the embedded engine's clock moves the same, so `now()` agrees.
    pub nudges: Vec<Duration>,
}

impl Zpt {
    /// The Zeebe side of the engine process.
    pub fn new(process: &ZptProcess) -> Result<Self, String> {
        let client = ZeebeClient::new(&process.gateway).map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            control_port: process.control_port,
            cursor: 0,
            events: Vec::new(),
            stats: (0, Duration::ZERO),
            nudges: Vec::new(),
        })
    }

    /// Begins a case: what was logged before belongs to earlier cases.
    pub fn begin_case(&mut self) -> Result<(), String> {
        self.idle()?;
        self.read_log()?;
        self.events.clear();
        self.nudges.clear();
        Ok(())
    }

    /// Ends a case: cancels the instances it left running, so they take no later jobs.
    pub async fn end_case(&mut self) -> Result<(), String> {
        self.read_log()?;
        for root in super::driver::running_roots(&self.events) {
            self.client.cancel_process_instance(root).await.map_err(|e| e.to_string())?;
        }
        self.idle()
    }

    fn idle(&mut self) -> Result<(), String> {
        let began = Instant::now();
        let result = control(self.control_port, "POST", "/idle").map(drop);
        self.stats.0 += 1;
        self.stats.1 += began.elapsed();
        result
    }

    /// Reads the records logged since the last read into this case's events.
    fn read_log(&mut self) -> Result<(), String> {
        let body = control(self.control_port, "GET", &format!("/records?from={}", self.cursor))?;
        for line in body.lines().filter(|l| !l.is_empty()) {
            self.cursor += 1;
            let record: Value = serde_json::from_str(line).map_err(|e| format!("record {}: {e}", self.cursor))?;
            if let Some(event) = event(&record)? {
                self.events.push(event);
            }
        }
        Ok(())
    }

    /// Waits until the engine has processed what the last command caused.
    fn settled(&mut self, result: Result<impl Sized, workers::ClientError>) -> Result<(), String> {
        result.map_err(|e| e.to_string())?;
        self.idle()
    }
}

impl Engine for Zpt {
    async fn deploy(&mut self, resources: &[(String, String)]) -> Result<(), String> {
        let resources = resources.iter().map(|(n, x)| (n.clone(), x.clone().into_bytes()));
        let result = self.client.deploy_resources(resources).await;
        self.settled(result)
    }

    async fn start(&mut self, process: &str, variables: Variables) -> Result<i64, String> {
        let created = self.client.create_process_instance(process, variables).await.map_err(|e| e.to_string())?;
        self.idle()?;
        Ok(created.process_instance_key)
    }

    /// Activates all types at once (activation changes no element, so the order does not matter).
    async fn activate(&mut self, job_types: &[String]) -> Result<Vec<ActiveJob>, String> {
        let mut calls = tokio::task::JoinSet::new();
        for job_type in job_types {
            let request = ActivateJobsRequest {
                job_type: job_type.clone(),
                worker: "differential".into(),
                max_jobs: 1000,
                timeout: JOB_TIMEOUT,
                fetch_variables: None,
                request_timeout: Duration::ZERO,
            };
            let client = self.client.clone();
            calls.spawn(async move { client.activate_jobs(&request).await });
        }
        let mut jobs = Vec::new();
        for batch in calls.join_all().await {
            for job in batch.map_err(|e| e.to_string())? {
                jobs.push(ActiveJob {
                    key: job.key,
                    step_id: job.header("stepId").map(str::to_owned),
                    process_id: job.bpmn_process_id,
                    element_id: job.element_id,
                    element_instance_key: job.element_instance_key,
                    retries: job.retries,
                    variables: job.variables,
                });
            }
        }
        Ok(jobs)
    }

    async fn answer(&mut self, job: &ActiveJob, reply: Reply) -> Result<bool, String> {
        let result = match reply {
            Reply::Complete(variables) => self.client.complete_job(job.key, variables).await,
            Reply::Throw { code, variables } => self.client.throw_error(job.key, &code, "thrown", variables).await,
            Reply::Fail { retries, message } => self.client.fail_job(job.key, retries, &message, Duration::ZERO).await,
            Reply::Leave => Ok(()),
            // This engine's gRPC gateway drops a job's result: the control endpoint writes it.
            Reply::Decide { variables, decision } => {
                let body = ad_hoc_completion(&variables, &decision);
                return control_with(self.control_port, "POST", &format!("/complete-ad-hoc?job={}", job.key), &body)
                    .and_then(|_| self.idle())
                    .map(|()| true);
            }
        };
        match result {
            Err(workers::ClientError::NotFound(_)) => self.idle().map(|()| false),
            result => self.settled(result).map(|()| true),
        }
    }

    async fn publish(&mut self, step: &Step) -> Result<(), String> {
        let Step::Publish { name, correlation_key, ttl, message_id, variables } = step else {
            return Err(format!("not a publish step: {step:?}"));
        };
        let result = self.client.publish_message(name, correlation_key, *ttl, message_id, variables.clone()).await;
        self.settled(result)
    }

    async fn signal(&mut self, name: &str, variables: Variables) -> Result<(), String> {
        let result = self.client.broadcast_signal(name, variables).await;
        self.settled(result)
    }

    async fn set_variables(&mut self, scope_key: i64, variables: Variables) -> Result<(), String> {
        let result = self.client.set_variables(scope_key, variables, false).await;
        self.settled(result)
    }

    async fn update_retries(&mut self, job_key: i64, retries: i32) -> Result<(), String> {
        let result = self.client.update_job_retries(job_key, retries).await;
        self.settled(result)
    }

    async fn resolve(&mut self, incident_key: i64) -> Result<(), String> {
        let result = self.client.resolve_incident(incident_key).await;
        self.settled(result)
    }

    async fn now(&mut self) -> Result<i64, String> {
        let body = control(self.control_port, "GET", "/time")?;
        body.trim().parse().map_err(|e| format!("engine time '{}': {e}", body.trim()))
    }

    /// The engine fires due timers on its own schedule after its clock moved, so this waits
    /// until no timer due by the new time is pending. A timer already due when it was created
    /// (`PT0S`, `-PT5M`, a past date) fires only once the pinned clock moves again, so the
    /// clock is nudged by [`NUDGE`] while one is pending (Zeebe's real clock moves by
    /// itself; the embedded engine fires such timers at once).
    async fn advance(&mut self, by: Duration, _: &[Event]) -> Result<(), String> {
        let mut target = self.now().await?.saturating_add(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
        control(self.control_port, "POST", &format!("/time?advance={}", by.as_millis()))?;
        let began = Instant::now();
        let mut nudged = Duration::ZERO;
        loop {
            // The engine reads its clock anew only between jobs of its scheduler.
            if self.now().await? < target {
                std::thread::sleep(Duration::from_millis(2));
            } else {
                self.idle()?;
                self.read_log()?;
                let pending = pending_timers(&self.events);
                let due: Vec<i64> = pending.into_iter().filter(|(_, at)| *at <= target).map(|(k, _)| k).collect();
                if due.is_empty() {
                    self.nudges.push(nudged);
                    return Ok(());
                }
                if began.elapsed() > TIMER_TIMEOUT {
                    return Err(format!("timers {due:?} did not fire within {TIMER_TIMEOUT:?} after the clock moved"));
                }
                std::thread::sleep(Duration::from_millis(5));
                control(self.control_port, "POST", &format!("/time?advance={}", NUDGE.as_millis()))?;
                target += i64::try_from(NUDGE.as_millis()).unwrap_or(0);
                nudged += NUDGE;
            }
            if began.elapsed() > TIMER_TIMEOUT {
                return Err(format!("the engine clock did not reach {target} within {TIMER_TIMEOUT:?}"));
            }
        }
    }

    async fn events(&mut self) -> Result<Vec<Event>, String> {
        self.read_log()?;
        Ok(self.events.clone())
    }
}

/// The body of `POST /complete-ad-hoc` (see `zeebe/zpt/ZptGateway.java`).
fn ad_hoc_completion(variables: &Variables, decision: &workers::AdHocDecision) -> String {
    let json = |variables: &Variables| Value::Object(variables.clone()).to_string();
    let mut lines = vec![format!("variables {}", json(variables))];
    match decision {
        workers::AdHocDecision::Activate(activations) => {
            lines.extend(activations.iter().map(|a| format!("activate {} {}", a.element_id, json(&a.variables))));
        }
        workers::AdHocDecision::Done { cancel_remaining } => {
            lines.push("done true".into());
            lines.push(format!("cancel {cancel_remaining}"));
        }
    }
    lines.join("\n")
}

fn number(value: &Value, field: &str) -> i64 {
    value.get(field).and_then(Value::as_i64).unwrap_or(-1)
}

fn string(value: &Value, field: &str) -> String {
    value.get(field).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// The event an exported Zeebe record stands for, if the comparison or the driver reads it
/// (events only: commands and rejections change nothing).
fn event(record: &Value) -> Result<Option<Event>, String> {
    if record.get("recordType").and_then(Value::as_str) != Some("EVENT") {
        return Ok(None);
    }
    let key = number(record, "key");
    let intent = string(record, "intent");
    let value = record.get("value").cloned().unwrap_or(Value::Null);
    let created_or_ended = |created: &str| if intent == created { Change::Created } else { Change::Ended };
    Ok(match (string(record, "valueType").as_str(), intent.as_str()) {
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING" | "ELEMENT_COMPLETED" | "ELEMENT_TERMINATED") => {
            let lifecycle = match intent.as_str() {
                "ELEMENT_ACTIVATING" => Lifecycle::Activating,
                "ELEMENT_COMPLETED" => Lifecycle::Completed,
                _ => Lifecycle::Terminated,
            };
            Some(Event::Element {
                key,
                lifecycle,
                element_id: string(&value, "elementId"),
                is_process: string(&value, "bpmnElementType") == "PROCESS",
                flow_scope_key: number(&value, "flowScopeKey"),
                parent_element_instance_key: number(&value, "parentElementInstanceKey"),
            })
        }
        ("VARIABLE", "CREATED" | "UPDATED") => {
            let text = string(&value, "value");
            let parsed = serde_json::from_str(&text).map_err(|e| format!("variable value '{text}': {e}"))?;
            Some(Event::Variable { name: string(&value, "name"), value: parsed, scope_key: number(&value, "scopeKey") })
        }
        ("INCIDENT", "CREATED" | "RESOLVED") => Some(Event::Incident {
            key,
            change: created_or_ended("CREATED"),
            element_instance_key: number(&value, "elementInstanceKey"),
            error_type: string(&value, "errorType"),
            message: string(&value, "errorMessage"),
            job_key: number(&value, "jobKey"),
        }),
        ("TIMER", "CREATED" | "TRIGGERED" | "CANCELED") if number(&value, "processInstanceKey") > 0 => {
            Some(Event::Timer { key, change: created_or_ended("CREATED"), due_date: number(&value, "dueDate") })
        }
        _ => None,
    })
}
