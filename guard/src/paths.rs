//! Where a path a command writes to lies: inside the workspace, or somewhere it must not touch.
//!
//! Paths are resolved lexically against the directory the command would run in (the workspace
//! root, or wherever a `cd` earlier in the line went), so `../../..` cannot climb out unseen.

use crate::syntax::Word;

/// Where a written path lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Inside the workspace.
    Inside,
    /// A harmless sink: `/dev/null`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/dev/tty`.
    Sink,
    /// The file system root, or everything directly under it (`/*`).
    Root,
    /// The home directory (`~`, `$HOME`) or everything directly in it.
    Home,
    /// `/etc` or below.
    Etc,
    /// A device under `/dev`.
    Device,
    /// Elsewhere outside the workspace; the resolved path.
    Outside(String),
    /// Only known at run time (a variable, a substitution, or relative to an unknown directory).
    Dynamic,
}

/// The directory a command runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cwd {
    /// A known absolute directory.
    Known(String),
    /// Unknown (after `cd $X`, `cd -`, `popd`).
    Unknown,
}

/// `path` made absolute against `base`, with `.` and `..` resolved (never above `/`).
pub fn resolve(base: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let joined = if path.starts_with('/') { path.to_owned() } else { format!("{base}/{path}") };
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether `path` is `dir` or below it (both absolute and resolved).
pub fn is_within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// Whether a path component only holds glob characters (`*`, `.*`, `?*`): it names everything.
fn matches_everything(component: &str) -> bool {
    component.contains('*') && component.chars().all(|c| matches!(c, '*' | '?' | '.'))
}

/// Where `word`, a path written by a command running in `cwd`, lies relative to `root`.
pub fn place(word: &Word, cwd: &Cwd, root: &str) -> Place {
    let text = word.text.as_str();
    let home_rest = if word.starts_with_tilde() {
        text.strip_prefix('~').filter(|rest| rest.is_empty() || rest.starts_with('/'))
    } else {
        ["$HOME", "${HOME}"].iter().find_map(|home| text.strip_prefix(home))
    };
    if let Some(rest) = home_rest {
        let rest = rest.trim_matches('/');
        return if rest.is_empty() || matches_everything(rest) { Place::Home } else { Place::Outside(text.to_owned()) };
    }
    if word.starts_with_tilde() || !word.is_static() {
        return Place::Dynamic;
    }
    let absolute = match cwd {
        _ if text.starts_with('/') => resolve("/", text),
        Cwd::Known(dir) => resolve(dir, text),
        Cwd::Unknown => return Place::Dynamic,
    };
    let (parent, last) = absolute.rsplit_once('/').unwrap_or(("", ""));
    if absolute == "/" || (parent.is_empty() && matches_everything(last)) {
        Place::Root
    } else if ["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero"].contains(&absolute.as_str())
        || is_within(&absolute, "/dev/fd")
    {
        Place::Sink
    } else if is_within(&absolute, "/dev") {
        Place::Device
    } else if is_within(&absolute, "/etc") {
        Place::Etc
    } else if is_within(&absolute, root) {
        Place::Inside
    } else {
        Place::Outside(absolute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Place {
        place(&Word::plain(text), &Cwd::Known("/work/repo".into()), "/work/repo")
    }

    #[test]
    fn paths_resolve_against_the_workspace() {
        assert_eq!(at("target/debug"), Place::Inside);
        assert_eq!(at("./a/../b"), Place::Inside);
        assert_eq!(at("."), Place::Inside);
        assert_eq!(at("../other"), Place::Outside("/work/other".into()));
        assert_eq!(at("../../.."), Place::Root);
        assert_eq!(at("/*"), Place::Root);
        assert_eq!(at("~"), Place::Home);
        assert_eq!(at("/etc/hosts"), Place::Etc);
        assert_eq!(at("/dev/sda"), Place::Device);
        assert_eq!(at("/dev/null"), Place::Sink);
    }
}
