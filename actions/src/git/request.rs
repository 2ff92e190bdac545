//! [`Request`]: a `git-operation` job's operation and inputs, checked before git runs.

use std::path::PathBuf;

use serde_json::{Map, Value};
use vcs::{BranchName, ConventionalCommit, MergeStrategy};
use workers::Job;

/// One git operation with its inputs, read from the job's `operation` header and `parameters`
/// variable.
#[derive(Debug)]
pub(crate) enum Request {
    Checkout { branch: String },
    FetchAndCheckout { branch: String, remote: Option<String> },
    CreateBranch { branch: BranchName, from: String, push: bool },
    Commit { message: ConventionalCommit, paths: Vec<PathBuf>, push: bool },
    Push { branch: Option<String> },
    Merge { source: String, target: String, strategy: MergeStrategy, push: bool },
    DetectConflicts { source: String, target: String },
    Revert { commit: String },
    CherryPick { commit: String },
    Tag { tag: String, commit: Option<String>, message: Option<String> },
    DeleteRemoteBranch { branch: String, remote: Option<String> },
    ApplyPatch { patch: String },
}

impl Request {
    /// The request the job makes, or what is wrong with it and how to fix it.
    pub(crate) fn read(job: &Job) -> Result<Request, String> {
        let Some(operation) = job.header("operation") else {
            return Err("it names no operation; give the step `operation:` (e.g. create-branch)".to_owned());
        };
        let empty = Map::new();
        let inputs = match job.variable("parameters") {
            None | Some(Value::Null) => Inputs(&empty),
            Some(Value::Object(map)) => Inputs(map),
            Some(other) => return Err(format!("its `parameters` are {other}, not an object; give the step `inputs:`")),
        };
        Ok(match operation {
            "checkout" => Request::Checkout { branch: inputs.text("branch")? },
            "fetch-and-checkout" => {
                Request::FetchAndCheckout { branch: inputs.text("branch")?, remote: inputs.optional_text("remote")? }
            }
            "create-branch" => {
                let name = inputs.text("branch")?;
                let branch = BranchName::parse(&name).map_err(|e| format!("input `branch`: {e}"))?;
                let from = inputs.optional_text("from")?.unwrap_or_else(|| "HEAD".to_owned());
                Request::CreateBranch { branch, from, push: inputs.flag("push", false)? }
            }
            "commit" => {
                let text = inputs.text("message")?;
                let message = ConventionalCommit::parse(&text).map_err(|e| format!("input `message`: {e}"))?;
                let paths = inputs.list("paths")?.into_iter().map(PathBuf::from).collect();
                Request::Commit { message, paths, push: inputs.flag("push", false)? }
            }
            "push" => Request::Push { branch: inputs.optional_text("branch")? },
            "merge" => {
                let strategy = match inputs.optional_text("strategy")? {
                    None => MergeStrategy::Merge,
                    Some(name) => name.parse().map_err(|e| format!("input `strategy`: {e}"))?,
                };
                Request::Merge {
                    source: inputs.text("source")?,
                    target: inputs.text("target")?,
                    strategy,
                    push: inputs.flag("push", true)?,
                }
            }
            "detect-conflicts" => {
                Request::DetectConflicts { source: inputs.text("source")?, target: inputs.text("target")? }
            }
            "revert" => Request::Revert { commit: inputs.text("commit")? },
            "cherry-pick" => Request::CherryPick { commit: inputs.text("commit")? },
            "tag" => Request::Tag {
                tag: inputs.text("tag_name")?,
                commit: inputs.optional_text("commit")?,
                message: inputs.optional_text("message")?,
            },
            "delete-remote-branch" => {
                Request::DeleteRemoteBranch { branch: inputs.text("branch")?, remote: inputs.optional_text("remote")? }
            }
            "apply-patch" => Request::ApplyPatch { patch: inputs.optional_text("patch")?.unwrap_or_default() },
            other => {
                let known: Vec<&str> =
                    crate::catalogue::git_operation::spec().operations.iter().map(|o| o.name).collect();
                return Err(format!("`{other}` is not a git operation; use one of {}", known.join(", ")));
            }
        })
    }
}

/// A step's `inputs:` as the job carries them. Empty text and `null` count as absent, since
/// an expression over a missing value gives one of them.
struct Inputs<'a>(&'a Map<String, Value>);

impl Inputs<'_> {
    /// The value of `name`, absent when missing, `null` or empty text.
    fn value(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|value| !matches!(value, Value::Null) && value.as_str() != Some(""))
    }

    fn text(&self, name: &str) -> Result<String, String> {
        self.optional_text(name)?
            .ok_or_else(|| format!("input `{name}` is missing or empty; give it in the step's `inputs:`"))
    }

    fn optional_text(&self, name: &str) -> Result<Option<String>, String> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.trim().to_owned())),
            Some(value @ Value::Number(_)) => Ok(Some(value.to_string())),
            Some(other) => Err(format!("input `{name}` is {other}; give it as text")),
        }
    }

    fn flag(&self, name: &str, default: bool) -> Result<bool, String> {
        match self.value(name) {
            None => Ok(default),
            Some(Value::Bool(flag)) => Ok(*flag),
            Some(Value::String(text)) if text == "true" => Ok(true),
            Some(Value::String(text)) if text == "false" => Ok(false),
            Some(other) => Err(format!("input `{name}` is {other}; give true or false")),
        }
    }

    fn list(&self, name: &str) -> Result<Vec<String>, String> {
        match self.value(name) {
            None => Ok(Vec::new()),
            Some(Value::String(text)) => Ok(vec![text.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(text) if !text.is_empty() => Ok(text.clone()),
                    other => Err(format!("input `{name}` holds {other}; give a list of non-empty paths")),
                })
                .collect(),
            Some(other) => Err(format!("input `{name}` is {other}; give a list of paths")),
        }
    }
}
