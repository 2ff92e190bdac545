//! What the watchers of `run` share: polling at most so often ([`Throttle`]) and saying what
//! one event started ([`show_start`]).

use std::time::{Duration, Instant};

use engine::{EngineError, ProcessInstanceCreated};

use super::console::Console;

/// Lets a poll through at most once per period.
#[derive(Debug)]
pub struct Throttle {
    every: Duration,
    last: Option<Instant>,
}

impl Throttle {
    /// At most once per `every`; the first call is let through.
    pub fn new(every: Duration) -> Self {
        Self { every, last: None }
    }

    /// True (and the period starts again) when the last poll is at least a period ago.
    pub fn due(&mut self) -> bool {
        if self.last.is_some_and(|at| at.elapsed() < self.every) {
            return false;
        }
        self.last = Some(Instant::now());
        true
    }
}

/// Shows what the event `what` (`commit 1a2b3c4d`, `log line at 120`) did to `process`: the
/// instance it started, that it had started one already (`Ok(None)`), or why it could not.
pub fn show_start(
    console: &Console,
    what: &str,
    process: &str,
    result: Result<Option<ProcessInstanceCreated>, EngineError>,
) {
    console.line(&match result {
        Ok(Some(created)) => format!(
            "{what} started {} version {}: process instance {}",
            created.bpmn_process_id, created.version, created.process_instance_key
        ),
        Ok(None) => format!("{what} already started {process}"),
        Err(error) => format!("{what} could not start {process}: {error}"),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_lets_the_first_poll_through_then_waits_its_period() {
        let mut throttle = Throttle::new(Duration::from_millis(50));
        assert!(throttle.due());
        assert!(!throttle.due(), "within the period");
        std::thread::sleep(Duration::from_millis(60));
        assert!(throttle.due(), "a period later");
    }
}
