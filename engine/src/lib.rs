//! An in-process BPMN engine with Zeebe semantics.
//!
//! Deploy a [`bpmn::Definitions`] (or BPMN XML), start instances, and drive them with the job,
//! message, signal, timer and incident commands Zeebe's gateway offers. [`EngineCore`] is the
//! synchronous, single-threaded core; [`Engine`] shares it with a tokio service and lets workers
//! await jobs. [`testing`] is a process test harness in the style of zeebe-process-test.
//!
//! Every state change is a [`record::Record`] in Zeebe's vocabulary (`ELEMENT_ACTIVATING`,
//! `JOB CREATED`, ...); the state changes only by applying records, so a record log can rebuild
//! it. Records go to a [`store::RecordSink`] (by default one that keeps nothing). A durable engine
//! keeps them in a [`store::RecordStore`] and rebuilds itself with [`EngineCore::open`].
//!
//! ```
//! use engine::testing::{ProcessTest, model};
//!
//! let mut test = ProcessTest::new();
//! test.deploy(&model::service_task_process("order", "charge-card"));
//! let instance = test.start("order", serde_json::json!({"amount": 5}));
//! test.complete_job("charge-card", serde_json::json!({"paid": true}));
//! test.assert_completed(instance);
//! assert_eq!(test.variable(instance, "paid"), Some(serde_json::json!(true)));
//! ```

pub mod clock;
mod core;
mod engine;
pub mod error;
pub mod expression;
pub mod history;
pub mod model;
mod processing;
pub mod record;
pub mod state;
pub mod store;
pub mod testing;

pub use crate::core::{
    ActivateJobs, ActivatedJob, Deployment, ElementInstanceInfo, EngineCore, Incident, OpenReport,
    ProcessInstanceCreated, ProcessMetadata, PublishMessage, Rebuilt, ScheduledStart, UserTask, Variables,
    rebuild_state, scheduled_starts,
};
pub use crate::engine::Engine;
pub use clock::{Clock, SystemClock, VirtualClock};
pub use error::EngineError;
pub use record::{AdHocActivation, AdHocResult};

/// The job type of job-based user tasks.
pub const USER_TASK_JOB_TYPE: &str = "io.camunda.zeebe:userTask";
