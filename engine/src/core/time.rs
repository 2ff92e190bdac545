//! Time-driven work of [`EngineCore`]: timers, job time-outs, back-offs and message expiry.

use std::sync::Arc;

use serde_json::Map;

use super::{EngineCore, Origin};
use crate::model::NodeKind;
use crate::processing::Machine;
use crate::processing::behavior::{events, messages};
use crate::record::{Intent, JobRecord, RecordValue};
use crate::state::JobState;

/// Something that fell due, by its key.
enum Due {
    Timer(i64),
    JobTimeout(i64),
    BackOffEnd(i64),
    MessageExpiry(i64),
}

impl EngineCore {
    /// When the earliest pending timer falls due (epoch milliseconds), or `None` when no timer
    /// is pending. It may lie in the past: a due timer fires on the next command or
    /// [`tick`](Self::tick). A runtime on a [`VirtualClock`](crate::VirtualClock) moves the clock
    /// here when nothing else can happen, so long waits pass at once.
    pub fn next_timer_due(&self) -> Option<i64> {
        self.m.state.timer_due.first().map(|&(due, _)| due)
    }

    /// Fires everything due at `self.m.now`, oldest first, until nothing is due.
    pub(super) fn fire_due(&mut self) {
        let mut begun = false;
        while let Some(due) = self.next_due() {
            if !begun {
                self.begin(Origin::Timer);
                begun = true;
            }
            match due {
                Due::Timer(key) => self.fire_timer(key),
                Due::JobTimeout(key) => job_again(&mut self.m, key, Intent::JobTimedOut),
                Due::BackOffEnd(key) => job_again(&mut self.m, key, Intent::JobRecurredAfterBackoff),
                Due::MessageExpiry(key) => {
                    if let Some(message) = self.m.state.messages.get(&key).map(|b| b.record.clone()) {
                        self.m.write(key, Intent::MessageExpired, RecordValue::Message(message));
                    }
                }
            }
            self.m.run();
        }
    }

    /// The oldest thing due at `self.m.now`, by kind: timers first, then job time-outs,
    /// back-offs and message expiry.
    fn next_due(&mut self) -> Option<Due> {
        let now = self.m.now;
        let timed_out = self.m.state.due_job_deadline(now);
        let state = &self.m.state;
        if let Some(&(_, key)) = state.timer_due.first().filter(|(due, _)| *due <= now) {
            Some(Due::Timer(key))
        } else if let Some(key) = timed_out {
            Some(Due::JobTimeout(key))
        } else if let Some(&(_, key)) = state.job_backoffs.first().filter(|(d, _)| *d <= now) {
            Some(Due::BackOffEnd(key))
        } else {
            state.message_expiry.first().filter(|(d, _)| *d <= now).map(|&(_, key)| Due::MessageExpiry(key))
        }
    }

    /// Times out every activated job at once, as its deadline would, and returns how many.
    ///
    /// For a process that reopens a store whose job workers ran in-process (the embedded `run`
    /// and `serve`): the workers that held these jobs died with the previous process, so waiting
    /// for their deadlines (minutes, and never on a virtual clock that only moves to timers)
    /// would stall the work. A store shared with workers of another live process must not call it.
    pub fn release_activated_jobs(&mut self) -> crate::error::Result<usize> {
        let mut held: Vec<i64> =
            self.m.state.jobs.iter().filter(|(_, job)| job.state == JobState::Activated).map(|(&key, _)| key).collect();
        if held.is_empty() {
            return Ok(0);
        }
        held.sort_unstable();
        self.command(Origin::Api("ReleaseActivatedJobs"), |m| {
            for &key in &held {
                job_again(m, key, Intent::JobTimedOut);
            }
            Ok(held.len())
        })
    }

    fn fire_timer(&mut self, key: i64) {
        let Some(timer) = self.m.state.timers.get(&key).cloned() else { return };
        self.m.write(key, Intent::TimerTriggered, RecordValue::Timer(timer.clone()));
        let empty = Arc::new(Map::new());
        let accepted = if timer.element_instance_key < 0 {
            match self.m.state.process_by_key.get(&timer.process_definition_key).copied() {
                Some(def) => {
                    messages::start_instance_at(&mut self.m, def, timer.element, empty);
                    true
                }
                None => false,
            }
        } else {
            events::trigger(&mut self.m, timer.element_instance_key, timer.element, empty, false)
        };
        let non_interrupting = self.m.state.process_by_key.get(&timer.process_definition_key).is_some_and(|&def| {
            let process = self.m.state.process(def);
            match &process.node(timer.element).kind {
                NodeKind::Boundary { interrupting, .. } => !interrupting,
                NodeKind::Start(_) => process.node(timer.element).scope.is_none_or(|s| {
                    !matches!(process.node(s).kind, NodeKind::EventSubProcess { interrupting: true, .. })
                }),
                _ => false,
            }
        });
        if let Some(next) = timer.next_firing().filter(|_| accepted && non_interrupting) {
            let next_key = self.m.key();
            self.m.write(next_key, Intent::TimerCreated, RecordValue::Timer(next));
        }
    }
}

/// A timed-out job or one whose back-off ended becomes activatable again: writes `intent` for
/// job `key`, clearing its deadline, back-off and worker.
fn job_again(m: &mut Machine, key: i64, intent: Intent) {
    let Some(job) = m.state.jobs.get(&key) else { return };
    let record = JobRecord {
        deadline: -1,
        recur_at: -1,
        worker: crate::processing::behavior::jobs::empty(),
        ..job.record.clone()
    };
    m.write(key, intent, RecordValue::Job(record));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use crate::Clock;
    use crate::testing::ProcessTest;
    use crate::testing::model::{ProcessBuilder, TimerKind};

    #[test]
    fn the_next_timer_due_is_the_earliest_pending_one_and_none_once_all_fired() {
        let mut test = ProcessTest::new();
        test.deploy(
            &ProcessBuilder::new("waits")
                .start("s")
                .parallel("fork")
                .timer_catch("short", TimerKind::Duration, "PT1H")
                .end("e1")
                .move_to("fork")
                .timer_catch("long", TimerKind::Duration, "P3D")
                .end("e2")
                .build(),
        );
        assert_eq!(test.core().next_timer_due(), None);
        let started = test.clock().now_millis();
        test.start("waits", json!({}));
        let hour = 3_600_000;
        assert_eq!(test.core().next_timer_due(), Some(started + hour));
        test.advance(Duration::from_secs(3600));
        assert_eq!(test.core().next_timer_due(), Some(started + 72 * hour));
        test.advance(Duration::from_secs(72 * 3600));
        assert_eq!(test.core().next_timer_due(), None);
    }
}
