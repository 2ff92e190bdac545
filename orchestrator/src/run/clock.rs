//! `--clock virtual`: engine time that stands still while jobs are worked on and jumps to the
//! next timer when nothing else can happen, so an SLA of days or a `wait: 3d` passes at once.

use std::sync::Arc;
use std::time::Duration;

use actions::SimulateHandler;
use async_trait::async_trait;
use engine::{Clock, EngineCore, SystemClock, VirtualClock};
use workers::{Job, JobHandler, JobOutcome};

use crate::failure::{Failure, Result};
use crate::store::StoreLocation;

/// A virtual clock at the latest of the store's last entry, the time [`keep`] saved and now, so
/// engine time never runs backwards (an earlier virtual run or `timers advance` may have left it
/// days ahead).
pub fn start(store: &StoreLocation) -> Result<VirtualClock> {
    let now = SystemClock.now_millis();
    let kept = if store.exists() { kept(store)? } else { None };
    let latest = [store.last_time()?, kept].into_iter().flatten().fold(now, i64::max);
    Ok(VirtualClock::at(latest))
}

/// Saves `clock`'s time as the store's virtual clock, so the next [`start`] begins there even
/// when nothing was written to the log at that time. Written to a new file that then replaces
/// the old one, so a crash leaves the old time or the new one.
pub fn keep(store: &StoreLocation, clock: &VirtualClock) -> Result<()> {
    let file = store.clock_file();
    let fresh = {
        let mut name = file.clone().into_os_string();
        name.push(".new");
        std::path::PathBuf::from(name)
    };
    let folder = file.parent().filter(|f| !f.as_os_str().is_empty());
    let written = folder
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&fresh, clock.now_millis().to_string()))
        .and_then(|()| std::fs::rename(&fresh, &file));
    written.map_err(|e| {
        Failure::Failed(format!(
            "cannot keep the virtual clock in {}: {e}; check the folder's permissions",
            file.display()
        ))
    })
}

/// The time [`keep`] saved for the store, `None` when it saved none.
fn kept(store: &StoreLocation) -> Result<Option<i64>> {
    let file = store.clock_file();
    let Ok(text) = std::fs::read_to_string(&file) else { return Ok(None) };
    text.trim().parse().map(Some).map_err(|_| {
        Failure::Failed(format!(
            "{}: holds no virtual clock time (epoch milliseconds); delete it to go on from the log's last time",
            file.display()
        ))
    })
}

/// When `moving` is false (no job of a handled type waits for a handler or runs) and nothing is
/// due now, moves `clock` to the next timer or retry back-off and fires what fell due. Returns
/// the engine time jumped to, if it jumped.
///
/// Called under the engine's lock, so no job can start between the look and the jump; a job in
/// flight keeps the clock where it is, since its outcome may end the wait.
pub fn leap(core: &mut EngineCore, clock: &VirtualClock, moving: bool) -> Option<i64> {
    if moving {
        return None;
    }
    let back_off_end = core.state().job_backoffs.first().map(|&(at, _)| at);
    let next = [core.next_timer_due(), back_off_end].into_iter().flatten().min()?;
    if next <= clock.now_millis() {
        // Already due: the ticker fires it on its next beat.
        return None;
    }
    clock.set(next);
    core.tick();
    Some(next)
}

/// A simulated job that takes its work time ([`SimulateHandler::work_time`]) on the virtual
/// clock: it ends that long after it was activated, so jobs activated together overlap, and
/// boundary timers (RACI escalations, SLAs) fall due while the work goes on.
pub struct Timed {
    /// The handler that decides the outcome.
    pub simulate: Arc<SimulateHandler>,
    /// The engine's clock.
    pub clock: VirtualClock,
    /// The lock a job is activated with (its deadline minus this is when it was activated).
    pub lock: Duration,
}

#[async_trait]
impl JobHandler for Timed {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let outcome = self.simulate.handle(job).await;
        let millis = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let activated = job.deadline.timestamp_millis().saturating_sub(millis(self.lock));
        self.clock.advance_to(activated.saturating_add(millis(self.simulate.work_time(&job.job_type))));
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use engine::state::JobState;
    use engine::testing::ProcessTest;
    use engine::testing::model::{ProcessBuilder, TimerKind};
    use serde_json::json;

    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn a_leap_goes_to_the_next_timer_only_when_no_job_moves() {
        let mut test = ProcessTest::new();
        test.deploy(
            &ProcessBuilder::new("p").start("s").timer_catch("wait", TimerKind::Duration, "P3D").end("e").build(),
        );
        let clock = test.clock().clone();
        let began = clock.now_millis();
        let key = test.start("p", json!({}));
        assert_eq!(leap(test.core(), &clock, true), None, "a moving job holds the clock");
        test.assert_active(key);
        assert_eq!(leap(test.core(), &clock, false), Some(began + 72 * HOUR));
        test.assert_completed(key);
        assert_eq!(leap(test.core(), &clock, false), None, "no timer is left");
        assert_eq!(clock.now_millis(), began + 72 * HOUR);
    }

    #[test]
    fn a_leap_ends_a_retry_back_off() {
        let mut test = ProcessTest::new();
        test.deploy(&ProcessBuilder::new("p").start("s").service_task("work", "t").end("e").build());
        let clock = test.clock().clone();
        let began = clock.now_millis();
        test.start("p", json!({}));
        let job = test.activate("t")[0].key;
        let failed = test.core().fail_job(job, 2, "busy", Duration::from_secs(3600), engine::Variables::new());
        assert!(failed.is_ok());
        let state = |test: &mut ProcessTest| test.core().state().jobs.get(&job).map(|j| j.state);
        assert_eq!(state(&mut test), Some(JobState::BackingOff));
        assert_eq!(leap(test.core(), &clock, false), Some(began + HOUR));
        assert_eq!(state(&mut test), Some(JobState::Activatable));
    }

    #[tokio::test]
    async fn a_timed_job_ends_its_work_time_after_its_activation_and_never_moves_the_clock_back() {
        let clock = VirtualClock::at(0);
        let lock = Duration::from_secs(300);
        let timed = Timed { simulate: Arc::new(SimulateHandler::default()), clock: clock.clone(), lock };
        let job = |job_type: &str, activated_ms: i64| Job {
            job_type: job_type.into(),
            key: 1,
            element_id: "task".into(),
            element_instance_key: 2,
            bpmn_process_id: "p".into(),
            process_definition_key: 3,
            process_instance_key: 4,
            variables: engine::Variables::new(),
            custom_headers: std::collections::BTreeMap::new(),
            retries: 3,
            deadline: chrono::DateTime::from_timestamp_millis(activated_ms + 300_000).unwrap_or_default(),
            worker: "w".into(),
        };
        timed.handle(&job("approve", 0)).await;
        assert_eq!(clock.now_millis(), 2 * HOUR, "an approval takes 2h");
        timed.handle(&job("llm", 0)).await;
        assert_eq!(clock.now_millis(), 2 * HOUR, "an llm job activated with it ended within those 2h");
        timed.handle(&job("llm", 2 * HOUR)).await;
        assert_eq!(clock.now_millis(), 2 * HOUR + HOUR / 2);
    }
}
