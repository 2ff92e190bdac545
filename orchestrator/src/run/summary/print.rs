//! [`Summary::print`]: the summary as text, times as offsets from the instance's start.

use serde_json::Value;

use super::Summary;
use crate::output::section;
use crate::output::{duration, say};

impl Summary {
    /// Prints the summary for people.
    pub fn print(&self) {
        let since = |at: i64| format!("+{}", duration(Some(at - self.started_at_millis)));
        let took = self.duration_millis.map(|ms| format!(" after {}", duration(Some(ms)))).unwrap_or_default();
        say!(
            "\nsummary of process instance {} ({}): {}{took} of engine time; outputs simulated with seed {}",
            self.instance,
            self.workflow,
            self.status,
            self.seed
        );
        section(
            "phases",
            &["PHASE", "CALLS", "START", "DURATION", "STATUS"],
            self.phases.iter().map(|p| {
                vec![
                    format!("{}{}", "  ".repeat(p.depth), p.element_id),
                    p.calls.clone().unwrap_or_else(|| "-".into()),
                    since(p.started_at_millis),
                    duration(p.duration_millis),
                    p.status.to_owned(),
                ]
            }),
        );
        section(
            "jobs",
            &["AT", "PERSONA", "ACTION", "STEP", "WORKFLOW", "RESULT"],
            self.jobs.iter().map(|j| {
                vec![
                    since(j.at_millis),
                    j.persona.clone().unwrap_or_else(|| "-".into()),
                    j.job_type.clone(),
                    j.step.clone(),
                    j.workflow.clone(),
                    j.result.clone(),
                ]
            }),
        );
        section(
            "approvals",
            &["STEP", "APPROVER", "VOTE", "REASON"],
            self.approvals.iter().map(|v| {
                let vote = match (v.veto, v.approved) {
                    (Some(true), _) => "vetoed",
                    (_, Some(true)) => "approved",
                    (_, Some(false)) => "rejected",
                    _ => "-",
                };
                vec![
                    v.step.clone(),
                    v.approver.clone().unwrap_or_else(|| "-".into()),
                    vote.to_owned(),
                    v.reason.clone().unwrap_or_else(|| "-".into()),
                ]
            }),
        );
        section(
            "escalations",
            &["AT", "KIND", "STEP", "TO", "SLA"],
            self.escalations.iter().map(|e| {
                let or_dash = |text: &Option<String>| text.clone().unwrap_or_else(|| "-".into());
                vec![since(e.at_millis), or_dash(&e.kind), e.step.clone(), or_dash(&e.to), or_dash(&e.sla)]
            }),
        );
        say!("\nSLA: {}", self.sla_line());
    }

    /// `met`, or `breached: <scope> <sla> (<action>), …`.
    pub(super) fn sla_line(&self) -> String {
        if !self.sla.breached && self.sla.breaches.is_empty() {
            return "met (no breach recorded)".to_owned();
        }
        let field = |entry: &Value, name: &str| entry.get(name).and_then(Value::as_str).unwrap_or("?").to_owned();
        let breaches: Vec<String> = self
            .sla
            .breaches
            .iter()
            .map(|b| format!("{} {} ({})", field(b, "scope"), field(b, "sla"), field(b, "action")))
            .collect();
        if breaches.is_empty() { "breached".to_owned() } else { format!("breached: {}", breaches.join(", ")) }
    }
}
