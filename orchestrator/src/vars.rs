//! Variables from `--var NAME=VALUE` and `--vars-file FILE`.

use std::path::Path;

use engine::Variables;
use serde_json::Value;
use yaml_to_bpmn::Diagnostics;
use yaml_to_bpmn::yaml::{self, Node};

use crate::cli::VarArgs;
use crate::failure::{Failure, Result};

/// The variables the arguments give: the file's first, then each `--var` in order.
pub fn collect(args: &VarArgs) -> Result<Variables> {
    let mut variables = match &args.vars_file {
        Some(path) => read_file(path)?,
        None => Variables::new(),
    };
    for text in &args.vars {
        let (path, value) = parse_var(text)?;
        set_path(&mut variables, &path, value);
    }
    Ok(variables)
}

/// `NAME=VALUE` (or `a.b.c=VALUE`): the name's dotted path and the value, as JSON when it reads
/// as JSON, else as text.
pub fn parse_var(text: &str) -> Result<(Vec<String>, Value)> {
    let usage = |why: &str| {
        Failure::Usage(format!("--var '{text}' {why}; write NAME=VALUE, for example --var inputs.WORK_TYPE=feature"))
    };
    let Some((name, value)) = text.split_once('=') else {
        return Err(usage("has no '='"));
    };
    let path: Vec<String> = name.trim().split('.').map(str::to_owned).collect();
    if path.iter().any(String::is_empty) {
        return Err(usage("has an empty name or an empty part between dots"));
    }
    Ok((path, json_or_text(value)))
}

/// `KEY=VALUE` of `--setting`: the key and the value, as JSON when it reads as JSON, else as text.
pub fn parse_setting(text: &str) -> Result<(String, Value)> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.trim().to_owned(), json_or_text(value))),
        _ => Err(Failure::Usage(format!(
            "--setting '{text}' has no KEY=; write KEY=VALUE, for example --setting review_depth=2"
        ))),
    }
}

/// `value` as JSON when it reads as JSON (`2`, `true`, `[1]`), else as text.
fn json_or_text(value: &str) -> Value {
    serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()))
}

/// Sets `value` at the dotted `path`, making (or replacing non-object values by) objects on
/// the way.
fn set_path(variables: &mut Variables, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut target = variables;
    for name in parents {
        let slot = target.entry(name.clone()).or_insert_with(|| Value::Object(Variables::new()));
        if !slot.is_object() {
            *slot = Value::Object(Variables::new());
        }
        let Value::Object(object) = slot else { return };
        target = object;
    }
    target.insert(last.clone(), value);
}

/// Reads a JSON (`.json`) or YAML (`.yaml`, `.yml`) file holding one object.
fn read_file(path: &Path) -> Result<Variables> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("{name}: cannot read the variables file: {e}")))?;
    let value = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::from_str::<Value>(&text).map_err(|e| {
            Failure::Usage(format!("{name}:{}:{}: error: not valid JSON: {e}; fix the file", e.line(), e.column()))
        })?,
        Some("yaml" | "yml") => read_yaml(&name, &text)?,
        _ => {
            return Err(Failure::Usage(format!(
                "{name}: the variables file must end in .json, .yaml or .yml so its format is known"
            )));
        }
    };
    match value {
        Value::Object(variables) => Ok(variables),
        other => Err(Failure::Usage(format!(
            "{name}:1:1: error: the variables file holds {}, not an object of NAME: VALUE entries",
            kind(&other)
        ))),
    }
}

fn read_yaml(name: &str, text: &str) -> Result<Value> {
    let mut diagnostics = Diagnostics::new(name);
    let node = yaml::load(text, &mut diagnostics);
    let errors: Vec<String> =
        diagnostics.into_sorted().into_iter().filter(|d| d.is_error()).map(|d| d.to_string()).collect();
    if !errors.is_empty() {
        return Err(Failure::Usage(format!("{}; fix the file", errors.join("\n"))));
    }
    let Some(node) = node else { return Ok(Value::Null) };
    if !matches!(node.value, yaml::Value::Map(_)) {
        return Err(Failure::Usage(format!(
            "{name}:{}:{}: error: the variables file holds {}, not a mapping of NAME: VALUE entries",
            node.pos.line,
            node.pos.column,
            node.kind_name()
        )));
    }
    Ok(json_of(&node))
}

/// A YAML node as JSON (a float that JSON cannot hold becomes its text).
fn json_of(node: &Node) -> Value {
    match &node.value {
        yaml::Value::Null => Value::Null,
        yaml::Value::Bool(b) => Value::Bool(*b),
        yaml::Value::Int(i) => Value::from(*i),
        yaml::Value::Float(text) => {
            serde_json::from_str::<serde_json::Number>(text).map_or_else(|_| Value::String(text.clone()), Value::Number)
        }
        yaml::Value::Str(s) => Value::String(s.clone()),
        yaml::Value::Seq(items) => Value::Array(items.iter().map(json_of).collect()),
        yaml::Value::Map(entries) => {
            Value::Object(entries.iter().map(|e| (e.key.clone(), json_of(&e.value))).collect())
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars(list: &[&str]) -> Result<Value> {
        let args = VarArgs { vars: list.iter().map(|s| (*s).to_owned()).collect(), vars_file: None };
        collect(&args).map(Value::Object)
    }

    #[test]
    fn values_are_json_when_they_read_as_json_and_dotted_names_nest() {
        let got = vars(&["n=3", "flag=true", "text=Dark mode", "inputs.A=x", "inputs.B=[1]", "eq=a=b"]);
        assert_eq!(
            got,
            Ok(json!({"n": 3, "flag": true, "text": "Dark mode", "inputs": {"A": "x", "B": [1]}, "eq": "a=b"}))
        );
    }

    #[test]
    fn a_dotted_name_replaces_a_scalar_on_its_path() {
        assert_eq!(vars(&["a=1", "a.b=2"]), Ok(json!({"a": {"b": 2}})));
    }

    #[test]
    fn a_var_without_equals_or_with_an_empty_name_is_a_usage_error() {
        for bad in ["novalue", "=3", "a..b=1", "a.=1"] {
            let Err(Failure::Usage(message)) = vars(&[bad]) else { panic!("{bad} was accepted") };
            assert!(message.contains(&format!("--var '{bad}'")) && message.contains("NAME=VALUE"), "{message}");
        }
    }

    #[test]
    fn yaml_files_become_json_objects() {
        let value = read_yaml("v.yaml", "a: 1\nb: [x, 2.5]\nc: {d: null}\n");
        assert_eq!(value, Ok(json!({"a": 1, "b": ["x", 2.5], "c": {"d": null}})));
    }

    #[test]
    fn a_yaml_file_that_is_no_mapping_is_refused_at_its_position() {
        let Err(Failure::Usage(message)) = read_yaml("v.yaml", "- a\n- b\n") else { panic!("accepted") };
        assert!(message.starts_with("v.yaml:1:1: error:") && message.contains("a list"), "{message}");
    }
}
