//! The guard against its corpora: every command of `corpus/forbidden.txt` is blocked and every
//! command of `corpus/allowed.txt` is allowed, by the deny rules alone.

use std::collections::BTreeMap;
use std::path::Path;

use guard::{Policy, Verdict};

const WORKSPACE: &str = "/srv/workspace";

/// The commands of a corpus file: one a line, without blank lines and `# ` comments.
fn corpus(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("# ")).map(str::to_owned).collect()
}

#[test]
fn every_forbidden_command_is_blocked() {
    let commands = corpus("forbidden.txt");
    assert!(commands.len() >= 200, "the forbidden corpus has only {} commands", commands.len());
    let policy = Policy::new(WORKSPACE);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut let_through = Vec::new();
    for command in &commands {
        match policy.check(command, None) {
            Verdict::Blocked { rule, .. } => *counts.entry(rule.id().to_owned()).or_default() += 1,
            Verdict::Allowed => let_through.push(command.as_str()),
        }
    }
    println!("forbidden corpus: {} of {} blocked", commands.len() - let_through.len(), commands.len());
    for (rule, count) in &counts {
        println!("  {rule:26} {count}");
    }
    assert!(let_through.is_empty(), "allowed although forbidden:\n{}", let_through.join("\n"));
}

#[test]
fn every_legitimate_command_is_allowed() {
    let commands = corpus("allowed.txt");
    assert!(commands.len() >= 100, "the allowed corpus has only {} commands", commands.len());
    let policy = Policy::new(WORKSPACE);
    let blocked: Vec<String> = commands
        .iter()
        .filter_map(|command| match policy.check(command, None) {
            Verdict::Allowed => None,
            verdict => Some(format!("{command}\n    {verdict}")),
        })
        .collect();
    println!("allowed corpus: {} of {} allowed", commands.len() - blocked.len(), commands.len());
    assert!(blocked.is_empty(), "blocked although legitimate:\n{}", blocked.join("\n"));
}
