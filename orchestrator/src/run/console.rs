//! [`Console`]: job lines and the progress line. On a terminal the progress line is redrawn in
//! place under the job lines; otherwise it is printed as a plain line when it changes (at most
//! once a second), so logs stay readable.

use crate::output::say;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How often a changed progress line is printed when stdout is not a terminal.
const PLAIN_INTERVAL: Duration = Duration::from_secs(1);

/// Shared by the handlers (job lines) and the watcher (progress). Clones share one output.
#[derive(Clone)]
pub struct Console {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    /// Print nothing (the `--json` summary is printed at the end instead).
    quiet: bool,
    terminal: bool,
    progress: String,
    printed_at: Option<Instant>,
    printed: String,
}

impl Console {
    /// A console on stdout; `quiet` prints nothing.
    pub fn stdout(quiet: bool) -> Self {
        let inner = Inner {
            quiet,
            terminal: std::io::stdout().is_terminal(),
            progress: String::new(),
            printed_at: None,
            printed: String::new(),
        };
        Self { inner: Arc::new(Mutex::new(inner)) }
    }

    /// Prints a line above the progress line.
    pub fn line(&self, text: &str) {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.quiet {
            return;
        }
        let mut out = std::io::stdout().lock();
        if inner.terminal {
            let _ = write!(out, "\r\x1b[2K{text}\n{}", inner.progress);
        } else {
            let _ = writeln!(out, "{text}");
        }
        let _ = out.flush();
    }

    /// Shows the progress line.
    pub fn progress(&self, text: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.quiet || inner.progress == text {
            return;
        }
        inner.progress = text.to_owned();
        let mut out = std::io::stdout().lock();
        if inner.terminal {
            let _ = write!(out, "\r\x1b[2K{text}");
        } else if inner.printed != text && inner.printed_at.is_none_or(|at| at.elapsed() >= PLAIN_INTERVAL) {
            let _ = writeln!(out, "{text}");
            inner.printed = text.to_owned();
            inner.printed_at = Some(Instant::now());
        }
        let _ = out.flush();
    }

    /// Ends the progress line: on a terminal the cursor moves below it; otherwise the last
    /// progress is printed if the once-a-second limit held it back.
    pub fn finish(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if !inner.quiet && !inner.progress.is_empty() && (inner.terminal || inner.printed != inner.progress) {
            say!("{}", if inner.terminal { "" } else { inner.progress.as_str() });
        }
        inner.progress.clear();
    }
}
