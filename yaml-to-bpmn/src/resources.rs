//! One loader for workflow resources, whichever way they come in: files named on a command line
//! (`orchestrator deploy`, `persona-worker deploy`) or a deployment over the API.
//!
//! - BPMN is read leniently ([`bpmn::read_with_warnings`]), and what the reader repaired is a
//!   located warning.
//! - YAML is compiled, on its own or as one set with the cross-file checks ([`YamlAs`]).
//! - Every problem names its resource: `name:line:column: error|warning: ...`.
//!
//! A set with any error loads to nothing: [`load`] answers every error, so that a deployment is
//! all or nothing.

use crate::compile::{CompiledWorkflow, Source, compile_set, compile_str};

/// A workflow resource: its name (the extension says what it is, `.bpmn`, `.yaml` or `.yml`) and
/// its bytes.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The name, usually the path; problems are located by it.
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// How the YAML resources of a set compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlAs {
    /// A lone YAML resource on its own; several as one set.
    AloneWhenOne,
    /// Always as one set, with the cross-file checks (a folder was named).
    Set,
}

/// What a set of resources loaded to.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The BPMN resources as read, by resource name.
    pub models: Vec<(String, bpmn::Definitions)>,
    /// The YAML workflows, compiled.
    pub workflows: Vec<CompiledWorkflow>,
    /// Located warnings: what the BPMN reader repaired, and the YAML compiler's warnings.
    pub warnings: Vec<String>,
}

impl Loaded {
    /// Every model of the set: the BPMN resources', then the compiled workflows' (named by their
    /// source).
    pub fn definitions(self) -> Vec<(String, bpmn::Definitions)> {
        let compiled = self.workflows.into_iter().map(|w| (w.source, w.definitions));
        self.models.into_iter().chain(compiled).collect()
    }
}

/// What to do about a file that is not UTF-8 text.
pub const NOT_UTF8: &str = "the file is not UTF-8 text; save it as UTF-8";

/// Loads `resources`. `Err` holds every located error of the set, and nothing of it is usable.
pub fn load(resources: &[Resource], yaml_as: YamlAs) -> Result<Loaded, Vec<String>> {
    let mut loaded = Loaded::default();
    let mut errors = Vec::new();
    let mut sources = Vec::new();
    for resource in resources {
        let name = &resource.name;
        if name.ends_with(".bpmn") {
            match bpmn::read_with_warnings(&resource.bytes) {
                Ok(outcome) => {
                    loaded.warnings.extend(outcome.warnings.iter().map(|w| format!("{name}:{w}")));
                    loaded.models.push((name.clone(), outcome.definitions));
                }
                Err(e) => errors.push(format!("{name}:{}:{}: error: {}", e.line, e.column, e.message)),
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            match String::from_utf8(resource.bytes.clone()) {
                Ok(text) => sources.push(Source { name: name.clone(), text }),
                Err(_) => errors.push(format!("{name}:1:1: error: {NOT_UTF8}")),
            }
        } else {
            errors.push(format!("{name}: error: name the file .yaml, .yml or .bpmn"));
        }
    }
    if !sources.is_empty() {
        let outcome = match (sources.as_slice(), yaml_as) {
            ([single], YamlAs::AloneWhenOne) => compile_str(&single.name, &single.text),
            _ => compile_set(&sources),
        };
        for diagnostic in &outcome.diagnostics {
            if diagnostic.is_error() { &mut errors } else { &mut loaded.warnings }.push(diagnostic.to_string());
        }
        loaded.workflows = outcome.workflows;
    }
    if errors.is_empty() { Ok(loaded) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "metadata:\n  id: hello\nsteps:\n  - id: greet\n    action: log\n    message: hi\n";

    fn resource(name: &str, bytes: &[u8]) -> Resource {
        Resource { name: name.into(), bytes: bytes.to_vec() }
    }

    #[test]
    fn bpmn_is_read_and_yaml_compiled_into_one_list_of_models() {
        let xml = crate::output::to_xml(&compile_str("a.yaml", WORKFLOW).workflows[0].definitions);
        let set = [resource("hello.bpmn", xml.as_bytes()), resource("other.yaml", WORKFLOW.as_bytes())];
        let loaded = load(&set, YamlAs::AloneWhenOne).expect("loads");
        assert_eq!(loaded.warnings, Vec::<String>::new());
        let names: Vec<String> = loaded.definitions().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["hello.bpmn", "other.yaml"]);
    }

    #[test]
    fn every_error_of_the_set_is_located_by_its_resource() {
        let set = [
            resource("broken.bpmn", b"<bpmn:definitions"),
            resource("latin1.yaml", b"metadata:\n  id: caf\xe9\n"),
            resource("notes.txt", b"hello"),
            resource("bad.yaml", b"metadata: [\n"),
        ];
        let errors = load(&set, YamlAs::AloneWhenOne).expect_err("refused");
        assert_eq!(errors.len(), 4, "{errors:#?}");
        assert!(errors[0].starts_with("broken.bpmn:1:"), "{errors:#?}");
        assert_eq!(errors[1], format!("latin1.yaml:1:1: error: {NOT_UTF8}"));
        assert_eq!(errors[2], "notes.txt: error: name the file .yaml, .yml or .bpmn");
        assert!(errors[3].starts_with("bad.yaml:"), "{errors:#?}");
    }

    #[test]
    fn repairs_and_compiler_warnings_are_located_warnings() {
        let utf16 = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<bpmn:definitions \
             xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\" targetNamespace=\"t\">\n\
             <bpmn:process id=\"p\"/>\n</bpmn:definitions>\n";
        let loaded = load(&[resource("utf16.bpmn", utf16.as_bytes())], YamlAs::Set).expect("loads");
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
        assert!(loaded.warnings[0].starts_with("utf16.bpmn:1:31: warning:"), "{:?}", loaded.warnings);
    }

    #[test]
    fn a_lone_yaml_file_compiles_alone_unless_a_set_is_asked_for() {
        let caller = "metadata:\n  id: caller\nsteps:\n  - id: call\n    action: execute-workflow\n    workflow: missing-callee\n";
        let alone = load(&[resource("caller.yaml", caller.as_bytes())], YamlAs::AloneWhenOne);
        let set = load(&[resource("caller.yaml", caller.as_bytes())], YamlAs::Set);
        assert!(alone.is_ok(), "{alone:?}");
        let errors = set.expect_err("a set checks that the callee is among its files");
        assert!(errors.iter().any(|e| e.contains("missing-callee")), "{errors:#?}");
    }
}
