//! `guard check`: the shell-command guard's verdict on a command, without running it.

use std::path::Path;
use std::process::ExitCode;

use guard::{Policy, Verdict};
use serde_json::json;

use super::Format;
use crate::cli::GuardCheckArgs;
use crate::failure::{Failure, Result};
use crate::output::{print_json, say};
use crate::run::settings::read_policy;

/// `guard check`: exit 0 for an allowed command, 1 for a blocked one.
pub fn check(args: &GuardCheckArgs, format: Format) -> Result<ExitCode> {
    let workspace = workspace(args.workspace.as_deref())?;
    let policy = match &args.policy {
        Some(path) => read_policy(path, &workspace)?,
        None => Policy::new(&workspace),
    };
    if let (Some(persona), Some(path)) = (&args.persona, &args.policy)
        && !policy.personas().any(|p| p == persona)
    {
        let known: Vec<&str> = policy.personas().collect();
        eprintln!(
            "note: {} has no allow-list for the persona type '{persona}' (it has: {}); only the deny rules apply",
            path.display(),
            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
        );
    }
    let verdict = policy.check(&args.command.join(" "), args.persona.as_deref());
    if format == Format::Json {
        let answer = match &verdict {
            Verdict::Allowed => json!({"allowed": true, "rule": null, "reason": null, "at": null}),
            Verdict::Blocked { rule, reason, at } => {
                json!({"allowed": false, "rule": rule.id(), "reason": reason, "at": at})
            }
        };
        print_json(&answer);
    } else {
        say!("{verdict}");
    }
    Ok(if verdict == Verdict::Allowed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The workspace as an absolute path (default: the current folder).
fn workspace(dir: Option<&Path>) -> Result<String> {
    let dir = match dir {
        Some(dir) => std::path::absolute(dir),
        None => std::env::current_dir(),
    }
    .map_err(|e| Failure::Usage(format!("cannot tell the workspace folder: {e}; pass --workspace DIR")))?;
    dir.to_str()
        .map(str::to_owned)
        .ok_or_else(|| Failure::Usage(format!("the workspace {} is not UTF-8; pass --workspace DIR", dir.display())))
}
