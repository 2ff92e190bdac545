//! Runs the peer benchmark workloads (`shared/bench/peers/workloads/*.bpmn`) on the engine and
//! prints the peers' JSON line per repetition. See `shared/bench/peers/README.md`, section
//! "Adding a new engine": parse once outside the timed section, warm up, check one untimed
//! instance's trace, run instances one after another with an end-state check each, and measure
//! W4 memory in a fresh child process per repetition (RSS from `/proc/self/statm`).
//!
//! Usage: `peer-bench --workload W1|W2|W3|W4 [--instances N] [--repeat R] [--warmup K] [--json]
//! [--workloads DIR] [--store sqlite[:PATH]|postgres://...] [--in-flight K] [--load F,F...]
//! [--threads N]`. Exits 1 when a check fails, 2 on bad arguments or files.
//!
//! With `--threads N` (W1, W2, W3 in memory), N engines run one per thread, as partitions that
//! share the instances ([`partitioned`]): the scaling curve over threads.
//!
//! With `--store`, each repetition runs the workload with `K` instances in flight and group
//! commit ([`concurrent`]), once in memory and once on the durable store, and prints both lines
//! and their ratio; a SQLite store is then reopened from its whole log and from a snapshot (both
//! open times and the log's record count are printed), and the history of every ended instance
//! is pruned (the seconds it took and the log's bytes before and after). Every such line has the
//! latency from an instance's start to its acknowledged completion (p50, p99, p999). With `--load 0.5,0.9` each store is then run again
//! open-loop at those fractions of the throughput it just reached: instances start on a fixed
//! schedule, and latency counts from the scheduled start (so a late start is not hidden).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use engine::record::{Intent, RecordValue};
use engine::store::MemorySink;
use engine::{ActivateJobs, ActivatedJob, EngineCore, SystemClock, Variables};
use serde_json::{Value, json};

/// One workload: its file, process id, start variables, expected trace and end-state check.
struct Workload {
    name: &'static str,
    process_id: &'static str,
    job_types: &'static [&'static str],
    start: fn() -> Variables,
    /// Expected activations per element id on one instance.
    trace: &'static [(&'static str, usize)],
    /// End-state check on the completed instance's root variables.
    check: fn(&Variables) -> bool,
}

fn object(value: Value) -> Variables {
    match value {
        Value::Object(map) => map,
        _ => Variables::new(),
    }
}

const W1_TRACE: &[(&str, usize)] = &[
    ("start", 1),
    ("task_01", 1),
    ("task_02", 1),
    ("task_03", 1),
    ("task_04", 1),
    ("task_05", 1),
    ("task_06", 1),
    ("task_07", 1),
    ("task_08", 1),
    ("task_09", 1),
    ("task_10", 1),
    ("end", 1),
];
const W2_TRACE: &[(&str, usize)] = &[
    ("start", 1),
    ("fork", 1),
    ("branch_1", 1),
    ("branch_2", 1),
    ("branch_3", 1),
    ("branch_4", 1),
    ("branch_5", 1),
    ("branch_6", 1),
    ("branch_7", 1),
    ("branch_8", 1),
    ("join", 1),
    ("decide", 1),
    ("high", 1),
    ("end", 1),
];
const W3_TRACE: &[(&str, usize)] = &[("start", 1), ("step", 20), ("check", 20), ("end", 1)];
const W4_TRACE: &[(&str, usize)] = &[("start", 1), ("wait", 1)];

fn workload(name: &str) -> Option<Workload> {
    Some(match name {
        "W1" | "straight" => Workload {
            name: "W1",
            process_id: "w1_straight",
            job_types: &["bench.increment"],
            start: || object(json!({"counter": 0})),
            trace: W1_TRACE,
            check: |v| v.get("counter") == Some(&json!(10)),
        },
        "W2" | "fanout" => Workload {
            name: "W2",
            process_id: "w2_fanout",
            job_types: &["bench.branch", "bench.side"],
            start: || object(json!({})),
            trace: W2_TRACE,
            check: |v| {
                let sum: i64 = (1..=8).filter_map(|k| v.get(&format!("branch_{k}")).and_then(Value::as_i64)).sum();
                sum == 8 && v.get("side") == Some(&json!("high"))
            },
        },
        "W3" | "loop" => Workload {
            name: "W3",
            process_id: "w3_loop",
            job_types: &["bench.loop"],
            start: || object(json!({"i": 0})),
            trace: W3_TRACE,
            check: |v| v.get("i") == Some(&json!(20)),
        },
        "W4" | "waiting" => Workload {
            name: "W4",
            process_id: "w4_waiting",
            job_types: &[],
            start: || object(json!({})),
            trace: W4_TRACE,
            check: |_| true,
        },
        _ => return None,
    })
}

/// The handler semantics shared by every peer; `None` leaves the job open (`bench.wait`).
fn handle(job: &ActivatedJob) -> Option<Variables> {
    let mut out = Variables::new();
    let number = |name: &str| job.variables.get(name).and_then(Value::as_i64).unwrap_or(0);
    match job.job_type() {
        "bench.increment" => {
            out.insert("counter".into(), json!(number("counter") + 1));
        }
        "bench.loop" => {
            out.insert("i".into(), json!(number("i") + 1));
        }
        "bench.branch" => {
            out.insert(job.element_id().to_string(), json!(1));
        }
        "bench.side" => {
            out.insert("side".into(), json!(job.element_id()));
        }
        _ => return None,
    }
    Some(out)
}

/// Where the concurrent mode keeps its records.
#[derive(Clone)]
enum StoreChoice {
    /// In memory (no record sink).
    Memory,
    /// A SQLite file, created fresh for each repetition.
    Sqlite(PathBuf),
    /// A PostgreSQL database: each repetition writes a log of its own (named after the process
    /// and the repetition, added to the URL's query).
    Postgres(String),
}

impl StoreChoice {
    fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            None if text == "sqlite" => {
                Ok(StoreChoice::Sqlite(std::env::temp_dir().join(format!("peer-bench-{}.db", std::process::id()))))
            }
            Some(("sqlite", path)) if !path.is_empty() => Ok(StoreChoice::Sqlite(PathBuf::from(path))),
            _ if engine::store::is_postgres_url(text) => Ok(StoreChoice::Postgres(text.to_string())),
            _ => Err(format!("unknown store '{text}': use sqlite, sqlite:PATH or a postgres:// URL")),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            StoreChoice::Memory => "memory",
            StoreChoice::Sqlite(_) => "sqlite",
            StoreChoice::Postgres(_) => "postgres",
        }
    }
}

struct Options {
    workload: Workload,
    store: Option<StoreChoice>,
    in_flight: usize,
    instances: usize,
    repeat: usize,
    warmup: Option<usize>,
    json: bool,
    dir: PathBuf,
    w4_child: bool,
    /// Fractions of the measured peak to run open-loop at (`--load`).
    load: Vec<f64>,
    /// Engines (partitions), one per thread, that share the instances (`--threads`).
    threads: usize,
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut workload = None;
    let (mut instances, mut repeat, mut warmup, mut json, mut w4_child) = (1000, 5, None, false, false);
    let (mut store, mut in_flight, mut load, mut threads) = (None, 1000, Vec::new(), 1);
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/peers/workloads");
    let number =
        |v: Option<String>, flag: &str| v.and_then(|v| v.parse::<usize>().ok()).ok_or(format!("{flag} needs a number"));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--workload" => {
                let name = args.next().unwrap_or_default();
                workload = Some(workload_or_err(&name)?);
            }
            "--instances" => instances = number(args.next(), "--instances")?,
            "--repeat" => repeat = number(args.next(), "--repeat")?,
            "--warmup" => warmup = Some(number(args.next(), "--warmup")?),
            "--workloads" => dir = PathBuf::from(args.next().ok_or("--workloads needs a directory")?),
            "--json" => json = true,
            "--store" => store = Some(StoreChoice::parse(&args.next().unwrap_or_default())?),
            "--in-flight" => in_flight = number(args.next(), "--in-flight")?.max(1),
            "--w4-child" => w4_child = true,
            "--threads" => threads = number(args.next(), "--threads")?.max(1),
            "--load" => {
                let text = args.next().unwrap_or_default();
                load = text
                    .split(',')
                    .map(|f| f.trim().parse::<f64>().ok().filter(|f| *f > 0.0 && *f <= 1.0))
                    .collect::<Option<Vec<f64>>>()
                    .ok_or(format!("--load takes fractions of the peak in (0, 1], e.g. 0.5,0.9; not '{text}'"))?;
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    let workload = workload.ok_or("--workload W1|W2|W3|W4 is required")?;
    if !load.is_empty() && store.is_none() {
        return Err("--load runs with --store (it measures the concurrent mode)".into());
    }
    if threads > 1 && (store.is_some() || workload.name == "W4") {
        return Err("--threads runs W1, W2 or W3 in memory (one engine per thread)".into());
    }
    Ok(Options { workload, store, in_flight, instances, repeat, warmup, json, dir, w4_child, load, threads })
}

fn workload_or_err(name: &str) -> Result<Workload, String> {
    workload(name).ok_or(format!("unknown workload '{name}': use W1, W2, W3 or W4"))
}

/// Reads and deploys the workload file; returns the engine, cold and warm parse times in ms.
fn load(options: &Options, sink: Option<MemorySink>) -> Result<(EngineCore, f64, f64, PathBuf), String> {
    let path = options.dir.join(format!("{}.bpmn", options.workload.process_id));
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let cold = Instant::now();
    let definitions = bpmn::read::read(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    engine::model::compile_definitions(&definitions, "w.bpmn").map_err(|e| e.join("\n"))?;
    let parse_ms_cold = cold.elapsed().as_secs_f64() * 1000.0;
    let mut warm: Vec<f64> = (0..30)
        .map(|_| {
            let t = Instant::now();
            let parsed = bpmn::read::read(&bytes).map(|d| engine::model::compile_definitions(&d, "w.bpmn").is_ok());
            std::hint::black_box(parsed.ok());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    warm.sort_by(f64::total_cmp);
    let sink: Box<dyn engine::store::RecordSink> = match sink {
        Some(s) => Box::new(s),
        None => Box::new(engine::store::NullSink),
    };
    let mut core = EngineCore::with(Arc::new(SystemClock), sink);
    let file_name = path.file_name().and_then(|f| f.to_str()).unwrap_or("workload.bpmn").to_string();
    core.deploy_xml(&file_name, &bytes).map_err(|e| e.to_string())?;
    Ok((core, parse_ms_cold, warm[warm.len() / 2], path))
}

/// Runs one instance to its end (or wait state); returns its root variables when it completed.
fn run_instance(
    core: &mut EngineCore,
    workload: &Workload,
    requests: &[ActivateJobs],
) -> Result<Option<Variables>, String> {
    let (created, done) =
        core.create_instance_with_result(workload.process_id, (workload.start)()).map_err(|e| e.to_string())?;
    if let Some(result) = done {
        return Ok(Some(result));
    }
    let key = created.process_instance_key;
    core.await_result(key);
    loop {
        let mut worked = false;
        for request in requests {
            let jobs = core.activate_jobs(request).map_err(|e| e.to_string())?;
            for job in jobs {
                if let Some(variables) = handle(&job) {
                    core.complete_job(job.key, variables).map_err(|e| e.to_string())?;
                    worked = true;
                }
            }
        }
        if let Some(result) = core.take_result(key) {
            return Ok(Some(result));
        }
        if !worked {
            return Ok(None);
        }
    }
}

fn requests(workload: &Workload) -> Vec<ActivateJobs> {
    workload
        .job_types
        .iter()
        .map(|t| ActivateJobs::new(*t).worker("peer-bench").max_jobs(32).timeout(Duration::from_secs(300)))
        .collect()
}

/// Runs one untimed instance with a record log and compares its activations to the expected
/// trace.
fn trace_check(options: &Options) -> Result<(), String> {
    let sink = MemorySink::default();
    let (mut core, ..) = load(options, Some(sink.clone()))?;
    let workload = &options.workload;
    let outcome = run_instance(&mut core, workload, &requests(workload))?;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for record in sink.records() {
        if record.intent == Intent::ElementActivating
            && let RecordValue::Element(e) = &record.value
            && e.element_type != engine::model::ElementType::Process
        {
            *seen.entry(e.element_id.to_string()).or_default() += 1;
        }
    }
    let expected: BTreeMap<String, usize> = workload.trace.iter().map(|(id, n)| (id.to_string(), *n)).collect();
    if seen != expected {
        return Err(format!("trace check failed: expected {expected:?}, engine trace {seen:?}"));
    }
    let end_ok = match (workload.name, outcome) {
        ("W4", None) => true,
        ("W4", Some(_)) => false,
        (_, Some(vars)) => (workload.check)(&vars),
        (_, None) => false,
    };
    if end_ok { Ok(()) } else { Err("trace check failed: wrong end state".into()) }
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok())).sum();
    ticks / 100.0
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).unwrap_or(0) * 4096
}

fn version() -> String {
    let sha = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    format!("{} ({sha})", env!("CARGO_PKG_VERSION"))
}

fn base_line(options: &Options, path: &std::path::Path, rep: usize) -> serde_json::Map<String, Value> {
    let activations: usize = options.workload.trace.iter().map(|(_, n)| n).sum();
    object(json!({
        "peer": "persona-engine",
        "version": version(),
        "runtime": "rust (release, single-threaded, in-memory, system allocator)",
        "workload": options.workload.name,
        "instances": options.instances,
        "file": path.file_name().and_then(|f| f.to_str()).unwrap_or(""),
        "rep": rep,
        "activations_per_instance": activations,
        "allocator": "system (glibc malloc)",
    }))
}

fn print(options: &Options, line: serde_json::Map<String, Value>) {
    if options.json {
        println!("{}", Value::Object(line));
    } else {
        let get = |k: &str| line.get(k).map(Value::to_string).unwrap_or_default();
        println!(
            "{} {} rep {}: {} instances in {} s = {} instances/s, {} activations/s, rss/waiting {} verified {}{}",
            get("workload"),
            line.get("store").and_then(Value::as_str).unwrap_or("memory"),
            get("rep"),
            get("instances"),
            get("seconds"),
            get("instances_per_s"),
            get("activations_per_s"),
            get("rss_bytes_per_waiting_instance"),
            get("verified"),
            line.get("durable_to_memory_ratio").map(|r| format!(", durable/memory {r:.3}")).unwrap_or_default()
        );
    }
}

fn throughput(options: &Options) -> Result<bool, String> {
    trace_check(options)?;
    let (mut core, parse_ms_cold, parse_ms, path) = load(options, None)?;
    let workload = &options.workload;
    let requests = requests(workload);
    let warmup = options.warmup.unwrap_or((options.instances / 10).min(200));
    for _ in 0..warmup {
        run_instance(&mut core, workload, &requests)?;
    }
    let activations: usize = workload.trace.iter().map(|(_, n)| n).sum();
    let mut all_ok = true;
    for rep in 1..=options.repeat {
        let cpu = cpu_seconds();
        let started = Instant::now();
        let mut verified = 0usize;
        for _ in 0..options.instances {
            if let Some(vars) = run_instance(&mut core, workload, &requests)?
                && (workload.check)(&vars)
            {
                verified += 1;
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let cpu_seconds = cpu_seconds() - cpu;
        let ok = verified == options.instances;
        all_ok &= ok;
        let mut line = base_line(options, &path, rep);
        let rate = options.instances as f64 / seconds;
        line.extend(object(json!({
            "seconds": seconds,
            "instances_per_s": rate,
            "activations_per_s": rate * activations as f64,
            "rss_bytes_per_waiting_instance": null,
            "cpu_seconds": cpu_seconds,
            "parse_ms": parse_ms,
            "parse_ms_cold": parse_ms_cold,
            "verified": ok,
            "verified_instances": verified,
        })));
        print(options, line);
    }
    Ok(all_ok)
}

/// `--threads N`: N engines (partitions, as Zeebe spreads instances over partitions), one per
/// thread, each running its share of the instances one after another after its own warm-up; the
/// rate is all instances over the wall time from the first thread's start to the last one's end.
fn partitioned(options: &Options) -> Result<bool, String> {
    trace_check(options)?;
    let workload = &options.workload;
    let share = options.instances.div_ceil(options.threads);
    let warmup = options.warmup.unwrap_or((share / 10).min(200));
    let path = options.dir.join(format!("{}.bpmn", workload.process_id));
    let mut all_ok = true;
    for rep in 1..=options.repeat {
        let runs: Vec<Result<(Instant, Instant, usize), String>> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..options.threads)
                .map(|_| {
                    scope.spawn(|| {
                        let (mut core, ..) = load(options, None)?;
                        let requests = requests(workload);
                        for _ in 0..warmup {
                            run_instance(&mut core, workload, &requests)?;
                        }
                        let started = Instant::now();
                        let mut verified = 0;
                        for _ in 0..share {
                            if run_instance(&mut core, workload, &requests)?.is_some_and(|v| (workload.check)(&v)) {
                                verified += 1;
                            }
                        }
                        Ok((started, Instant::now(), verified))
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap_or_else(|_| Err("a thread panicked".into()))).collect()
        });
        let runs = runs.into_iter().collect::<Result<Vec<_>, String>>()?;
        let first = runs.iter().map(|r| r.0).min().ok_or("no thread ran")?;
        let last = runs.iter().map(|r| r.1).max().ok_or("no thread ran")?;
        let verified: usize = runs.iter().map(|r| r.2).sum();
        let total = share * options.threads;
        let seconds = (last - first).as_secs_f64();
        let ok = verified == total;
        all_ok &= ok;
        let mut line = base_line(options, &path, rep);
        line.extend(object(json!({
            "runtime": format!("rust (release, {} engines, one per thread)", options.threads),
            "threads": options.threads,
            "instances": total,
            "seconds": seconds,
            "instances_per_s": total as f64 / seconds,
            "verified": ok,
            "verified_instances": verified,
        })));
        print(options, line);
    }
    Ok(all_ok)
}

/// W4 child: start N waiting instances, report RSS before/after and the start rate.
fn w4_child(options: &Options) -> Result<bool, String> {
    let (mut core, parse_ms_cold, parse_ms, _) = load(options, None)?;
    let workload = &options.workload;
    run_instance(&mut core, workload, &[])?;
    let before = rss_bytes();
    let started = Instant::now();
    let mut keys = Vec::with_capacity(options.instances);
    for _ in 0..options.instances {
        let created = core.create_instance(workload.process_id, None, (workload.start)()).map_err(|e| e.to_string())?;
        keys.push(created.process_instance_key);
    }
    let seconds = started.elapsed().as_secs_f64();
    let after = rss_bytes();
    // One pass over all element instances: each instance must have exactly one live child, `wait`.
    let state = core.state();
    let mut children: std::collections::HashMap<i64, Vec<&str>> = std::collections::HashMap::new();
    for element in state.elements.values().filter(|e| e.flow_scope_key >= 0) {
        children
            .entry(element.process_instance_key)
            .or_default()
            .push(&state.process(element.def).node(element.element).id);
    }
    let verified = keys.iter().filter(|k| children.get(k).is_some_and(|c| c.as_slice() == ["wait"])).count();
    println!(
        "{}",
        json!({"seconds": seconds, "rss_before": before, "rss_after": after, "verified_instances": verified, "parse_ms": parse_ms, "parse_ms_cold": parse_ms_cold})
    );
    Ok(verified == options.instances)
}

fn memory(options: &Options) -> Result<bool, String> {
    trace_check(options)?;
    let path = options.dir.join(format!("{}.bpmn", options.workload.process_id));
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut all_ok = true;
    for rep in 1..=options.repeat {
        let output = std::process::Command::new(&exe)
            .args(["--workload", "W4", "--w4-child", "--instances", &options.instances.to_string(), "--workloads"])
            .arg(&options.dir)
            .output()
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&output.stdout);
        let child: Value = serde_json::from_str(text.trim()).map_err(|e| format!("child output '{text}': {e}"))?;
        let number = |k: &str| child.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        let verified = number("verified_instances") as usize;
        let ok = output.status.success() && verified == options.instances;
        all_ok &= ok;
        let rate = options.instances as f64 / number("seconds");
        let mut line = base_line(options, &path, rep);
        line.extend(object(json!({
            "seconds": number("seconds"),
            "instances_per_s": rate,
            "activations_per_s": rate * 2.0,
            "rss_bytes_per_waiting_instance": (number("rss_after") - number("rss_before")) / options.instances as f64,
            "rss_before": number("rss_before"),
            "rss_after": number("rss_after"),
            "parse_ms": number("parse_ms"),
            "parse_ms_cold": number("parse_ms_cold"),
            "verified": ok,
            "verified_instances": verified,
        })));
        print(options, line);
    }
    Ok(all_ok)
}

/// Opens an engine for the concurrent mode on `store` (a fresh file) and deploys the workload.
fn open_engine(options: &Options, store: &StoreChoice) -> Result<EngineCore, String> {
    let path = options.dir.join(format!("{}.bpmn", options.workload.process_id));
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut core = match store {
        StoreChoice::Memory => EngineCore::new(),
        StoreChoice::Sqlite(file) => {
            remove_store_files(file);
            let opened = engine::store::SqliteStore::open(file).map_err(|e| e.to_string())?;
            EngineCore::open(Box::new(opened), Arc::new(SystemClock)).map_err(|e| e.to_string())?
        }
        StoreChoice::Postgres(url) => {
            let separator = if url.contains('?') { '&' } else { '?' };
            let log = format!("peer-bench-{}-{}", std::process::id(), LOGS.fetch_add(1, Ordering::Relaxed));
            let opened = engine::store::open(&format!("{url}{separator}log={log}")).map_err(|e| e.to_string())?;
            EngineCore::open(opened, Arc::new(SystemClock)).map_err(|e| e.to_string())?
        }
    };
    core.deploy_xml(&format!("{}.bpmn", options.workload.process_id), &bytes).map_err(|e| e.to_string())?;
    Ok(core)
}

/// Numbers the PostgreSQL logs of one run.
static LOGS: AtomicUsize = AtomicUsize::new(0);

fn remove_store_files(file: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// What one batch did, kept until its commit is waited for: nothing of it counts before that.
struct InFlightBatch {
    commit: engine::store::Commit,
    jobs: Vec<ActivatedJob>,
    finished: Vec<(i64, Option<Variables>)>,
}

/// How many batches may be submitted and not yet committed: the engine builds the next batch
/// while the store writes the last one.
const PIPELINE_DEPTH: usize = 2;

/// Runs `count` instances with up to `in_flight` of them running at once, in batches: each batch
/// completes the jobs whose activation committed, starts instances, activates every open job,
/// and is submitted as one group commit. A batch's activated jobs are worked on and its finished
/// instances counted only after its commit (an acknowledged activation or completion is
/// durable). With `rate`, instance `i` starts no earlier than `i / rate` seconds after the
/// beginning (open loop), and its latency counts from then.
fn concurrent(core: &mut EngineCore, options: &Options, count: usize, rate: Option<f64>) -> Result<Concurrent, String> {
    let workload = &options.workload;
    let requests: Vec<ActivateJobs> = workload
        .job_types
        .iter()
        .map(|t| {
            ActivateJobs::new(*t).worker("peer-bench").max_jobs(options.in_flight * 4).timeout(Duration::from_secs(300))
        })
        .collect();
    let started = Instant::now();
    let (mut to_start, mut running, mut verified, mut finished) = (count, 0usize, 0usize, 0usize);
    let mut ready: Vec<ActivatedJob> = Vec::new();
    let mut waited = 0.0;
    let mut pipeline: std::collections::VecDeque<InFlightBatch> = std::collections::VecDeque::new();
    let scheduled = |n: usize| rate.map(|r| started + Duration::from_secs_f64(n as f64 / r));
    let mut started_at: std::collections::HashMap<i64, Instant> = std::collections::HashMap::new();
    let mut latencies = Vec::with_capacity(count);
    while finished < count {
        if let Some(next) = scheduled(count - to_start).filter(|_| to_start > 0 && running == 0 && ready.is_empty())
            && pipeline.is_empty()
        {
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
        core.begin_batch();
        for job in ready.drain(..) {
            if let Some(variables) = handle(&job) {
                core.complete_job(job.key, variables).map_err(|e| e.to_string())?;
            }
        }
        // Starting at most a share of the instances per batch spreads them over the pipeline:
        // while one batch's commit runs, the next batch has other instances to work on.
        let mut starts = options.in_flight.div_ceil(PIPELINE_DEPTH);
        while running < options.in_flight && to_start > 0 && starts > 0 {
            let due = scheduled(count - to_start);
            if due.is_some_and(|due| due > Instant::now()) {
                break;
            }
            starts -= 1;
            let created =
                core.create_instance(workload.process_id, None, (workload.start)()).map_err(|e| e.to_string())?;
            core.await_result(created.process_instance_key);
            started_at.insert(created.process_instance_key, due.unwrap_or_else(Instant::now));
            running += 1;
            to_start -= 1;
        }
        let mut jobs = Vec::new();
        for request in &requests {
            jobs.extend(core.activate_jobs(request).map_err(|e| e.to_string())?);
        }
        let done = core.take_results();
        pipeline.push_back(InFlightBatch { commit: core.submit_batch(), jobs, finished: done });
        if pipeline.len() >= PIPELINE_DEPTH || (ready.is_empty() && to_start == 0) {
            let Some(batch) = pipeline.pop_front() else { continue };
            let waiting = Instant::now();
            batch.commit.wait().map_err(|e| e.to_string())?;
            waited += waiting.elapsed().as_secs_f64();
            ready = batch.jobs;
            let acknowledged = Instant::now();
            for (key, result) in batch.finished {
                if let Some(start) = started_at.remove(&key) {
                    latencies.push(acknowledged.saturating_duration_since(start));
                }
                running -= 1;
                finished += 1;
                verified += usize::from(result.is_some_and(|vars| (workload.check)(&vars)));
            }
        }
    }
    latencies.sort_unstable();
    Ok(Concurrent { verified, seconds: started.elapsed().as_secs_f64(), waited, latencies })
}

/// What a concurrent run did.
struct Concurrent {
    verified: usize,
    seconds: f64,
    /// Seconds the engine thread waited for commits.
    waited: f64,
    /// Each instance's time from (scheduled) start to acknowledged completion, sorted.
    latencies: Vec<Duration>,
}

impl Concurrent {
    /// `{p50, p99, p999}` in milliseconds (nearest rank).
    fn latency_ms(&self) -> Value {
        let at = |q: f64| {
            let rank = ((q * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len().max(1));
            self.latencies.get(rank - 1).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        json!({"p50": at(0.50), "p99": at(0.99), "p999": at(0.999)})
    }
}

/// The concurrent mode: per repetition, the workload in memory and on the store, both with
/// `--in-flight` instances at once and group commit, and the ratio.
fn concurrent_mode(options: &Options, store: &StoreChoice) -> Result<bool, String> {
    trace_check(options)?;
    let path = options.dir.join(format!("{}.bpmn", options.workload.process_id));
    let activations: usize = options.workload.trace.iter().map(|(_, n)| n).sum();
    let warmup = options.warmup.unwrap_or((options.instances / 10).min(2000));
    let mut all_ok = true;
    for rep in 1..=options.repeat {
        let mut rates = Vec::new();
        for choice in [StoreChoice::Memory, store.clone()] {
            let mut core = open_engine(options, &choice)?;
            concurrent(&mut core, options, warmup, None)?;
            let cpu = cpu_seconds();
            let peak = concurrent(&mut core, options, options.instances, None)?;
            let cpu_seconds = cpu_seconds() - cpu;
            let Concurrent { verified, seconds, waited, .. } = peak;
            let peak_rate = options.instances as f64 / seconds;
            let mut loaded = Vec::new();
            for &fraction in &options.load {
                let run = concurrent(&mut core, options, options.instances, Some(fraction * peak_rate))?;
                all_ok &= run.verified == options.instances;
                loaded.push((fraction, run));
            }
            drop(core);
            let (bytes, reopened) = match &choice {
                StoreChoice::Sqlite(file) => {
                    let size = store_size(file);
                    let reopened = reopen(file)?;
                    remove_store_files(file);
                    (Some(size), Some(reopened))
                }
                StoreChoice::Memory | StoreChoice::Postgres(_) => (None, None),
            };
            let reopened = reopened.as_ref();
            let ended = (warmup + options.instances * (1 + options.load.len())) as f64;
            let ok = verified == options.instances;
            all_ok &= ok;
            let rate = options.instances as f64 / seconds;
            rates.push(rate);
            let mut line = base_line(options, &path, rep);
            line.extend(object(json!({
                "runtime": format!("rust (release, {} instances in flight, group commit, {} store)", options.in_flight, choice.name()),
                "store": choice.name(),
                "in_flight": options.in_flight,
                "seconds": seconds,
                "instances_per_s": rate,
                "activations_per_s": rate * activations as f64,
                "rss_bytes_per_waiting_instance": null,
                "cpu_seconds": cpu_seconds,
                "store_bytes": bytes,
                "commit_wait_seconds": waited,
                "store_bytes_per_instance": bytes.map(|b| b as f64 / ended),
                "log_records": reopened.map(|r| r.records),
                "open_seconds_whole_log": reopened.map(|r| r.whole_log_seconds),
                "open_seconds_from_snapshot": reopened.map(|r| r.from_snapshot_seconds),
                "status_list_seconds": reopened.map(|r| r.status.overview_seconds),
                "status_one_instance_seconds": reopened.map(|r| r.status.one_instance_seconds),
                "status_whole_fold_seconds": reopened.and_then(|r| r.status.whole_fold_seconds),
                "status_fold_to_index_ratio": reopened.and_then(|r| Some(r.status.whole_fold_seconds? / r.status.overview_seconds)),
                "instances_indexed": reopened.map(|r| r.status.indexed),
                "prune_seconds": reopened.map(|r| r.prune_seconds),
                "pruned_instances": reopened.map(|r| r.pruned.instances),
                "log_bytes_before_pruning": reopened.map(|r| r.pruned.bytes_before),
                "log_bytes_after_pruning": reopened.map(|r| r.pruned.bytes_after),
                "verified": ok,
                "verified_instances": verified,
                "latency_ms": peak.latency_ms(),
            })));
            if let [memory, durable] = rates[..] {
                line.insert("durable_to_memory_ratio".into(), json!(durable / memory));
            }
            print(options, line);
            for (fraction, run) in &loaded {
                let mut line = base_line(options, &path, rep);
                line.extend(object(json!({
                    "runtime": format!("rust (release, open loop at {:.0}% of its peak, {} store)", fraction * 100.0, choice.name()),
                    "store": choice.name(),
                    "load": fraction,
                    "target_instances_per_s": fraction * peak_rate,
                    "seconds": run.seconds,
                    "instances_per_s": options.instances as f64 / run.seconds,
                    "latency_ms": run.latency_ms(),
                    "verified": run.verified == options.instances,
                })));
                print(options, line);
            }
        }
    }
    Ok(all_ok)
}

/// What became of a SQLite store after its run: its records, how long opening it took from the
/// whole log and from a snapshot, and what pruning every ended instance's history removed.
struct Reopened {
    records: u64,
    whole_log_seconds: f64,
    from_snapshot_seconds: f64,
    prune_seconds: f64,
    pruned: engine::store::PruneReport,
    status: StatusReads,
}

/// How long `status` reads take on the store, as `orchestrator status` makes them.
struct StatusReads {
    /// The instance list (counts, running, the 50 newest ended) from the instance index.
    overview_seconds: f64,
    /// One ended instance's history, folded from its span of the log.
    one_instance_seconds: f64,
    /// The baseline: the same list from folding the whole log (what `status` did before the
    /// index); skipped above [`FOLD_BASELINE_RECORDS`] records, where the fold outgrows memory.
    whole_fold_seconds: Option<f64>,
    /// How many instances the index counts.
    indexed: i64,
}

/// The largest log whose whole fold the status baseline times (about 10 KB of memory per
/// 100-record W1 instance folded).
const FOLD_BASELINE_RECORDS: u64 = 20_000_000;

/// Times the `status` reads beside no engine, and checks that the index and the fold count the
/// same instances.
fn status_reads(file: &std::path::Path, records: u64) -> Result<StatusReads, String> {
    use engine::history::History;
    use engine::store::RecordStore;
    let mut store = engine::store::SqliteStore::open_read_only(file).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let overview =
        store.instance_overview(50).map_err(|e| e.to_string())?.ok_or("the store keeps no instance index")?;
    let overview_seconds = started.elapsed().as_secs_f64();
    let counts = overview.counts;
    let indexed = counts.active + counts.completed + counts.terminated;
    let key = overview.ended.first().map(|i| i.key).ok_or("no instance ended")?;
    let started = Instant::now();
    History::read_instance(&mut store, key)
        .map_err(|e| e.to_string())?
        .ok_or("the newest ended instance is unknown")?;
    let one_instance_seconds = started.elapsed().as_secs_f64();
    if records > FOLD_BASELINE_RECORDS {
        return Ok(StatusReads { overview_seconds, one_instance_seconds, whole_fold_seconds: None, indexed });
    }
    let started = Instant::now();
    let whole = History::fold(engine::store::read_entries(&mut store).map_err(|e| e.to_string())?);
    let whole_fold_seconds = started.elapsed().as_secs_f64();
    if whole.instances().count() as i64 != indexed {
        return Err(format!("the index counts {indexed} instances, the fold {}", whole.instances().count()));
    }
    Ok(StatusReads { overview_seconds, one_instance_seconds, whole_fold_seconds: Some(whole_fold_seconds), indexed })
}

/// Opens the SQLite store again by replaying its whole log, takes a snapshot, opens it from the
/// snapshot, then prunes the history of every instance that ended (a retention policy of zero)
/// and checks that it still opens from its snapshot.
fn reopen(file: &std::path::Path) -> Result<Reopened, String> {
    let open = || -> Result<(EngineCore, f64), String> {
        let started = Instant::now();
        let store = engine::store::SqliteStore::open(file).map_err(|e| e.to_string())?;
        let core = EngineCore::open(Box::new(store), Arc::new(SystemClock)).map_err(|e| e.to_string())?;
        Ok((core, started.elapsed().as_secs_f64()))
    };
    let records = count_records(file)?;
    let status = status_reads(file, records)?;
    let (mut core, whole_log_seconds) = open()?;
    core.snapshot().map_err(|e| e.to_string())?;
    drop(core);
    let (mut core, from_snapshot_seconds) = open()?;
    if core.open_report().snapshot_position.is_none() {
        return Err(format!("the reopened store did not use its snapshot: {:?}", core.open_report()));
    }
    let started = Instant::now();
    let pruned = core.prune_history(i64::MAX).map_err(|e| e.to_string())?.ok_or("the store keeps no history")?;
    let prune_seconds = started.elapsed().as_secs_f64();
    drop(core);
    open()?;
    Ok(Reopened { records, whole_log_seconds, from_snapshot_seconds, prune_seconds, pruned, status })
}

/// The records in a SQLite store's log, counted a page of batches at a time.
fn count_records(file: &std::path::Path) -> Result<u64, String> {
    use engine::store::RecordStore;
    let mut store = engine::store::SqliteStore::open_read_only(file).map_err(|e| e.to_string())?;
    let (mut records, mut from) = (0, 1);
    loop {
        let page = store.batches(from, i64::MAX, 64).map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { return Ok(records) };
        from = last.last_position() + 1;
        for batch in &page {
            let entries = engine::store::format::unpack_batch(batch.first_position, &batch.bytes)?;
            records += entries.iter().map(|e| e.record_count.unsigned_abs()).sum::<u64>();
        }
    }
}

/// The bytes of a SQLite store: the file and its write-ahead log.
fn store_size(file: &std::path::Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(PathBuf::from(name)).ok().map(|m| m.len())
        })
        .sum()
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("peer-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let result = if let Some(store) = options.store.clone() {
        if options.workload.name == "W4" {
            Err("--store runs W1, W2 or W3 (W4 measures memory)".into())
        } else {
            concurrent_mode(&options, &store)
        }
    } else if options.w4_child {
        w4_child(&options)
    } else if options.workload.name == "W4" {
        memory(&options)
    } else if options.threads > 1 {
        partitioned(&options)
    } else {
        throughput(&options)
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("peer-bench: end-state check failed");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("peer-bench: {e}");
            ExitCode::from(1)
        }
    }
}
