//! The persona type catalogue: the roles that may do, approve, advise on and hear about work.
//!
//! A catalogue is a YAML file with a top-level `persona_types:` list (the project's own is
//! `workflows/personas/types.yaml`). [`crate::compile_set`] recognises it among its sources and
//! checks every persona reference of the workflows against it.
//!
//! ```
//! use yaml_to_bpmn::personas::PersonaCatalogue;
//!
//! let yaml = "persona_types:\n  - id: software-architect\n    name: Software Architect\n    group: architecture\n    capabilities: [llm, approve]\n";
//! let catalogue = PersonaCatalogue::parse("types.yaml", yaml).expect("a valid catalogue");
//! assert_eq!(catalogue.get("software-architect").map(|t| t.name.as_str()), Some("Software Architect"));
//! assert_eq!(catalogue.suggest("software-architekt"), Some("software-architect"));
//! ```

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::dialect::{Fields, is_valid_id};
use crate::yaml::{Node, Value, load};

/// The action kinds a persona type's capabilities may name: the job types of the catalogue's
/// actions that persona work runs as (all but `set-variable`, which is a script in the model).
pub fn action_kinds() -> Vec<&'static str> {
    actions::specs().iter().map(|spec| spec.job_type).filter(|job_type| *job_type != "set-variable").collect()
}

/// The default of `max_concurrent_tasks`.
pub const DEFAULT_MAX_CONCURRENT_TASKS: u32 = 5;

/// One persona type: a role.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonaType {
    /// The id the workflows use (`software-architect`).
    pub id: String,
    /// The display name.
    pub name: String,
    /// The group it belongs to (development, quality, architecture, ...).
    pub group: String,
    /// The action kinds it may perform.
    pub capabilities: Vec<String>,
    /// The id of its persona workflow, when it has one.
    pub workflow: Option<String>,
    /// What instances of it inherit.
    pub defaults: PersonaDefaults,
    /// What it does, in a sentence (a prompt template's `{{persona.role}}`).
    pub role: Option<String>,
    /// Its own prompt templates, by action (over the catalogue's `prompt_templates`).
    pub prompts: Vec<(String, String)>,
    /// Where its entry starts.
    pub pos: Pos,
}

/// What instances of a persona type inherit.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonaDefaults {
    /// Tasks an instance may hold at once.
    pub max_concurrent_tasks: u32,
    /// The actions an instance may run (a subset of the capabilities; all of them by default).
    pub allowed_actions: Vec<String>,
    /// The persona type that hears of late or failed work.
    pub escalate_to: Option<String>,
}

/// The persona types of a project.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonaCatalogue {
    /// The file it was read from.
    pub source: String,
    /// The types, in file order.
    pub types: Vec<PersonaType>,
    /// The default prompt template of each action (see [`crate::prompt`]).
    pub prompt_templates: Vec<(String, String)>,
}

impl PersonaCatalogue {
    /// True when `root` is a catalogue (a mapping with `persona_types`) rather than a workflow.
    pub fn is_catalogue(root: &Node) -> bool {
        root.get("persona_types").is_some()
    }

    /// Reads a catalogue from YAML text; every problem is a located diagnostic.
    pub fn parse(name: &str, text: &str) -> Result<Self, Vec<Diagnostic>> {
        let mut diags = Diagnostics::new(name);
        let catalogue = load(text, &mut diags).and_then(|root| Self::from_root(name, &root, &mut diags));
        match catalogue {
            Some(catalogue) if !diags.has_errors() => Ok(catalogue),
            _ => Err(diags.into_sorted()),
        }
    }

    /// Reads a catalogue from its YAML root, reporting problems to `diags`.
    pub fn from_root(name: &str, root: &Node, diags: &mut Diagnostics) -> Option<Self> {
        let mut top = Fields::of(root, "the persona catalogue", diags)?;
        let items = top.list("persona_types", diags);
        let prompt_templates = top.get("prompt_templates").map(|n| parse_templates(n, diags)).unwrap_or_default();
        top.finish(diags);
        let types: Vec<PersonaType> = items.iter().filter_map(|n| parse_type(n, diags)).collect();
        let catalogue = Self { source: name.to_owned(), types, prompt_templates };
        catalogue.check(diags);
        Some(catalogue)
    }

    /// The type with this id.
    pub fn get(&self, id: &str) -> Option<&PersonaType> {
        self.types.iter().find(|t| t.id == id)
    }

    /// The prompt template for `action` steps of the persona type `persona`: the type's own,
    /// else the catalogue's default for the action.
    pub fn prompt_template(&self, persona: &str, action: &str) -> Option<&str> {
        let own = self.get(persona).and_then(|t| t.prompts.iter().find(|(a, _)| a == action));
        own.or_else(|| self.prompt_templates.iter().find(|(a, _)| a == action)).map(|(_, template)| template.as_str())
    }

    /// The known id closest to a mistyped one, when one is close enough to be meant.
    pub fn suggest(&self, id: &str) -> Option<&str> {
        self.types
            .iter()
            .map(|t| (strsim::levenshtein(&t.id, id), t.id.as_str()))
            .filter(|(distance, known)| *distance <= (known.len() / 3).max(2))
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, known)| known)
    }

    /// The message for an unknown persona type id: what to do, with a suggestion when there is one.
    pub fn unknown(&self, id: &str) -> String {
        match self.suggest(id) {
            Some(close) => {
                format!("unknown persona type `{id}`; did you mean `{close}`? (types are listed in {})", self.source)
            }
            None => format!("unknown persona type `{id}`; use one of the ids in {}", self.source),
        }
    }

    fn check(&self, diags: &mut Diagnostics) {
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        for persona in &self.types {
            if let Some(first) = seen.insert(&persona.id, persona.pos) {
                diags.error(
                    persona.pos,
                    format!(
                        "persona type `{}` is listed twice (first at line {}); keep one entry",
                        persona.id, first.line
                    ),
                );
            }
            if let Some(target) = &persona.defaults.escalate_to
                && self.get(target).is_none()
            {
                diags.error(persona.pos, format!("`{}` escalates to: {}", persona.id, self.unknown(target)));
            }
        }
    }
}

fn parse_type(node: &Node, diags: &mut Diagnostics) -> Option<PersonaType> {
    let mut f = Fields::of(node, "a persona type", diags)?;
    let id = f.text("id", diags);
    let name = f.text("name", diags).map(|t| t.0);
    let group = f.text("group", diags).map(|t| t.0).unwrap_or_default();
    let capabilities = action_list(f.list("capabilities", diags), diags);
    let workflow = f.text("workflow", diags).map(|t| t.0);
    let defaults = f.get("defaults");
    let role = f.text("role", diags).map(|t| t.0);
    let prompts = f.get("prompts").map(|n| parse_templates(n, diags)).unwrap_or_default();
    f.finish(diags);
    let Some((id, id_pos)) = id else {
        diags.error(node.pos, "a persona type has no `id`; add `id: <type-id>` such as `software-architect`");
        return None;
    };
    if !is_valid_id(&id) {
        diags.error(id_pos, format!("persona type id `{id}` is not valid; use lower-case letters, digits and `-`"));
        return None;
    }
    let defaults = match defaults {
        Some(node) => parse_defaults(node, &id, &capabilities, diags)?,
        None => PersonaDefaults {
            max_concurrent_tasks: DEFAULT_MAX_CONCURRENT_TASKS,
            allowed_actions: capabilities.clone(),
            escalate_to: None,
        },
    };
    let name = name.unwrap_or_else(|| id.clone());
    Some(PersonaType { id, name, group, capabilities, workflow, defaults, role, prompts, pos: node.pos })
}

fn parse_defaults(node: &Node, id: &str, capabilities: &[String], diags: &mut Diagnostics) -> Option<PersonaDefaults> {
    let mut f = Fields::of(node, "`defaults`", diags)?;
    let max_concurrent_tasks = match f.get("max_concurrent_tasks") {
        None => DEFAULT_MAX_CONCURRENT_TASKS,
        Some(Node { value: Value::Int(n), .. }) if *n >= 1 => u32::try_from(*n).unwrap_or(u32::MAX),
        Some(other) => {
            diags.error(other.pos, "`max_concurrent_tasks` must be a whole number of at least 1");
            DEFAULT_MAX_CONCURRENT_TASKS
        }
    };
    let allowed = f.list("allowed_actions", diags);
    let allowed_actions = if allowed.is_empty() { capabilities.to_vec() } else { action_list(allowed, diags) };
    for (action, item) in allowed_actions.iter().zip(allowed) {
        if !capabilities.contains(action) {
            diags.error(
                item.pos,
                format!("`{id}` may not be allowed `{action}`: it is not among its capabilities; add it there or remove it here"),
            );
        }
    }
    let escalate_to = f.text("escalate_to", diags).map(|t| t.0);
    f.finish(diags);
    Some(PersonaDefaults { max_concurrent_tasks, allowed_actions, escalate_to })
}

/// Prompt templates by action (`llm: "..."`), each checked (see [`crate::prompt::problems`]).
fn parse_templates(node: &Node, diags: &mut Diagnostics) -> Vec<(String, String)> {
    let Value::Map(entries) = &node.value else {
        diags.error(node.pos, "prompt templates are a mapping of action to template, e.g. `llm: |` and the text");
        return Vec::new();
    };
    let kinds = action_kinds();
    let mut templates = Vec::new();
    for entry in entries {
        if !kinds.contains(&entry.key.as_str()) {
            diags.error(
                entry.key_pos,
                format!("`{}` is not an action kind; use one of {}", entry.key, kinds.join(", ")),
            );
            continue;
        }
        let Some(template) = entry.value.as_str() else {
            diags.error(entry.value.pos, format!("the `{}` prompt template must be text", entry.key));
            continue;
        };
        for problem in crate::prompt::problems(template) {
            diags.error(entry.value.pos, format!("the `{}` prompt template: {problem}", entry.key));
        }
        templates.push((entry.key.clone(), template.to_owned()));
    }
    templates
}

/// Action kinds from a list, each checked against [`action_kinds`].
fn action_list(items: &[Node], diags: &mut Diagnostics) -> Vec<String> {
    let kinds = action_kinds();
    items
        .iter()
        .filter_map(|item| {
            let text = item.scalar_text()?;
            if kinds.contains(&text.as_str()) {
                return Some(text);
            }
            let close = kinds.iter().min_by_key(|k| strsim::levenshtein(k, &text)).copied().unwrap_or("llm");
            diags.error(
                item.pos,
                format!("unknown action kind `{text}` (did you mean `{close}`?); use one of {}", kinds.join(", ")),
            );
            None
        })
        .collect()
}
