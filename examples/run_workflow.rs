//! The project's main demo: compile YAML workflows, deploy them to the embedded engine and run
//! one to its end with dry-run job workers (they print what they would do and change nothing).
//!
//! ```text
//! cargo run --example run_workflow -- ../shared/corpus/seed-workflows \
//!     --process wf3-branch-creation --var WORK_TYPE=feature --var WORK_ITEM_ID=WI-42 --var DESCRIPTION="Dark mode"
//! ```
//!
//! Exit codes: 0 the workflow completed, 1 it did not (incident, waiting, step limit), 2 the
//! command line, the files or the compiler stopped it.

use std::process::ExitCode;

use persona_orchestrator::run_workflow::{parse_args, run};

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(|options| run(&options, &mut std::io::stdout().lock()));
    match result {
        Ok(summary) if summary.completed() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
