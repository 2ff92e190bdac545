//! `run --watch-log FILE --rule REGEX --on-match PROCESS`: follows a log and starts the process
//! once per new line that matches a rule, with the line as a variable.
//!
//! A line is known by its file, its offset and its text, stored as the start variables
//! `log_file`, `log_offset` and `log_line` of the instance it started; a restarted run rebuilds
//! them from the record log and picks up at the newest started line, so no line starts twice.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use engine::history::History;
use engine::{Engine, EngineCore, EngineError, ProcessInstanceCreated, Variables};
use regex::Regex;
use serde_json::{Value, json};

use super::console::Console;
use super::log_tail::{LogLine, LogTail};
use super::started::{Throttle, show_start};
use crate::cli::RunArgs;
use crate::failure::{Failure, Result};
use crate::store::StoreLocation;

/// How often the log is read for new lines.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// The lines of one log that started a process.
#[derive(Debug, Clone, Default)]
pub struct LineStarts {
    process_id: String,
    file: String,
    started: HashSet<(u64, String)>,
}

impl LineStarts {
    /// The lines of `file` that started `process_id`, from its instances' start variables in the
    /// record log.
    pub fn from_history(process_id: &str, file: &str, history: &History) -> Self {
        let mut starts = Self { process_id: process_id.to_owned(), file: file.to_owned(), started: HashSet::new() };
        for instance in history.instances().filter(|i| i.bpmn_process_id == process_id) {
            let changes = history.variable_changes(instance.key);
            let start_value = |name: &str| {
                changes.iter().find(|v| v.name == name && v.created && v.scope_key == instance.key).map(|v| &v.value)
            };
            if start_value("log_file").and_then(Value::as_str) != Some(file) {
                continue;
            }
            let offset = start_value("log_offset").and_then(Value::as_u64);
            let text = start_value("log_line").and_then(Value::as_str);
            if let (Some(offset), Some(text)) = (offset, text) {
                starts.started.insert((offset, text.to_owned()));
            }
        }
        starts
    }

    /// Where to pick the log up: the newest line that started the process (read again, and
    /// skipped), or `None` when no line did.
    pub fn resume_at(&self) -> Option<u64> {
        self.started.iter().map(|(offset, _)| *offset).max()
    }

    /// Starts one instance for `line` (which matched `rule`), or nothing (`Ok(None)`) when the
    /// line already started one.
    pub fn start(
        &mut self,
        core: &mut EngineCore,
        line: &LogLine,
        rule: &str,
    ) -> std::result::Result<Option<ProcessInstanceCreated>, EngineError> {
        let key = (line.offset, line.text.clone());
        if self.started.contains(&key) {
            return Ok(None);
        }
        let created = core.create_instance(&self.process_id, None, self.variables(line, rule))?;
        self.started.insert(key);
        Ok(Some(created))
    }

    /// The start variables: the line, its file, offset and rule, and the same line and file as
    /// the inputs `LOG_LINE` and `LOG_FILE` of a YAML workflow.
    fn variables(&self, line: &LogLine, rule: &str) -> Variables {
        let mut variables = Variables::new();
        variables.insert("log_line".into(), json!(line.text));
        variables.insert("log_file".into(), json!(self.file));
        variables.insert("log_offset".into(), json!(line.offset));
        variables.insert("log_rule".into(), json!(rule));
        variables.insert("inputs".into(), json!({"LOG_LINE": line.text, "LOG_FILE": self.file}));
        variables
    }
}

/// The followed log, its rules, and the lines that started the process.
pub struct LogWatch {
    tail: LogTail,
    rules: Vec<Regex>,
    starts: LineStarts,
    throttle: Throttle,
}

impl LogWatch {
    /// The watch `args` ask for, if any. A rule that is no regular expression, or a log that
    /// does not exist, is a usage error naming it.
    pub fn open(store: &StoreLocation, args: &RunArgs) -> Result<Option<Self>> {
        let (Some(file), Some(process_id)) = (&args.watch_log, &args.on_match) else { return Ok(None) };
        let rules = rules(&args.rules)?;
        let file = canonical(file)?;
        let name = file.display().to_string();
        let starts = LineStarts::from_history(process_id, &name, &store.read_history()?);
        let tail = LogTail::open(&file, starts.resume_at()).map_err(Failure::Usage)?;
        Ok(Some(Self { tail, rules, starts, throttle: Throttle::new(POLL_EVERY) }))
    }

    /// What it watches, for the console.
    pub fn describe(&self) -> String {
        let rules: Vec<&str> = self.rules.iter().map(Regex::as_str).collect();
        format!(
            "watching log {}: each new line matching {} starts {}",
            self.tail.path().display(),
            rules.join(" or "),
            self.starts.process_id
        )
    }

    /// Starts the process for each matching line added since the last poll (at most twice a
    /// second); a failure is shown and the next poll goes on.
    pub fn poll(&mut self, engine: &Engine, console: &Console) {
        if !self.throttle.due() {
            return;
        }
        let lines = match self.tail.poll() {
            Ok(lines) => lines,
            Err(error) => return console.line(&format!("watching the log: {error}")),
        };
        for line in lines {
            let Some(rule) = self.rules.iter().find(|r| r.is_match(&line.text)) else { continue };
            let result = engine.with(|core| self.starts.start(core, &line, rule.as_str()));
            show_start(console, &format!("log line at {}", line.offset), &self.starts.process_id, result);
        }
    }
}

/// The rules as regular expressions; a bad one is a usage error naming it.
fn rules(texts: &[String]) -> Result<Vec<Regex>> {
    texts
        .iter()
        .map(|text| {
            Regex::new(text).map_err(|e| Failure::Usage(format!("--rule '{text}' is not a regular expression: {e}")))
        })
        .collect()
}

/// The log's absolute path, so a line is known by the same file name from any folder.
fn canonical(file: &Path) -> Result<PathBuf> {
    file.canonicalize().map_err(|e| {
        Failure::Usage(format!(
            "cannot read the log {}: {e}; create it or name another with --watch-log",
            file.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use engine::testing::ProcessTest;
    use engine::testing::model::ProcessBuilder;

    use super::*;

    fn line(offset: u64, text: &str) -> LogLine {
        LogLine { offset, text: text.into() }
    }

    #[test]
    fn a_line_starts_once_and_the_history_remembers_it_for_the_next_run() {
        let mut test = ProcessTest::new();
        test.deploy(&ProcessBuilder::new("on-line").start("s").user_task("wait").end("e").build());
        let mut starts = LineStarts::from_history("on-line", "/var/log/app.log", &History::fold(Vec::new()));
        assert_eq!(starts.resume_at(), None);
        let first = line(10, "deploy failed: exit 1");
        assert!(starts.start(test.core(), &first, "failed").unwrap().is_some());
        assert!(starts.start(test.core(), &first, "failed").unwrap().is_none(), "the same line again");
        assert!(starts.start(test.core(), &line(40, "deploy failed: exit 2"), "failed").unwrap().is_some());

        let history = History::fold(test.core().history().transpose().unwrap().unwrap_or_default());
        let mut again = LineStarts::from_history("on-line", "/var/log/app.log", &history);
        assert_eq!(again.resume_at(), Some(40));
        assert!(again.start(test.core(), &first, "failed").unwrap().is_none(), "remembered across runs");
        assert!(again.start(test.core(), &line(10, "a rotated log's new line"), "failed").unwrap().is_some());
        let other = LineStarts::from_history("on-line", "/var/log/other.log", &history);
        assert_eq!(other.resume_at(), None, "another file's lines are its own");
    }

    #[test]
    fn a_bad_rule_is_a_usage_error_naming_it() {
        let Err(Failure::Usage(message)) = rules(&["deploy (failed".into()]) else { panic!("a usage error") };
        assert!(message.contains("--rule 'deploy (failed'"), "{message}");
        let Err(Failure::Usage(message)) = canonical(Path::new("/no/such/app.log")) else { panic!("a usage error") };
        assert!(message.contains("/no/such/app.log"), "{message}");
    }
}
