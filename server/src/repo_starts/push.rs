//! The commits of a GitHub `push` webhook payload.

use serde_json::Value;

use super::Commit;

/// The branch a push went to (`refs/heads/<branch>`, `None` for a tag) and its commits, oldest
/// first; the error names the payload field that is missing or malformed.
pub fn commits_from_push(payload: &Value) -> Result<(Option<String>, Vec<Commit>), String> {
    let reference = payload
        .get("ref")
        .and_then(Value::as_str)
        .ok_or("the push payload has no `ref` text: is this a GitHub `push` event?")?;
    let branch = reference.strip_prefix("refs/heads/").map(str::to_owned);
    let commits = payload
        .get("commits")
        .and_then(Value::as_array)
        .ok_or("the push payload has no `commits` list: is this a GitHub `push` event?")?;
    let commits = commits.iter().enumerate().map(|(i, c)| commit(i, c)).collect::<Result<_, _>>()?;
    Ok((branch, commits))
}

fn commit(index: usize, value: &Value) -> Result<Commit, String> {
    let text = |field: &str| {
        value
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("`commits[{index}].{field}` of the push payload is missing or not text"))
    };
    let sha = text("id")?;
    let message = text("message")?;
    let author =
        value.get("author").ok_or_else(|| format!("`commits[{index}].author` of the push payload is missing"))?;
    let name = author.get("name").and_then(Value::as_str).unwrap_or_default();
    let author = match author.get("email").and_then(Value::as_str) {
        Some(email) => format!("{name} <{email}>"),
        None => name.to_owned(),
    };
    let mut changed_files: Vec<String> = ["added", "removed", "modified"]
        .iter()
        .filter_map(|field| value.get(*field).and_then(Value::as_array))
        .flatten()
        .filter_map(|path| path.as_str().map(str::to_owned))
        .collect();
    changed_files.sort();
    changed_files.dedup();
    Ok(Commit { sha, author, message, changed_files })
}
