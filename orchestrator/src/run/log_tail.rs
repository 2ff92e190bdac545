//! [`LogTail`]: follows a growing text file and returns each complete line once, with where it
//! starts, like `tail -f`. A file that became shorter than where it was read to (truncated or
//! replaced by a rotation) is read again from its start.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// One complete line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The byte offset where the line starts.
    pub offset: u64,
    /// The line without its line end (`\n` or `\r\n`); invalid UTF-8 is replaced.
    pub text: String,
}

/// Reads the lines added to a file since the last read.
#[derive(Debug)]
pub struct LogTail {
    path: PathBuf,
    /// Where the next line starts.
    position: u64,
}

impl LogTail {
    /// Follows `path` from `position` (a line start, or the file's length to read only what comes
    /// next); `None` starts at the file's end now. A file that does not exist is an error naming it.
    pub fn open(path: &Path, position: Option<u64>) -> Result<Self, String> {
        let length = length(path)?;
        Ok(Self { path: path.to_path_buf(), position: position.unwrap_or(length) })
    }

    /// The file it follows.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The complete lines added since the last call (a last line without its line end waits for
    /// it); from the start again when the file is now shorter than where it was read to.
    pub fn poll(&mut self) -> Result<Vec<LogLine>, String> {
        let unreadable = |e: std::io::Error| format!("cannot read the log {}: {e}", self.path.display());
        let length = length(&self.path)?;
        if length < self.position {
            self.position = 0;
        }
        if length == self.position {
            return Ok(Vec::new());
        }
        let mut file = File::open(&self.path).map_err(unreadable)?;
        file.seek(SeekFrom::Start(self.position)).map_err(unreadable)?;
        let mut added = Vec::new();
        file.take(length - self.position).read_to_end(&mut added).map_err(unreadable)?;
        let mut lines = Vec::new();
        let mut start = 0;
        while let Some(end) = added[start..].iter().position(|b| *b == b'\n').map(|i| start + i) {
            let text = String::from_utf8_lossy(&added[start..end]);
            lines.push(LogLine { offset: self.position + start as u64, text: text.trim_end_matches('\r').to_owned() });
            start = end + 1;
        }
        self.position += start as u64;
        Ok(lines)
    }
}

fn length(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("cannot read the log {}: {e}; create it or name another with --watch-log", path.display()))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn append(path: &Path, text: &str) {
        let mut file = std::fs::OpenOptions::new().append(true).create(true).open(path).unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn only_lines_written_after_opening_come_and_each_once_with_its_offset() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        append(&log, "old line\n");
        let mut tail = LogTail::open(&log, None).unwrap();
        assert_eq!(tail.poll().unwrap(), Vec::new());
        append(&log, "first\r\nsecond\nhalf");
        let lines = tail.poll().unwrap();
        assert_eq!(
            lines,
            vec![LogLine { offset: 9, text: "first".into() }, LogLine { offset: 16, text: "second".into() }]
        );
        assert_eq!(tail.poll().unwrap(), Vec::new(), "the half line waits for its end");
        append(&log, " done\n");
        assert_eq!(tail.poll().unwrap(), vec![LogLine { offset: 23, text: "half done".into() }]);
    }

    #[test]
    fn a_given_position_rereads_from_there_and_a_shorter_file_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        append(&log, "a\nb\nc\n");
        let mut tail = LogTail::open(&log, Some(2)).unwrap();
        let texts: Vec<String> = tail.poll().unwrap().into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["b", "c"]);
        std::fs::write(&log, "new\n").unwrap();
        assert_eq!(tail.poll().unwrap(), vec![LogLine { offset: 0, text: "new".into() }]);
    }

    #[test]
    fn a_missing_log_is_an_error_naming_it_and_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.log");
        let error = LogTail::open(&missing, None).unwrap_err();
        assert!(error.contains("none.log") && error.contains("--watch-log"), "{error}");
        let log = dir.path().join("gone.log");
        append(&log, "x\n");
        let mut tail = LogTail::open(&log, None).unwrap();
        std::fs::remove_file(&log).unwrap();
        assert!(tail.poll().unwrap_err().contains("gone.log"));
    }
}
