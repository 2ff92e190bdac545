//! [`Owner`]: the one engine that runs on a SQLite store.
//!
//! The file is shared (WAL mode, normal locking), so readers such as `status` and `history` and
//! the persona registry can use it while an engine runs; but only one engine may append to the
//! log. The engine proves it is that one by holding an exclusive OS lock on a lock file beside
//! the store (`<store>-owner`) for as long as its store lives. The lock file holds the
//! holder's process id, so a refused engine can say which process to stop. The operating system
//! drops the lock when the holder's process ends, however it ends, so a crash leaves nothing
//! to clean up.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The held lock; dropping it releases the store for another engine.
#[derive(Debug)]
pub(crate) struct Owner {
    _file: File,
}

/// The lock file of the store at `store`.
pub(crate) fn lock_path(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push("-owner");
    PathBuf::from(name)
}

impl Owner {
    /// Takes the lock of the store at `store`, or says which process holds it.
    pub(crate) fn claim(store: &Path) -> Result<Self, String> {
        let path = lock_path(store);
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(|e| {
                format!("cannot open the lock file {}: {e}; check the folder's permissions", path.display())
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = holder_pid(&mut file);
                let holder = holder.trim();
                let who = if holder.is_empty() { "another process".to_owned() } else { format!("process {holder}") };
                return Err(format!(
                    "another engine ({who}) runs on this store; only one engine may run on a record store at a time, so stop that one first (reading commands such as status and history work beside it)"
                ));
            }
            Err(TryLockError::Error(e)) => {
                return Err(format!("cannot lock {}: {e}; check that the file system supports locks", path.display()));
            }
        }
        let recorded = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| writeln!(file, "{}", std::process::id()))
            .and_then(|()| file.flush());
        recorded.map_err(|e| format!("cannot write the lock file {}: {e}", path.display()))?;
        Ok(Self { _file: file })
    }
}

/// The holder's pid as its lock file says. The holder writes it right after it took the lock,
/// so an empty file is read again a few times before giving up.
fn holder_pid(file: &mut File) -> String {
    let mut holder = String::new();
    for _ in 0..20 {
        holder.clear();
        let _ = file.seek(SeekFrom::Start(0)).and_then(|_| file.read_to_string(&mut holder));
        if !holder.trim().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    holder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_names_the_holder_and_succeeds_after_release() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join("state.db");
        let first = Owner::claim(&store).expect("the first claim holds");
        let refused = Owner::claim(&store).expect_err("the second is refused");
        assert!(refused.contains(&format!("process {}", std::process::id())), "names the holder: {refused}");
        drop(first);
        Owner::claim(&store).expect("free again once the first is dropped");
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_the_lock_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join("no-such-folder").join("state.db");
        let error = Owner::claim(&store).expect_err("no folder");
        assert!(error.contains("no-such-folder"), "names the path: {error}");
    }
}
