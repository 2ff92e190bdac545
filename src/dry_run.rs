//! What the compiled workflows' jobs would do, rendered as text instead of done: the scripted
//! workers of the demo print it, and the seed-workflow test checks that every job renders. The
//! rendering is the `actions` crate's dry-run handler ([`actions::describe_job`]),
//! which the `persona-worker` daemon also runs; this module applies it to the embedded engine's
//! jobs.

use engine::ActivatedJob;

/// One line (or, for a multi-line command, several) saying what the job would do.
pub fn describe_job(job: &ActivatedJob) -> String {
    actions::describe_job(&workers::Job::from(job.clone()))
}
