//! Mutated seed workflows never make the compiler panic, and those that still compile give valid
//! BPMN models.

use std::path::Path;

use proptest::prelude::*;
use yaml_to_bpmn::compile_str;

fn seed_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/seed-workflows");
    let mut texts = Vec::new();
    for folder in ["system", "personas"] {
        let mut paths: Vec<_> =
            std::fs::read_dir(dir.join(folder)).expect("corpus folder").map(|e| e.expect("entry").path()).collect();
        paths.sort();
        texts.extend(paths.iter().map(|p| std::fs::read_to_string(p).expect("read")));
    }
    texts
}

/// One edit of a file, applied at a position given as a fraction of its length.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(f64),
    DuplicateLine(f64),
    SwapLines(f64, f64),
    InsertText(f64, String),
    DeleteChars(f64, usize),
    Truncate(f64),
    Reindent(f64, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    let snippets = prop::sample::select(vec![
        "${",
        "}",
        "${steps.",
        "${inputs.X",
        "'",
        "\"",
        ":",
        "- ",
        "\t",
        "  ",
        "action: conditional",
        "branches:",
        "- condition:",
        "steps:",
        "&a",
        "*a",
        "{",
        "[",
        "]",
        "#",
        "---",
        "\n",
        "${context.f(",
        " eq ",
        " ? ",
        "é",
        "action: repeat\n    count: 0",
        "null",
        "~",
        "duration: 1x",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        at.clone().prop_map(Mutation::DeleteLine),
        at.clone().prop_map(Mutation::DuplicateLine),
        (at.clone(), at.clone()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (at.clone(), snippets).prop_map(|(a, s)| Mutation::InsertText(a, s)),
        (at.clone(), 1..40usize).prop_map(|(a, n)| Mutation::DeleteChars(a, n)),
        at.clone().prop_map(Mutation::Truncate),
        (at, 0..9usize).prop_map(|(a, n)| Mutation::Reindent(a, n)),
    ]
}

fn index(fraction: f64, len: usize) -> usize {
    ((fraction * len as f64) as usize).min(len.saturating_sub(1))
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut chars: Vec<char> = text.chars().collect();
    match mutation {
        Mutation::DeleteLine(at) if !lines.is_empty() => {
            lines.remove(index(*at, lines.len()));
        }
        Mutation::DuplicateLine(at) if !lines.is_empty() => {
            let i = index(*at, lines.len());
            lines.insert(i, lines[i].clone());
        }
        Mutation::SwapLines(a, b) if !lines.is_empty() => {
            let (i, j) = (index(*a, lines.len()), index(*b, lines.len()));
            lines.swap(i, j);
        }
        Mutation::Reindent(at, n) if !lines.is_empty() => {
            let i = index(*at, lines.len());
            lines[i] = format!("{}{}", " ".repeat(*n), lines[i].trim_start());
        }
        Mutation::InsertText(at, snippet) => {
            let i = index(*at, chars.len() + 1);
            chars.splice(i..i, snippet.chars());
            return chars.into_iter().collect();
        }
        Mutation::DeleteChars(at, n) => {
            let i = index(*at, chars.len());
            let end = (i + n).min(chars.len());
            chars.drain(i..end);
            return chars.into_iter().collect();
        }
        Mutation::Truncate(at) => {
            chars.truncate(index(*at, chars.len()));
            return chars.into_iter().collect();
        }
        _ => {}
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_seed_files_never_panic(file in 0..32usize, mutations in prop::collection::vec(mutation(), 1..6)) {
        let texts = seed_texts();
        let mut text = texts[file % texts.len()].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        let outcome = compile_str("mutated.yaml", &text);
        // Every diagnostic is located; a file either compiles or reports an error.
        for d in &outcome.diagnostics {
            prop_assert!(d.pos.line >= 1 && d.pos.column >= 1, "{d}");
            // Whatever compiles yields a model the graph validation accepts.
            prop_assert!(!d.message.contains("internal compiler problem"), "{d}");
        }
        prop_assert_eq!(outcome.workflows.is_empty(), outcome.has_errors());
    }
}
