//! What to do about a failed git command, read from what git said.

use crate::error::Operation;

/// Known git complaints (lower-case, as git prints them with `LC_ALL=C`) and what to do.
const KNOWN: &[(&[&str], &str)] = &[
    (&["not a git repository"], "the directory is not a working copy; clone it first"),
    (
        &[
            "could not read username",
            "authentication failed",
            "permission denied (publickey",
            "terminal prompts disabled",
        ],
        "the remote refused or asked for credentials; configure a credential helper or SSH key in the git home (Git::with_home)",
    ),
    (
        &["could not resolve host", "connection refused", "failed to connect", "unable to access", "timed out"],
        "the remote cannot be reached; check its URL and the network",
    ),
    (
        &["does not appear to be a git repository", "repository not found", "not found"],
        "the remote or its repository does not exist; check the remote's name or URL",
    ),
    (&["couldn't find remote ref"], "the branch does not exist on the remote; check its name, or push it first"),
    (
        &["non-fast-forward", "[rejected]", "fetch first"],
        "the remote branch has commits this one lacks; fetch and integrate them, then push again",
    ),
    (
        &["not possible to fast-forward", "diverging branches"],
        "the local branch and the remote one have both moved; integrate them (merge or rebase) first",
    ),
    (&["is now empty", "nothing to commit"], "the change is already on this branch; there is nothing to apply"),
    (&["would be overwritten"], "local changes would be lost; commit or stash them first"),
    (&["already exists"], "the name is taken; choose another, or reuse the existing one"),
    (
        &["unknown revision", "not a valid object name", "bad revision", "invalid reference", "did not match any"],
        "the branch or commit does not exist in this working copy; fetch it first, or check the name",
    ),
    (
        &["is not a valid branch name", "is not a valid tag name"],
        "the name is not a valid git ref name; choose another",
    ),
];

/// What to do after `operation` failed with `stderr`.
pub(crate) fn hint(operation: Operation, stderr: &str) -> String {
    let stderr = stderr.to_lowercase();
    let known = KNOWN.iter().find(|(needles, _)| needles.iter().any(|needle| stderr.contains(needle)));
    match known {
        Some((_, advice)) => (*advice).to_owned(),
        None => format!(
            "read git's message above; to investigate, run the command by hand in the working copy (operation {operation})"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::hint;
    use crate::error::Operation;

    #[test]
    fn a_known_complaint_gets_its_advice() {
        let advice = hint(Operation::Push, " ! [rejected]        main -> main (fetch first)\n");
        assert!(advice.contains("fetch and integrate"), "{advice}");
        let advice = hint(Operation::Fetch, "fatal: couldn't find remote ref feature/x\n");
        assert!(advice.contains("does not exist on the remote"), "{advice}");
    }

    #[test]
    fn an_unknown_complaint_names_the_operation() {
        let advice = hint(Operation::Tag, "fatal: something new\n");
        assert!(advice.contains("operation tag"), "{advice}");
    }
}
