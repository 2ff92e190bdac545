//! Prompt templates: the frame an `llm` step's prompt is put in, per persona type and action.
//!
//! The persona catalogue holds a default template per action (`prompt_templates:`) and may give
//! a persona type its own (`prompts:` in the type's entry). A template names its values as
//! `{{placeholder}}` ([`PLACEHOLDERS`]): who the persona is (`persona.name`, `persona.role`),
//! what the work is (`workflow.name`, `step.name`), the step's own `prompt:` (`step.prompt`,
//! required) and the workflow variables the step names in `context:` (`context`, one line per
//! variable). The compiler renders it into the step's `prompt` input, so the whole prompt is in
//! the model and reads the same on either engine; the `${…}` values in it are filled in when the
//! job runs.
//!
//! ```
//! use yaml_to_bpmn::prompt::{PromptValues, render, problems};
//!
//! let template = "You are the team's {{persona.name}}: {{persona.role}}\n\n{{step.prompt}}\n{{context}}";
//! assert!(problems(template).is_empty());
//! let values = PromptValues {
//!     persona_name: "QA Engineer",
//!     persona_role: "you find what breaks before users do.",
//!     step_prompt: "List the risky paths of ${inputs.FEATURE}.",
//!     context: "- inputs.FEATURE: ${inputs.FEATURE}",
//!     ..PromptValues::default()
//! };
//! let prompt = render(template, &values);
//! assert!(prompt.starts_with("You are the team's QA Engineer: you find"));
//! assert!(prompt.ends_with("- inputs.FEATURE: ${inputs.FEATURE}"));
//! ```

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "persona.id",
    "persona.name",
    "persona.role",
    "workflow.id",
    "workflow.name",
    "step.id",
    "step.name",
    "step.prompt",
    "context",
];

/// The values of the placeholders, for one step.
#[derive(Debug, Clone, Copy, Default)]
pub struct PromptValues<'a> {
    /// `persona.id`: the responsible persona type's id.
    pub persona_id: &'a str,
    /// `persona.name`: its display name.
    pub persona_name: &'a str,
    /// `persona.role`: what it does, in a sentence (its `role:`).
    pub persona_role: &'a str,
    /// `workflow.id`.
    pub workflow_id: &'a str,
    /// `workflow.name`.
    pub workflow_name: &'a str,
    /// `step.id`.
    pub step_id: &'a str,
    /// `step.name`.
    pub step_name: &'a str,
    /// `step.prompt`: the step's `prompt:`, `${…}` values and all.
    pub step_prompt: &'a str,
    /// `context`: one `- NAME: ${NAME}` line per variable the step names in `context:`.
    pub context: &'a str,
}

impl PromptValues<'_> {
    fn get(&self, placeholder: &str) -> Option<&str> {
        Some(match placeholder {
            "persona.id" => self.persona_id,
            "persona.name" => self.persona_name,
            "persona.role" => self.persona_role,
            "workflow.id" => self.workflow_id,
            "workflow.name" => self.workflow_name,
            "step.id" => self.step_id,
            "step.name" => self.step_name,
            "step.prompt" => self.step_prompt,
            "context" => self.context,
            _ => return None,
        })
    }
}

/// The `{{…}}` placeholders of `template`, trimmed, in order (an unclosed `{{` ends the scan).
fn placeholders(template: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let open = from + template[from..].find("{{")?;
        let close = open + 2 + template[open + 2..].find("}}")?;
        from = close + 2;
        Some((open, close + 2, template[open + 2..close].trim()))
    })
}

/// True when `template` uses the placeholder `name`.
pub fn uses(template: &str, name: &str) -> bool {
    placeholders(template).any(|(_, _, used)| used == name)
}

/// What is wrong with `template`, each said with what to do: unknown placeholders, a missing
/// `{{step.prompt}}` (the step's own words would be lost), `${…}` values (a template is shared by
/// every step; steps name their values).
pub fn problems(template: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (_, _, name) in placeholders(template) {
        if !PLACEHOLDERS.contains(&name) {
            found.push(format!("unknown placeholder `{{{{{name}}}}}`; use one of {}", PLACEHOLDERS.join(", ")));
        }
    }
    if !uses(template, "step.prompt") {
        found.push("the template has no `{{step.prompt}}`, so the step's own prompt would be lost; add it".into());
    }
    if template.contains("${") {
        found.push(
            "a template cannot read workflow values (`${…}`); name them in the step's `prompt:` or `context:`".into(),
        );
    }
    found
}

/// `template` with its placeholders replaced by `values` (unknown ones are left as written;
/// [`problems`] reports them). Blank lines left by empty values are folded, and the ends trimmed.
pub fn render(template: &str, values: &PromptValues<'_>) -> String {
    let mut out = String::with_capacity(template.len() + values.step_prompt.len() + values.context.len());
    let mut last = 0;
    for (start, end, name) in placeholders(template) {
        out.push_str(&template[last..start]);
        out.push_str(values.get(name).unwrap_or(&template[start..end]));
        last = end;
    }
    out.push_str(&template[last..]);
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_checked_for_its_placeholders_and_workflow_values() {
        assert!(problems("{{ step.prompt }} as {{persona.name}}").is_empty(), "spaces inside braces are fine");
        let found = problems("As {{persona.title}}: ${inputs.X}");
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("unknown placeholder `{{persona.title}}`; use one of persona.id"), "{found:?}");
        assert!(found[1].contains("no `{{step.prompt}}`"), "{found:?}");
        assert!(found[2].contains("cannot read workflow values"), "{found:?}");
    }

    #[test]
    fn rendering_fills_every_placeholder_and_folds_empty_lines() {
        let values = PromptValues {
            persona_name: "SRE",
            step_name: "Check the alerts",
            step_prompt: "Which alerts fire?",
            ..PromptValues::default()
        };
        let rendered = render("{{persona.name}} / {{step.name}}\n\n{{context}}\n\n{{step.prompt}} {{odd", &values);
        assert_eq!(rendered, "SRE / Check the alerts\n\nWhich alerts fire? {{odd");
    }
}
