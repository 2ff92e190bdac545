//! RACI and SLAs as `yaml-to-bpmn` compiles them, as differential cases: the governance samples
//! (`yaml-to-bpmn/tests/governance`, compiled with their persona catalogue) driven through a
//! hard SLA limit that rolls back, 2-of-3 approvals, a veto, an auto-approval and a phase SLA
//! breach that escalates while the work goes on. `tests/governance_on_engine.rs` asserts what
//! each of these does on the embedded engine; here both engines must end them the same way.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::case::{Case, JobView, Replies, Reply, Step, vars};
use crate::support::{compile_folder, workspace_root};

/// Jobs plus timer jumps after which a run stops: far more than the longest run here needs
/// (the governed sample has about 15 jobs).
const LIMIT: usize = 60;

const HOUR: Duration = Duration::from_secs(3600);

/// The case where the hotfix sample breaches its workflow SLA.
pub const HOTFIX_BREACH: &str =
    "sample-hotfix breaches its 4h SLA: the wait stops, the breach is escalated and rolled back";

/// The case where the project's wf2-hotfix breaches its 4h limit.
pub const WF2_BREACH: &str = "wf2-hotfix runs out of its 4h while the fix is written: it stops and rolls back";

/// The case where the governed sample's development phase breaches its SLA.
pub const PHASE_BREACH: &str = "sample-governed: the development phase breaches its 3d SLA and the work goes on";

/// One case per governance scenario.
pub fn cases() -> Vec<Case> {
    let samples = compiled("yaml-to-bpmn/tests/governance");
    let case = |name: &str, steps: Vec<Step>, replies: Replies| Case {
        name: name.to_owned(),
        resources: samples.clone(),
        steps,
        replies,
    };
    let governed = || start("sample-governed", json!({"WORK_ITEM_ID": "WI-7"}));
    let hold_the_build = {
        let team = team(false, approve);
        Arc::new(move |job: &JobView| if job.element_id == "build" { Reply::Leave } else { team(job) })
    };
    vec![
        // The SLA timer (4h) is due before the soak wait (5h): it interrupts the instance, which
        // records the breach, escalates and calls the rollback instead of finishing the wait.
        case(
            HOTFIX_BREACH,
            vec![
                start("sample-hotfix", json!({"INCIDENT_ID": "INC-1"})),
                Step::Work,
                Step::Advance(4 * HOUR),
                Step::RunToEnd { limit: LIMIT },
            ],
            team(false, approve),
        ),
        // The third vote is never cast: the second approval completes the approval.
        case(
            "sample-governed: two of three approve, the third vote is cancelled",
            vec![governed(), Step::RunToEnd { limit: LIMIT }],
            team(false, |approver| if approver == "security-architect" { Reply::Leave } else { approve(approver) }),
        ),
        // The architect approves first; the veto completes the approval before the manager's
        // approval (which would have been the second) counts.
        case(
            "sample-governed: the security architect's veto rejects at once",
            vec![governed(), Step::RunToEnd { limit: LIMIT }],
            team(false, |approver| {
                if approver == "security-architect" {
                    complete(json!({"approved": false, "veto": true, "reason": "secrets in the logs"}))
                } else {
                    approve(approver)
                }
            }),
        ),
        case(
            "sample-governed: a small change is auto-approved, nobody votes",
            vec![governed(), Step::RunToEnd { limit: LIMIT }],
            team(true, approve),
        ),
        // The build runs past the development phase's 3-day SLA: the breach is recorded and
        // escalated, the build then finishes and the workflow goes on to its end.
        case(
            PHASE_BREACH,
            vec![
                governed(),
                Step::Work,
                Step::Advance(72 * HOUR),
                Step::Work,
                Step::Answer { element: "build".into(), reply: complete(json!({"BUILD_OK": true})) },
                Step::RunToEnd { limit: LIMIT },
            ],
            hold_the_build,
        ),
        // The project's own hotfix: the senior developer is still writing the fix when the four
        // hours run out; the SLA interrupts the workflow and the persona instance it called,
        // records and escalates the breach and runs wf11-rollback, whose approval is given.
        Case {
            name: WF2_BREACH.to_owned(),
            resources: compiled("workflows"),
            steps: vec![
                start(
                    "wf2-hotfix",
                    json!({"INCIDENT_ID": "INC-42", "HOTFIX_SLUG": "db-pool", "ROLLBACK_FIRST": false}),
                ),
                Step::Work,
                Step::Advance(4 * HOUR),
                Step::RunToEnd { limit: LIMIT },
            ],
            replies: Arc::new(|job: &JobView| match (job.process_id, job.step_id.unwrap_or_default()) {
                ("persona-senior-developer", "assess-task") => complete(json!({
                    "WORK_KIND": "implement",
                    "BRANCH_NAME": "hotfix/INC-42-db-pool",
                    "PLAN": "return the pool's connections on every error path",
                })),
                ("persona-senior-developer", "write-change") => Reply::Leave,
                _ if job.element_id.ends_with("__approve") => approve("on-call"),
                _ => complete(json!({})),
            }),
        },
    ]
}

/// The workflows below `folder` (relative to the workspace), compiled together, as resources.
fn compiled(folder: &str) -> Vec<(String, String)> {
    let (_, outcome) = compile_folder(&workspace_root().join(folder));
    outcome.workflows.iter().map(|w| (format!("{}.bpmn", w.id), yaml_to_bpmn::output::to_xml(&w.definitions))).collect()
}

fn start(process: &str, inputs: Value) -> Step {
    Step::Start { process: process.to_owned(), variables: vars(json!({ "inputs": inputs })) }
}

fn complete(variables: Value) -> Reply {
    Reply::Complete(vars(variables))
}

fn approve(approver: &str) -> Reply {
    complete(json!({"approved": true, "veto": false, "reason": format!("fine by {approver}")}))
}

/// The team of the samples: the design is small or not as `small_change` says, builds pass,
/// consulted personas advise, each approver votes as `vote` says, and every other job (the
/// escalations, notifications, the rollback) completes without variables.
fn team(small_change: bool, vote: fn(&str) -> Reply) -> Replies {
    Arc::new(move |job: &JobView| {
        let variable = |name: &str| job.variables.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
        match job.element_id {
            "design__consult" => complete(json!({"advice": format!("advice from {}", variable("consultant"))})),
            "design__work" => complete(json!({"SMALL_CHANGE": small_change})),
            "build" => complete(json!({"BUILD_OK": true})),
            "review__approve" => vote(&variable("approver")),
            "plan" => complete(json!({"NEXT": "code"})),
            _ => complete(json!({})),
        }
    })
}
