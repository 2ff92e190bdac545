//! The side file of acknowledgements: the child appends one line for every engine call that
//! returned Ok (an instance started, a job completed) right after it returned, and the parent
//! reads the file after each kill. A line in the file means the engine acknowledged it; an
//! acknowledgement lost to the kill (committed, but the line not yet written) is allowed.
//!
//! Lines are written with one `write` call each to a file opened for appending, without a
//! buffer in between: a SIGKILL cannot lose data the kernel already has (the test kills the
//! process, not the machine, so no fsync is needed). A last line without its newline (cut by
//! the kill) is ignored.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// The child's writer of acknowledgement lines.
pub struct AckWriter {
    file: Mutex<File>,
}

impl AckWriter {
    /// Opens (or creates) the side file for appending.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self { file: Mutex::new(file) })
    }

    /// Records that the instance `key` (with variable `n`) was acknowledged as started.
    pub fn started(&self, key: i64, n: i64) -> std::io::Result<()> {
        self.line(&format!("started {key} {n}\n"))
    }

    /// Records that the completion of job `key` was acknowledged.
    pub fn completed(&self, key: i64) -> std::io::Result<()> {
        self.line(&format!("completed {key}\n"))
    }

    fn line(&self, line: &str) -> std::io::Result<()> {
        let mut file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        file.write_all(line.as_bytes())
    }
}

/// Every acknowledgement in the side file.
#[derive(Debug, Default)]
pub struct Acks {
    /// Acknowledged starts: instance key to its `n`.
    pub started: HashMap<i64, i64>,
    /// Acknowledged job completions: job key to how often its completion was acknowledged.
    pub completed: HashMap<i64, u32>,
}

impl Acks {
    /// Reads the side file (a missing file has no acknowledgements).
    pub fn read(path: &Path) -> Self {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => panic!("cannot read the acknowledgements {}: {e}", path.display()),
        };
        let mut acks = Self::default();
        let complete_lines = text.rsplit_once('\n').map_or("", |(lines, _cut)| lines);
        for line in complete_lines.lines() {
            let fields: Vec<&str> = line.split(' ').collect();
            let number = |i: usize| -> i64 {
                fields.get(i).and_then(|f| f.parse().ok()).unwrap_or_else(|| panic!("a malformed ack line: '{line}'"))
            };
            match fields.first() {
                Some(&"started") => {
                    let previous = acks.started.insert(number(1), number(2));
                    assert!(previous.is_none(), "the start of instance {} was acknowledged twice", number(1));
                }
                Some(&"completed") => *acks.completed.entry(number(1)).or_default() += 1,
                _ => panic!("an unknown ack line: '{line}'"),
            }
        }
        acks
    }
}
