//! The 32 seed workflows as differential cases: all compiled together by `yaml-to-bpmn`, all
//! deployed in each case (they call each other), each started with the inputs of
//! `support::seed_scenarios` and worked with its scripted step outputs, to its end.

use std::sync::Arc;

use serde_json::json;

use super::case::{Case, JobView, Reply, Step, vars};
use crate::support::seed_scenarios::{Expect, compile_seed_workflows, scenarios, scripted_outputs, step_outputs};

/// Jobs plus timer jumps after which a run stops: more than the longest finite run (wf9's 24
/// monitoring rounds inside a persona) needs.
const LIMIT: usize = 400;

/// wf0 never ends (survey D16: its review loop waits for a flag nothing sets); both engines
/// stop after this many steps and must agree on everything up to there.
const ENDLESS_LIMIT: usize = 40;

/// One case per seed workflow, in file order.
pub fn cases() -> Vec<Case> {
    let (_, outcome) = compile_seed_workflows();
    let resources: Vec<(String, String)> = outcome
        .workflows
        .iter()
        .map(|w| (format!("{}.bpmn", w.id), yaml_to_bpmn::output::to_xml(&w.definitions)))
        .collect();
    let outputs = Arc::new(step_outputs());
    let replies = Arc::new(move |job: &JobView| {
        let step = job.step_id.unwrap_or_default();
        Reply::Complete(scripted_outputs(&outputs, job.process_id, step).cloned().unwrap_or_default())
    });
    scenarios()
        .into_iter()
        .map(|scenario| {
            let limit = if matches!(scenario.expect, Expect::LoopsForever { .. }) { ENDLESS_LIMIT } else { LIMIT };
            Case {
                name: scenario.id.to_owned(),
                resources: resources.clone(),
                steps: vec![
                    Step::Start {
                        process: scenario.id.to_owned(),
                        variables: vars(json!({"inputs": scenario.inputs})),
                    },
                    Step::RunToEnd { limit },
                ],
                replies: replies.clone(),
            }
        })
        .collect()
}
