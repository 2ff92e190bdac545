//! Who does each task step, and the RACI matrix of a set of workflows.
//!
//! A task step's responsible persona is its own (`persona:` or `raci.responsible`), else that of
//! the nearest enclosing `phase` that names one, else the workflow's persona
//! (`metadata.persona_info.type`). [`matrix`] lists every task step of every workflow with its
//! R, A, C and I; `yaml-to-bpmn raci` prints it as a table, CSV or JSON.

use crate::dialect::ast::{Action, Raci, Step, Workflow};

/// True for steps that are work done by a persona (they compile to service or user tasks).
pub fn is_task(action: &Action) -> bool {
    matches!(
        action,
        Action::Shell { .. }
            | Action::Operation { .. }
            | Action::Log { .. }
            | Action::Llm { .. }
            | Action::Notify { .. }
    )
}

/// The action kind of a task step (the job type it runs as).
pub fn action_kind(action: &Action) -> Option<&'static str> {
    match action {
        Action::Shell { .. } => Some("shell-command"),
        Action::Operation { job_type, .. } => Some(job_type),
        Action::Log { .. } => Some("log"),
        Action::Llm { .. } => Some("llm"),
        Action::Notify { .. } => Some("notify"),
        _ => None,
    }
}

/// One task step (or governed phase or call) and who is who for it.
#[derive(Debug, Clone)]
pub struct Assignment<'a> {
    /// The step.
    pub step: &'a Step,
    /// The id of the innermost enclosing phase.
    pub phase: Option<&'a str>,
    /// The persona types responsible, own or inherited (empty when nobody is).
    pub responsible: Vec<String>,
}

impl Assignment<'_> {
    /// The step's own RACI block.
    pub fn raci(&self) -> Option<&Raci> {
        self.step.raci.as_ref()
    }
}

/// Every task step of the workflow's main flow and failure handling, plus the phases and calls
/// that carry a RACI block, in document order.
pub fn assignments(workflow: &Workflow) -> Vec<Assignment<'_>> {
    let inherited: Vec<String> = workflow.metadata.persona.iter().map(|p| p.text.clone()).collect();
    let mut out = Vec::new();
    let on_failure = workflow.error_handling.iter().flat_map(|e| &e.on_failure);
    for step in workflow.steps.iter().chain(on_failure) {
        collect(step, None, &inherited, &mut out);
    }
    out
}

fn collect<'a>(step: &'a Step, phase: Option<&'a str>, inherited: &[String], out: &mut Vec<Assignment<'a>>) {
    let own: Vec<String> = step.raci.iter().flat_map(|r| &r.responsible).map(|t| t.text.clone()).collect();
    let responsible = if own.is_empty() { inherited.to_vec() } else { own };
    let is_phase = matches!(step.action, Action::Phase { .. });
    if is_task(&step.action) || (step.raci.is_some() && (is_phase || matches!(step.action, Action::Call { .. }))) {
        out.push(Assignment { step, phase, responsible: responsible.clone() });
    }
    let (child_phase, child_inherited) =
        if is_phase { (Some(step.id.as_str()), responsible) } else { (phase, inherited.to_vec()) };
    for child in step.action.children() {
        collect(child, child_phase, &child_inherited, out);
    }
}

/// One row of the RACI matrix: one step of a workflow and who is who for it. Read from the
/// YAML ([`matrix`]) or, by the server, from a deployed model's task headers.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RaciRow))]
pub struct Row {
    /// The workflow id (the BPMN process id).
    pub workflow: String,
    /// The enclosing phase, when there is one (and it is known).
    pub phase: Option<String>,
    /// The step id (the YAML step, or the task's element id in a hand-written model).
    pub step: String,
    /// The step's name.
    pub name: Option<String>,
    /// The job type of the work (`None` for a user task, a phase or a call).
    pub job_type: Option<String>,
    /// True when a person does the work (a user task).
    pub human: bool,
    /// Who does the work.
    pub responsible: Vec<String>,
    /// Who approves it.
    pub accountable: Vec<String>,
    /// Approvals needed (0 when nobody approves).
    pub min_approvals: u32,
    /// Approvers with a veto.
    pub veto: Vec<String>,
    /// Who is asked before.
    pub consulted: Vec<String>,
    /// Who is told after.
    pub informed: Vec<String>,
    /// `after -> to`, when the step escalates on a timeout.
    pub escalation: Option<String>,
}

/// The RACI matrix of the workflows: one row per task step (and governed phase or call).
pub fn matrix<'a>(workflows: impl IntoIterator<Item = &'a Workflow>) -> Vec<Row> {
    let texts = |list: &[crate::dialect::ast::Text]| list.iter().map(|t| t.text.clone()).collect::<Vec<_>>();
    let mut rows = Vec::new();
    for workflow in workflows {
        for assignment in assignments(workflow) {
            let raci = assignment.raci().cloned().unwrap_or_default();
            let min_approvals = match (&raci.min_approvals, raci.accountable.is_empty()) {
                (_, true) => 0,
                (Some((n, _)), false) => *n,
                (None, false) => 1,
            };
            rows.push(Row {
                workflow: workflow.metadata.id.text.clone(),
                phase: assignment.phase.map(str::to_owned),
                step: assignment.step.id.clone(),
                name: assignment.step.name.clone(),
                job_type: action_kind(&assignment.step.action).filter(|_| !assignment.step.human).map(str::to_owned),
                human: assignment.step.human,
                responsible: assignment.responsible.clone(),
                accountable: texts(&raci.accountable),
                min_approvals,
                veto: texts(&raci.veto),
                consulted: texts(&raci.consulted),
                informed: texts(&raci.informed),
                escalation: raci.escalation.as_ref().map(|e| format!("{} -> {}", e.after, e.to.text)),
            });
        }
    }
    rows
}

/// The matrix as CSV with a header line (fields with commas or quotes are quoted).
pub fn to_csv(rows: &[Row]) -> String {
    let mut out =
        String::from("workflow,phase,task,responsible,accountable,min_approvals,veto,consulted,informed,escalation\n");
    for row in rows {
        let fields = [
            row.workflow.clone(),
            row.phase.clone().unwrap_or_default(),
            row.step.clone(),
            row.responsible.join(" "),
            row.accountable.join(" "),
            row.min_approvals.to_string(),
            row.veto.join(" "),
            row.consulted.join(" "),
            row.informed.join(" "),
            row.escalation.clone().unwrap_or_default(),
        ];
        let quoted: Vec<String> = fields
            .iter()
            .map(|f| if f.contains([',', '"', '\n']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.clone() })
            .collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

/// The matrix as an aligned text table: R, A (with the approvals needed and vetoes), C, I.
pub fn to_table(rows: &[Row]) -> String {
    let header = ["WORKFLOW", "PHASE", "TASK", "R", "A", "C", "I", "ESCALATION"].map(str::to_owned);
    let lines: Vec<[String; 8]> = rows
        .iter()
        .map(|row| {
            let mut accountable = row.accountable.join(",");
            if !row.accountable.is_empty() {
                accountable.push_str(&format!(" ({} of {})", row.min_approvals, row.accountable.len()));
            }
            if !row.veto.is_empty() {
                accountable.push_str(&format!(" veto:{}", row.veto.join(",")));
            }
            [
                row.workflow.clone(),
                row.phase.clone().unwrap_or_else(|| "-".into()),
                row.step.clone(),
                or_dash(&row.responsible.join(",")),
                or_dash(&accountable),
                or_dash(&row.consulted.join(",")),
                or_dash(&row.informed.join(",")),
                row.escalation.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.len());
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for line in std::iter::once(&header).chain(&lines) {
        let cells: Vec<String> = line.iter().zip(widths).map(|(cell, width)| format!("{cell:width$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn or_dash(text: &str) -> String {
    if text.is_empty() { "-".into() } else { text.to_owned() }
}
