//! Patches checked before they are applied: a line a patch adds to a file may later run as a
//! command (a deploy script, a CI step), so each added line that reads as a shell command
//! must pass the deny rules.

use crate::{Policy, RuleId, Verdict};

/// Rules that say a line is not a plain command rather than that it is a harmful one: source
/// code, prose and configuration lines trip them, so they do not block a patch. The allow-lists
/// (who may run what) apply when a command runs, not to the text of a file.
const NOT_A_COMMAND: [RuleId; 6] = [
    RuleId::Unparsable,
    RuleId::UnicodeLookalike,
    RuleId::DynamicProgram,
    RuleId::NestingTooDeep,
    RuleId::WriteOutsideWorkspace,
    RuleId::NotAllowedForPersona,
];

impl Policy {
    /// Whether `patch` (a unified diff) may be applied: every line it adds is checked as a shell
    /// command against the deny rules. Blocked: the first harmful line, with `at` written
    /// `path:line: text` (the line number in the new file).
    ///
    /// ```
    /// use guard::{Policy, RuleId, Verdict};
    ///
    /// let patch = "--- a/deploy.sh\n+++ b/deploy.sh\n@@ -1 +1,2 @@\n echo deploy\n+kubectl delete namespace prod\n";
    /// let Verdict::Blocked { rule, at, .. } = Policy::new("/work/repo").check_patch(patch) else { panic!() };
    /// assert_eq!(rule, RuleId::KubectlDeleteNamespace);
    /// assert_eq!(at, "deploy.sh:2: kubectl delete namespace prod");
    /// ```
    pub fn check_patch(&self, patch: &str) -> Verdict {
        let mut file = String::new();
        let mut line_number = 0usize;
        for line in patch.lines() {
            if let Some(path) = line.strip_prefix("+++ ") {
                file = path.strip_prefix("b/").unwrap_or(path).trim_end().to_owned();
            } else if let Some(header) = line.strip_prefix("@@ ") {
                line_number = new_start(header).saturating_sub(1);
            } else if let Some(added) = line.strip_prefix('+') {
                line_number += 1;
                if let Verdict::Blocked { rule, reason, .. } = self.check(added, None)
                    && !NOT_A_COMMAND.contains(&rule)
                {
                    return Verdict::Blocked { rule, reason, at: format!("{file}:{line_number}: {}", added.trim()) };
                }
            } else if !line.starts_with('-') && !line.starts_with('\\') {
                line_number += 1;
            }
        }
        Verdict::Allowed
    }
}

/// The first line of the new file a hunk header (`-a,b +c,d @@ …`) covers: `c`.
fn new_start(header: &str) -> usize {
    header
        .split_whitespace()
        .find_map(|part| part.strip_prefix('+'))
        .and_then(|range| range.split(',').next()?.parse().ok())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(patch: &str) -> Verdict {
        Policy::new("/work/repo").check_patch(patch)
    }

    #[test]
    fn harmful_added_lines_block_with_their_place_in_the_new_file() {
        let patch = "--- a/ops/clean.sh\n+++ b/ops/clean.sh\n@@ -3,2 +3,3 @@ main\n set -e\n-echo old\n+echo new\n+sudo rm -rf /\n";
        let Verdict::Blocked { rule, at, .. } = check(patch) else { panic!("not blocked") };
        assert_eq!(rule, RuleId::RmRoot);
        assert_eq!(at, "ops/clean.sh:5: sudo rm -rf /");
        let azure = "--- /dev/null\n+++ b/teardown.sh\n@@ -0,0 +1 @@\n+az group delete --name prod --yes\n";
        assert!(matches!(check(azure), Verdict::Blocked { rule: RuleId::AzGroupDelete, .. }));
    }

    #[test]
    fn removed_lines_context_and_code_that_is_no_command_pass() {
        let patch = "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n-subprocess.run('rm -rf /')\n+print(\"it's fine\")\n rm -rf /\n+x = value > /tmp/out\n";
        assert_eq!(check(patch), Verdict::Allowed);
        assert_eq!(check("not a patch at all"), Verdict::Allowed);
    }
}
