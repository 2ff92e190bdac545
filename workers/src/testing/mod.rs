//! Test support for handler authors: a [`job`] to feed a handler, and a [`Capture`] of what it
//! logged. Public so that crates with handlers of their own test them the same way.

mod log;

use std::collections::BTreeMap;

use chrono::DateTime;
use serde_json::Value;

pub use log::{Capture, Logged};

use crate::job::{Job, Variables};

/// A job of `job_type` for element `task-1` of process `proc` (job key 1, instance key 4,
/// 3 retries) with the given headers and variables (a non-object `variables` gives none).
pub fn job(job_type: &str, headers: &[(&str, &str)], variables: Value) -> Job {
    Job {
        job_type: job_type.into(),
        key: 1,
        element_id: "task-1".into(),
        element_instance_key: 2,
        bpmn_process_id: "proc".into(),
        process_definition_key: 3,
        process_instance_key: 4,
        variables: match variables {
            Value::Object(map) => map,
            _ => Variables::new(),
        },
        custom_headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<BTreeMap<_, _>>(),
        retries: 3,
        deadline: DateTime::UNIX_EPOCH,
        worker: "test".into(),
    }
}
