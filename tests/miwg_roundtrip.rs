//! Every MIWG corpus file, read and written back by the `bpmn` crate, is semantically the same
//! model for `bpmn-check compare` (the bpmn-moddle based diff of elements, references, names,
//! conditions, event definitions and Zeebe extensions).

mod support;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use support::{bpmn_check, files_with_extension, shared_dir};

/// A scratch folder for the written files, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Self(dir)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads and writes one file; returns the written file's path, or what went wrong.
fn round_trip(input: &Path, index: usize, scratch: &Path) -> Result<PathBuf, String> {
    let bytes = std::fs::read(input).map_err(|e| format!("cannot read: {e}"))?;
    let model = bpmn::read(&bytes).map_err(|e| format!("{}:{e}", input.display()))?;
    let output = scratch.join(format!("{index:03}.bpmn"));
    std::fs::write(&output, bpmn::write(&model)).map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    Ok(output)
}

#[test]
fn bpmn_check_finds_no_difference_after_a_round_trip() {
    let files = files_with_extension(&shared_dir().join("corpus/miwg"), "bpmn");
    assert_eq!(files.len(), 179, "the MIWG corpus should hold 179 files");
    let scratch = ScratchDir::new("miwg-roundtrip");
    let pairs: Vec<(PathBuf, Result<PathBuf, String>)> =
        files.iter().enumerate().map(|(i, f)| (f.clone(), round_trip(f, i, &scratch.0))).collect();

    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(pairs.iter());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some((input, written)) = next.lock().ok().and_then(|mut it| it.next()) {
                    let problem = match written {
                        Err(message) => Some(message.clone()),
                        Ok(output) => {
                            let (a, b) = (input.to_string_lossy(), output.to_string_lossy());
                            let check = bpmn_check(&["compare", &a, &b]);
                            (check.code != 0).then(|| format!("{a}:\n{}", check.text.trim_end()))
                        }
                    };
                    if let (Some(problem), Ok(mut list)) = (problem, failures.lock()) {
                        list.push(problem);
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_default();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} files differ after a round trip:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
