//! The persona registry: one place for persona instances, the routing of persona jobs to them,
//! their spend, and the audit log.
//!
//! A persona *type* is a role from the catalogue (`workflows/personas/types.yaml`); the work is
//! done by *instances* of it. Each instance works for one project, has LLM providers in priority
//! order, daily and monthly spend limits, a capacity (concurrent tasks; 5 unless the type says
//! otherwise) and a priority, and is active, paused or retired.
//!
//! The registry lives in the engine's store (the same SQLite file or PostgreSQL database,
//! tables `persona_*`, with migrations of its own) and is reached through [`Registry`]:
//!
//! - persona types: [`Registry::load_types`], [`Registry::types`];
//! - instances: [`Registry::create_instance`], [`list`](Registry::list), [`get`](Registry::get),
//!   [`update`](Registry::update), [`pause`](Registry::pause), [`resume`](Registry::resume),
//!   [`retire`](Registry::retire), [`assign_project`](Registry::assign_project);
//! - routing ([`routing`]): [`Registry::route`], [`finish`](Registry::finish),
//!   [`reassign_open_work`](Registry::reassign_open_work), [`open_work`](Registry::open_work);
//! - spend ([`spend`]): [`Registry::reserve`], [`settle`](Registry::settle),
//!   [`release`](Registry::release), [`charge`](Registry::charge), priced by a [`PriceTable`]
//!   (the one price table); [`RegistryGate`] is the runtime's reserve-before, settle-after
//!   [`workers::SpendGate`] on them;
//! - pools ([`pool`]): [`Registry::reconcile_pool`] grows a [`PoolPolicy`]'s instances of one
//!   type in one project with the queue of held jobs (2 to 5 by default) and shrinks them back;
//! - the audit log ([`audit`]): [`Registry::audit`], [`record`](Registry::record);
//! - in a worker runtime, [`Routed`] ([`routed`]) routes each persona job around the handler
//!   that does its work.
//!
//! Every operation is one transaction: a refused one (bad input, [`RegistryError`]) changes
//! nothing. Times come from the [`engine::Clock`] the registry was opened with.
//!
//! ```no_run
//! # async fn demo() -> Result<(), personas::RegistryError> {
//! use std::sync::Arc;
//! use personas::{NewInstance, Project, Registry, RouteDecision, RouteRequest};
//!
//! let registry = Registry::open(".orchestrator/state.db", Arc::new(engine::SystemClock)).await?;
//! let project: Project = "acme/shop".parse()?;
//! let mut new = NewInstance::new("ada", "software-architect");
//! new.project = Some(project.clone());
//! registry.create_instance(new).await?;
//! let request = RouteRequest {
//!     job_key: 42,
//!     persona_type: "software-architect".into(),
//!     project,
//!     workflow_instance: None,
//!     element_id: Some("review-design".into()),
//! };
//! if let RouteDecision::Assigned(assignment) = registry.route(&request).await? {
//!     println!("{} takes job 42: {}", assignment.instance_name, assignment.reason);
//! }
//! # Ok(())
//! # }
//! ```

pub mod audit;
mod commit;
mod db;
mod error;
pub mod gate;
mod index;
mod lent;
mod migrate;
mod model;
mod money;
mod period;
pub mod pool;
mod registry;
pub mod routed;
pub mod routing;
pub mod spend;

pub use audit::{AuditEntry, AuditEvent, AuditKind, AuditQuery};
pub use error::{RegistryError, Result, SPEND_LIMIT_EXCEEDED};
pub use gate::RegistryGate;
pub use model::{
    Instance, InstanceChanges, InstanceRef, NewInstance, PersonaTypeInfo, Project, Provider, SUCCESS_WINDOW, Status,
};
pub use money::{Cost, ModelPrice, Money, PriceTable};
pub use pool::{PoolDecision, PoolMember, PoolPolicy, PoolStep, Queue};
pub use registry::{Registry, TypesLoaded};
pub use routed::{JobWatch, Routed};
pub use routing::{AssignedJob, Assignment, Candidate, Outcome, RouteDecision, RouteRequest};
pub use spend::{Charge, Reservation};
