//! Every `=expression` attribute in the MIWG corpus of real modelling-tool output parses, except the
//! ones that use names with spaces (a DMN feature Zeebe models avoid and this crate leaves out), and
//! every parsed one evaluates without error against no variables.

use feel::{Expression, FeelErrorKind};
use quick_xml::events::Event;
use std::path::{Path, PathBuf};

/// Multi-word variable names that occur in the corpus.
const NAMES_WITH_SPACES: &[&str] = &["Vacation Approval Status", "Current Vacation Status", "Employee Badge Number"];

fn corpus_dir() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir.parent().unwrap_or(crate_dir).join("../shared/corpus/miwg")
}

fn bpmn_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            bpmn_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "bpmn") {
            found.push(path);
        }
    }
}

/// The attribute values of `file` that start with `=`.
fn expressions(file: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(file) else { return Vec::new() };
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut found = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(element) | Event::Empty(element)) => {
                for attribute in element.attributes().flatten() {
                    if let Ok(value) = attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        && Expression::is_expression(&value)
                    {
                        found.push(value.into_owned());
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => return found,
            Ok(_) => {}
        }
    }
}

#[test]
fn corpus_expressions_parse_unless_they_use_names_with_spaces() {
    let mut files = Vec::new();
    bpmn_files(&corpus_dir(), &mut files);
    assert!(files.len() > 100, "expected the MIWG corpus at {}", corpus_dir().display());
    let all: Vec<(PathBuf, String)> =
        files.iter().flat_map(|file| expressions(file).into_iter().map(move |text| (file.clone(), text))).collect();
    assert!(all.len() > 300, "only {} expressions found", all.len());
    let variables = serde_json::Map::new();
    let mut parsed = 0;
    for (file, text) in &all {
        let spaced = NAMES_WITH_SPACES.iter().any(|name| text.contains(name));
        match Expression::parse(text) {
            Ok(expression) => {
                assert!(!spaced, "{}: {text} should not parse", file.display());
                assert!(expression.evaluate(&variables).is_ok(), "{}: {text}", file.display());
                parsed += 1;
            }
            Err(error) => {
                assert!(spaced, "{}: {text}: {error}", file.display());
                assert_eq!(error.kind, FeelErrorKind::Syntax);
            }
        }
    }
    assert!(parsed > 100, "only {parsed} of {} expressions parsed", all.len());
}
