//! Scheduled starts on a durable SQLite store: a cron and an ISO-8601 cycle keep firing across a
//! clean restart and across a process killed while firing, each due time starting exactly one
//! instance, under the virtual clock.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use engine::model::ElementType;
use engine::record::{Intent, RecordValue};
use engine::store::SqliteStore;
use engine::testing::model::{ProcessBuilder, TimerKind};
use engine::{EngineCore, VirtualClock};

const HOUR: i64 = 3_600_000;
/// 2030-01-01T00:00:00Z: on the hour, so the cron's and the cycle's firings line up.
const T0: i64 = 1_893_456_000_000;
const KILLED_ENV: &str = "ENGINE_SCHEDULES_TEST_STORE";

fn open(path: &Path, clock: &VirtualClock) -> EngineCore {
    let store = SqliteStore::open(path).expect("the store opens");
    EngineCore::open(Box::new(store), Arc::new(clock.clone())).expect("the engine opens")
}

fn deploy_schedules(core: &mut EngineCore) {
    let cron = ProcessBuilder::new("cron").timer_start("tick", TimerKind::Cycle, "0 0 * * * *", true).end("e").build();
    let cycle = ProcessBuilder::new("cycle").timer_start("tick", TimerKind::Cycle, "R/PT1H", true).end("e").build();
    core.deploy_model("cron.bpmn", &cron).expect("the cron deploys");
    core.deploy_model("cycle.bpmn", &cycle).expect("the cycle deploys");
}

/// Per process id: how many timer firings each due date had, and how many instances completed.
fn starts(path: &Path) -> BTreeMap<String, (BTreeMap<i64, u32>, usize)> {
    let mut store = SqliteStore::open_read_only(path).expect("the store opens to read");
    let entries = engine::store::read_entries(&mut store).expect("the log reads");
    let records: Vec<_> = entries.into_iter().flat_map(|e| e.records).collect();
    let mut names = BTreeMap::new();
    for record in &records {
        if let RecordValue::Process(p) = &record.value {
            names.insert(p.process.key, p.process.bpmn_process_id.to_string());
        }
    }
    let mut per_process: BTreeMap<String, (BTreeMap<i64, u32>, usize)> = BTreeMap::new();
    for record in &records {
        match (&record.value, record.intent) {
            (RecordValue::Timer(t), Intent::TimerTriggered) => {
                *per_process
                    .entry(names[&t.process_definition_key].clone())
                    .or_default()
                    .0
                    .entry(t.due_date)
                    .or_default() += 1;
            }
            (RecordValue::Element(e), Intent::ElementCompleted) if e.element_type == ElementType::Process => {
                per_process.entry(names[&e.process_definition_key].clone()).or_default().1 += 1;
            }
            _ => {}
        }
    }
    per_process
}

/// Each process fired once per hour in `1..=hours`, and completed as many instances.
fn assert_once_per_hour(path: &Path, hours: i64) {
    let expected: BTreeMap<i64, u32> = (1..=hours).map(|h| (T0 + h * HOUR, 1)).collect();
    let starts = starts(path);
    assert_eq!(starts.keys().collect::<Vec<_>>(), ["cron", "cycle"]);
    for (process, (fired, completed)) in starts {
        assert_eq!(fired, expected, "{process}: every hour fired once, none twice");
        assert_eq!(completed, hours as usize, "{process}: one instance per firing");
    }
}

#[test]
fn schedules_fire_once_per_due_time_across_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("engine.db");
    let clock = VirtualClock::at(T0);
    {
        let mut core = open(&path, &clock);
        deploy_schedules(&mut core);
        for _ in 0..5 {
            clock.advance(Duration::from_secs(3600));
            core.tick();
        }
        assert_eq!(core.scheduled_starts(1)[0].next_due, [T0 + 6 * HOUR]);
    }
    assert_once_per_hour(&path, 5);
    // Closed for five hours: reopening catches up on them, one by one.
    clock.advance(Duration::from_secs(5 * 3600));
    let core = open(&path, &clock);
    let next: Vec<i64> = core.scheduled_starts(2).into_iter().flat_map(|s| s.next_due).collect();
    assert_eq!(next, [T0 + 11 * HOUR, T0 + 12 * HOUR, T0 + 11 * HOUR, T0 + 12 * HOUR]);
    drop(core);
    assert_once_per_hour(&path, 10);
}

/// The child side of the next test (it returns at once unless that test started it): fires
/// the schedules hour after hour on the virtual clock, saying how far it got, until killed.
#[test]
fn child_process_firing_schedules() {
    let Ok(path) = std::env::var(KILLED_ENV) else { return };
    let clock = VirtualClock::at(T0);
    let mut core = open(Path::new(&path), &clock);
    deploy_schedules(&mut core);
    for hour in 1..=200 {
        clock.advance(Duration::from_secs(3600));
        core.tick();
        println!("fired-hour {hour}");
    }
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_process_killed_while_firing_leaves_no_hour_fired_twice_or_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("engine.db");
    let mut child = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "child_process_firing_schedules", "--nocapture", "--test-threads=1"])
        .env(KILLED_ENV, &path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the child starts");
    let stdout = std::io::BufReader::new(child.stdout.take().expect("piped"));
    // Killed (SIGKILL) as soon as it says it fired the third hour: it is firing the next ones.
    let reached = stdout.lines().map_while(Result::ok).find(|line| line.contains("fired-hour 3"));
    child.kill().expect("kills the child");
    child.wait().expect("the child ends");
    assert!(reached.is_some(), "the child fired three hours");
    let kept = starts(&path).get("cron").map_or(0, |(fired, _)| fired.len());
    assert!(kept >= 3, "what the child said it fired is stored: {kept} hours");
    eprintln!("the killed child had stored {kept} of its 200 hours");
    let clock = VirtualClock::at(T0 + 300 * HOUR);
    let core = open(&path, &clock);
    assert_eq!(core.scheduled_starts(1).len(), 2, "both schedules survived the kill");
    drop(core);
    assert_once_per_hour(&path, 300);
}
