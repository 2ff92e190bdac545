//! Confinement: every working copy this crate touches lies inside one workspace root.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::error::{Operation, Result, VcsError};

/// The directory working copies must lie in. Paths are checked after resolving `..` and
/// symbolic links, so neither leads out of it.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// The workspace at `root`, which must exist.
    pub fn new(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref();
        let root = root.canonicalize().map_err(|source| VcsError::DirectoryUnavailable {
            what: "workspace root",
            path: root.to_owned(),
            source,
        })?;
        Ok(Workspace { root })
    }

    /// The workspace root, resolved.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where `path` (relative to the root, or absolute) really leads, if that is inside the
    /// workspace. The path need not exist yet: its existing part is resolved and the rest may
    /// only name directories below it.
    pub fn confine(&self, path: impl AsRef<Path>, operation: Operation) -> Result<PathBuf> {
        let path = path.as_ref();
        let joined = self.root.join(path);
        let outside = |resolved: PathBuf| VcsError::OutsideWorkspace {
            path: path.to_owned(),
            operation,
            workspace: self.root.clone(),
            resolved,
        };
        let mut existing = joined.clone();
        let mut missing: Vec<OsString> = Vec::new();
        let resolved = loop {
            match existing.canonicalize() {
                Ok(resolved) => break resolved,
                Err(_) => match existing.file_name() {
                    Some(name) => {
                        missing.push(name.to_owned());
                        existing.pop();
                    }
                    // `..` after a path that does not exist: it cannot be resolved.
                    None => return Err(outside(joined)),
                },
            }
        };
        let resolved = missing.iter().rev().fold(resolved, |path, name| path.join(name));
        if resolved.starts_with(&self.root) { Ok(resolved) } else { Err(outside(resolved)) }
    }
}
