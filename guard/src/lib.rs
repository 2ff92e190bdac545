//! `guard`: decides whether a shell command may run, without running it.
//!
//! The command is folded to ASCII (unicode look-alikes), parsed with shell quoting rules, split
//! into pipelines and simple commands, stripped of wrappers (`env`, `sudo`, `nohup`, `timeout`,
//! `xargs`, …), and checked recursively through `sh -c`, `eval`, `$(…)` and backticks. Built-in
//! deny rules ([`RuleId`]) block destructive and exfiltrating commands; an optional allow-list
//! per persona type limits which programs a persona may run at all.
//!
//! ```
//! use guard::{Policy, RuleId, Verdict};
//!
//! let policy = Policy::from_yaml("/work/repo", "developer: [cargo, git, ls]\n").unwrap();
//! assert_eq!(policy.check("cargo test -p engine", Some("developer")), Verdict::Allowed);
//!
//! let Verdict::Blocked { rule, at, .. } = policy.check("sh -c 'sudo rm -fr /'", None) else { panic!() };
//! assert_eq!(rule, RuleId::RmRoot);
//! assert_eq!(at, "rm -fr /");
//!
//! let verdict = policy.check("npm install", Some("developer"));
//! assert!(matches!(verdict, Verdict::Blocked { rule: RuleId::NotAllowedForPersona, .. }));
//! ```

mod check;
mod normalize;
mod patch;
mod paths;
mod rules;
mod syntax;

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

/// The rules that can block a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleId {
    /// The command cannot be parsed, so what it runs cannot be known.
    Unparsable,
    /// Non-ASCII left in a program name or an option after folding look-alikes.
    UnicodeLookalike,
    /// The program, or the script given to `sh -c`/`eval`, is only known at run time.
    DynamicProgram,
    /// `sh -c` / `eval` / substitutions nested deeper than the guard follows.
    NestingTooDeep,
    /// `rm` of `/`, `/*`, `~` or `$HOME`, or with `--no-preserve-root`.
    RmRoot,
    /// A recursive `rm` of paths only known at run time (`$VAR`, `xargs`).
    RmRecursiveDynamic,
    /// A write (redirection, `cp`/`mv`/`tee`/`dd`/… target) outside the workspace.
    WriteOutsideWorkspace,
    /// A write to `/etc`.
    OverwriteEtc,
    /// A write to a device under `/dev` (`dd of=/dev/sda`).
    WriteToDevice,
    /// `chmod`/`chown`/`chgrp` of `/` or the home directory.
    ChmodRoot,
    /// `kubectl delete namespace|ns`.
    KubectlDeleteNamespace,
    /// `kubectl delete --all` or across all namespaces.
    KubectlDeleteAll,
    /// `az group delete`.
    AzGroupDelete,
    /// `terraform destroy` or `terraform apply -destroy`.
    TerraformDestroy,
    /// `git push --force` (or `+ref`, `--delete`) to main or master, or to an unnamed branch.
    GitForcePushMain,
    /// A function that calls itself, the shape of a fork bomb.
    ForkBomb,
    /// `mkfs`, `mkswap`, `wipefs`: formatting a device.
    Mkfs,
    /// A download piped or substituted into a shell (`curl … | sh`, `sh <(curl …)`).
    DownloadToShell,
    /// Secrets (token variables, `~/.ssh`, `.env`, `/etc/shadow`) sent over the network.
    SecretExfiltration,
    /// `shutdown`, `reboot`, `halt`, `poweroff`.
    Shutdown,
    /// `history -c`: erasing the shell history.
    ClearHistory,
    /// The persona's allow-list does not hold the program.
    NotAllowedForPersona,
}

impl RuleId {
    /// Every rule, in a stable order.
    pub const ALL: [RuleId; 22] = [
        RuleId::Unparsable,
        RuleId::UnicodeLookalike,
        RuleId::DynamicProgram,
        RuleId::NestingTooDeep,
        RuleId::RmRoot,
        RuleId::RmRecursiveDynamic,
        RuleId::WriteOutsideWorkspace,
        RuleId::OverwriteEtc,
        RuleId::WriteToDevice,
        RuleId::ChmodRoot,
        RuleId::KubectlDeleteNamespace,
        RuleId::KubectlDeleteAll,
        RuleId::AzGroupDelete,
        RuleId::TerraformDestroy,
        RuleId::GitForcePushMain,
        RuleId::ForkBomb,
        RuleId::Mkfs,
        RuleId::DownloadToShell,
        RuleId::SecretExfiltration,
        RuleId::Shutdown,
        RuleId::ClearHistory,
        RuleId::NotAllowedForPersona,
    ];

    /// The rule's stable id, as printed and as written in audit records.
    pub fn id(self) -> &'static str {
        match self {
            RuleId::Unparsable => "unparsable",
            RuleId::UnicodeLookalike => "unicode-lookalike",
            RuleId::DynamicProgram => "dynamic-program",
            RuleId::NestingTooDeep => "nesting-too-deep",
            RuleId::RmRoot => "rm-rf-root",
            RuleId::RmRecursiveDynamic => "rm-recursive-dynamic",
            RuleId::WriteOutsideWorkspace => "write-outside-workspace",
            RuleId::OverwriteEtc => "overwrite-etc",
            RuleId::WriteToDevice => "write-to-device",
            RuleId::ChmodRoot => "chmod-root",
            RuleId::KubectlDeleteNamespace => "kubectl-delete-namespace",
            RuleId::KubectlDeleteAll => "kubectl-delete-all",
            RuleId::AzGroupDelete => "az-group-delete",
            RuleId::TerraformDestroy => "terraform-destroy",
            RuleId::GitForcePushMain => "git-force-push-main",
            RuleId::ForkBomb => "fork-bomb",
            RuleId::Mkfs => "mkfs",
            RuleId::DownloadToShell => "download-to-shell",
            RuleId::SecretExfiltration => "secret-exfiltration",
            RuleId::Shutdown => "shutdown",
            RuleId::ClearHistory => "clear-history",
            RuleId::NotAllowedForPersona => "not-allowed-for-persona",
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The guard's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The command may run.
    Allowed,
    /// The command must not run.
    Blocked {
        /// The rule that blocked it.
        rule: RuleId,
        /// Why, in words for the operator.
        reason: String,
        /// The offending simple command, redirection or word, as the guard read it.
        at: String,
    },
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Allowed => f.write_str("allowed"),
            Verdict::Blocked { rule, reason, at } => write!(f, "blocked by {rule}: {reason} (at: {at})"),
        }
    }
}

/// One allow-list entry: a program name pattern, optionally followed by patterns for its first
/// operands (`git status`, `kubectl get *`). `*` matches any text, `?` one character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowEntry {
    patterns: Vec<String>,
}

impl AllowEntry {
    /// Parses an entry such as `cargo`, `python3*` or `kubectl get`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let patterns: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
        if patterns.is_empty() {
            return Err("an allow-list entry is empty; write a program name such as `cargo`".into());
        }
        if let Some(bad) = patterns.iter().find(|p| !p.is_ascii()) {
            return Err(format!("the allow-list entry `{text}` has non-ASCII text `{bad}`; program names are ASCII"));
        }
        Ok(AllowEntry { patterns })
    }

    /// Whether the entry allows `program` with these operands (options already left out).
    pub(crate) fn allows(&self, program: &str, operands: &[&str]) -> bool {
        let Some((first, rest)) = self.patterns.split_first() else { return false };
        glob(first, program)
            && rest.len() <= operands.len()
            && rest.iter().zip(operands).all(|(pattern, operand)| glob(pattern, operand))
    }
}

impl<'de> Deserialize<'de> for AllowEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        AllowEntry::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Whether `pattern` (with `*` and `?`) matches all of `text`.
fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t, mut star, mut mark) = (0, 0, None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// A policy file that cannot be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// 1-based line, when known.
    pub line: usize,
    /// 1-based column, when known.
    pub column: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: error: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for PolicyError {}

/// What the guard enforces: the built-in deny rules, the workspace that writes must stay in,
/// and an allow-list per persona type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    workspace: String,
    allow: BTreeMap<String, Vec<AllowEntry>>,
}

impl Policy {
    /// The deny rules only, for commands that run in `workspace` (an absolute path).
    pub fn new(workspace: &str) -> Self {
        Policy { workspace: paths::resolve("/", workspace), allow: BTreeMap::new() }
    }

    /// Reads the allow-lists from YAML shaped `{persona_type: [program or pattern, …]}`.
    pub fn from_yaml(workspace: &str, text: &str) -> Result<Self, PolicyError> {
        let allow: Option<BTreeMap<String, Vec<AllowEntry>>> = serde_yaml_ng::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = format!(
                "{}; a policy maps each persona type to a list of programs, e.g. `developer: [cargo, git, \"kubectl get\"]`",
                e.to_string().split(" at line ").next().unwrap_or_default()
            );
            PolicyError { line, column, message }
        })?;
        let mut policy = Policy::new(workspace);
        for (persona, entries) in allow.unwrap_or_default() {
            policy.allow.insert(persona, entries);
        }
        Ok(policy)
    }

    /// Sets the allow-list of `persona` (a persona type such as `developer`).
    pub fn with_allow_list(mut self, persona: &str, entries: Vec<AllowEntry>) -> Self {
        self.allow.insert(persona.to_owned(), entries);
        self
    }

    /// The persona types that have an allow-list.
    pub fn personas(&self) -> impl Iterator<Item = &str> {
        self.allow.keys().map(String::as_str)
    }

    /// The workspace root that writes must stay in.
    pub fn workspace(&self) -> &str {
        &self.workspace
    }

    /// Whether `command` may run for `persona` (a persona type). The deny rules always apply;
    /// when the persona has an allow-list, every program the command runs must be on it.
    pub fn check(&self, command: &str, persona: Option<&str>) -> Verdict {
        let allow = persona.and_then(|p| self.allow.get_key_value(p)).map(|(p, list)| (p.as_str(), list.as_slice()));
        match check::Checker::new(&self.workspace, allow).source(&normalize::fold(command)) {
            Ok(()) => Verdict::Allowed,
            Err(block) => Verdict::Blocked { rule: block.rule, reason: block.reason, at: block.at },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names() {
        assert!(glob("python3*", "python3.12"));
        assert!(glob("*", ""));
        assert!(!glob("cargo", "cargo-make"));
        assert!(glob("c?rgo", "cargo"));
    }

    #[test]
    fn a_bad_policy_names_its_line_and_column() {
        let error = Policy::from_yaml("/w", "developer:\n  - cargo\ntester: 3\n").err();
        let error = error.unwrap_or_else(|| panic!("a number is not a list"));
        assert_eq!((error.line, error.column), (3, 9), "{error}");
        let error = Policy::from_yaml("/w", "developer:\n  - cargo\n  - ''\n").err();
        let error = error.unwrap_or_else(|| panic!("an empty entry is refused"));
        // serde_yaml_ng places errors in a list at the list.
        assert!(error.line == 2 && error.message.contains("empty"), "{error}");
    }
}
