//! Scheduled starts: the timer start events of the latest process versions, when they fire
//! next, and firing one by hand without disturbing its schedule.

use std::sync::Arc;

use super::{EngineCore, Origin, ProcessInstanceCreated, Variables};
use crate::error::{EngineError, Result};
use crate::expression::ValueOrExpression;
use crate::model::{ExecutableProcess, NodeIdx, Trigger};
use crate::processing::behavior::messages;
use crate::state::State;

/// A pending timer start event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledStart {
    /// Its name for [`EngineCore::trigger_scheduled_start`]: the process id, followed by
    /// `/<start event id>` when the process has more than one timer start event.
    pub name: String,
    /// The process id.
    pub bpmn_process_id: String,
    /// The process version the timer starts.
    pub version: i32,
    /// The timer start event's id.
    pub element_id: String,
    /// The timer as deployed: `R/PT1H`, `0 0 * * * *`, a date, or `=expression`.
    pub definition: String,
    /// The next due dates (epoch milliseconds), earliest first; fewer than asked when the timer
    /// has fewer firings left.
    pub next_due: Vec<i64>,
}

/// Every pending timer start event in `state` with at most `count` of its next due dates, by
/// name. For a reader of a stored log beside a running engine: replay the records into a
/// [`State`] and ask it here.
pub fn scheduled_starts(state: &State, count: usize) -> Vec<ScheduledStart> {
    let mut starts: Vec<ScheduledStart> = state
        .timers
        .iter()
        .filter(|(_, timer)| timer.element_instance_key < 0)
        .filter_map(|(_, timer)| {
            let process = state.process(*state.process_by_key.get(&timer.process_definition_key)?);
            Some(ScheduledStart {
                name: start_name(process, &timer.element_id),
                bpmn_process_id: process.bpmn_process_id.to_string(),
                version: process.version,
                element_id: timer.element_id.to_string(),
                definition: timer_definition(process, timer.element).unwrap_or_default(),
                next_due: timer.upcoming(count),
            })
        })
        .collect();
    starts.sort_by(|a, b| a.name.cmp(&b.name));
    starts
}

impl EngineCore {
    /// Every pending timer start event with at most `count` of its next due dates, by name.
    pub fn scheduled_starts(&self, count: usize) -> Vec<ScheduledStart> {
        scheduled_starts(self.state(), count)
    }

    /// Fires the timer start event `name` (as [`ScheduledStart::name`] says) by hand: starts one
    /// instance of the latest version there now, with `variables`. Its schedule is untouched:
    /// the next firing stays when it was.
    pub fn trigger_scheduled_start(&mut self, name: &str, variables: Variables) -> Result<ProcessInstanceCreated> {
        let (process_id, element_id) = match name.split_once('/') {
            Some((process, element)) => (process, Some(element)),
            None => (name, None),
        };
        let not_found = |what: String| {
            let known: Vec<String> = self.scheduled_starts(0).into_iter().map(|s| s.name).collect();
            let known = if known.is_empty() { "none is deployed".to_owned() } else { known.join(", ") };
            EngineError::NotFound(format!(
                "Expected a scheduled start named '{name}', but {what}; scheduled starts: {known}"
            ))
        };
        let Some(&def) = self.state().latest.get(process_id) else {
            return Err(not_found(format!("no process '{process_id}' is deployed")));
        };
        let process: Arc<ExecutableProcess> = self.state().process(def).clone();
        let timer_starts: Vec<NodeIdx> = process
            .start_events()
            .filter(|(_, trigger)| matches!(trigger, Trigger::Timer(_)))
            .map(|(idx, _)| idx)
            .collect();
        let start = match (element_id, timer_starts.as_slice()) {
            (None, [only]) => *only,
            (None, []) => return Err(not_found(format!("process '{process_id}' has no timer start event"))),
            (None, _) => {
                let ids: Vec<String> =
                    timer_starts.iter().map(|&i| format!("{process_id}/{}", process.node(i).id)).collect();
                return Err(EngineError::InvalidArgument(format!(
                    "Process '{process_id}' has {} timer start events; name one of them: {}",
                    ids.len(),
                    ids.join(", ")
                )));
            }
            (Some(element), _) => match timer_starts.iter().find(|&&i| &*process.node(i).id == element) {
                Some(&idx) => idx,
                None => return Err(not_found(format!("process '{process_id}' has no timer start event '{element}'"))),
            },
        };
        let key = self.command(Origin::Api("TriggerScheduledStart"), |m| {
            Ok(messages::start_instance_at(m, def, start, Arc::new(variables)))
        })?;
        Ok(ProcessInstanceCreated {
            process_instance_key: key,
            process_definition_key: process.key,
            bpmn_process_id: process.bpmn_process_id.to_string(),
            version: process.version,
        })
    }
}

/// The process id, with `/<element id>` when the process has more than one timer start event.
fn start_name(process: &ExecutableProcess, element_id: &str) -> String {
    let timer_starts = process.start_events().filter(|(_, trigger)| matches!(trigger, Trigger::Timer(_))).count();
    if timer_starts > 1 {
        format!("{}/{element_id}", process.bpmn_process_id)
    } else {
        process.bpmn_process_id.to_string()
    }
}

/// The timer text of a timer start event as deployed.
fn timer_definition(process: &ExecutableProcess, element: NodeIdx) -> Option<String> {
    let crate::model::NodeKind::Start(Trigger::Timer(spec)) = &process.node(element).kind else { return None };
    Some(match &spec.value {
        ValueOrExpression::Static(text) => text.to_string(),
        ValueOrExpression::Expression(expression) => format!("={}", expression.source()),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use crate::Clock;
    use crate::testing::ProcessTest;
    use crate::testing::model::{ProcessBuilder, TimerKind};

    const HOUR: i64 = 3_600_000;

    fn hourly(id: &str, cycle: &str) -> bpmn::Definitions {
        ProcessBuilder::new(id).timer_start("tick", TimerKind::Cycle, cycle, true).end("done").build()
    }

    #[test]
    fn pending_starts_list_their_next_fire_times() {
        let mut test = ProcessTest::new();
        let now = test.clock().now_millis();
        test.deploy(&hourly("hourly", "R3/PT1H"));
        test.deploy(&hourly("cron", "0 0 * * * *"));
        let starts = test.core().scheduled_starts(5);
        assert_eq!(starts.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["cron", "hourly"]);
        let cycle = &starts[1];
        assert_eq!((cycle.definition.as_str(), cycle.element_id.as_str(), cycle.version), ("R3/PT1H", "tick", 1));
        assert_eq!(cycle.next_due, [now + HOUR, now + 2 * HOUR, now + 3 * HOUR], "three repetitions, no more");
        let cron = &starts[0];
        let top_of_hour = (now / HOUR + 1) * HOUR;
        assert_eq!(cron.next_due, (0..5).map(|i| top_of_hour + i * HOUR).collect::<Vec<_>>());
        test.advance(Duration::from_millis((top_of_hour - now) as u64));
        assert_eq!(test.core().scheduled_starts(1)[0].next_due, [top_of_hour + HOUR], "the cron moved on");
    }

    #[test]
    fn a_cron_start_fires_at_each_match_and_a_hand_trigger_leaves_the_schedule_alone() {
        let mut test = ProcessTest::new();
        let now = test.clock().now_millis();
        test.deploy(&hourly("cron", "0 0 * * * *"));
        let next = test.core().scheduled_starts(1)[0].next_due.clone();
        let by_hand = test.core().trigger_scheduled_start("cron", crate::testing::vars(json!({"why": "manual"})));
        let by_hand = by_hand.expect("fires by hand");
        assert_eq!(by_hand.bpmn_process_id, "cron");
        assert_eq!(test.core().scheduled_starts(1)[0].next_due, next, "the schedule did not move");
        test.advance(Duration::from_millis((next[0] - now) as u64 + 3 * HOUR as u64));
        let started = test.records().iter().filter(|r| r.intent == crate::record::Intent::TimerTriggered).count();
        assert_eq!(started, 4, "the hour after deploying and three more");
    }

    #[test]
    fn triggering_an_unknown_or_ambiguous_start_says_what_exists() {
        let mut test = ProcessTest::new();
        test.deploy(&hourly("hourly", "R/PT1H"));
        test.deploy(&ProcessBuilder::new("plain").start("s").end("e").build());
        test.deploy(
            &ProcessBuilder::new("two")
                .timer_start("a", TimerKind::Cycle, "R/PT1H", true)
                .end("e1")
                .detached()
                .timer_start("b", TimerKind::Cycle, "R/PT2H", true)
                .end("e2")
                .build(),
        );
        let core = test.core();
        let missing = core.trigger_scheduled_start("nightly", Default::default()).expect_err("unknown");
        assert!(
            missing.to_string().contains("no process 'nightly'") && missing.to_string().contains("hourly"),
            "{missing}"
        );
        let plain = core.trigger_scheduled_start("plain", Default::default()).expect_err("no timer start");
        assert!(plain.to_string().contains("has no timer start event"), "{plain}");
        let element = core.trigger_scheduled_start("hourly/nope", Default::default()).expect_err("no such start");
        assert!(element.to_string().contains("no timer start event 'nope'"), "{element}");
        let two = core.trigger_scheduled_start("two", Default::default()).expect_err("ambiguous");
        assert!(two.to_string().contains("two/a, two/b"), "{two}");
        assert!(core.trigger_scheduled_start("two/b", Default::default()).is_ok());
    }
}
