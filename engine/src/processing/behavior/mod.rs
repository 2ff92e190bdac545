//! Named behaviours shared by the element processors, so each processor reads as a sentence of
//! these verbs: transitions (flows, scope completion), variables (mappings, propagation), jobs,
//! incidents, events (subscriptions and triggers), catch search (errors, escalations),
//! multi-instance, messages and user tasks.

pub(crate) mod catch_search;
pub(crate) mod events;
pub(crate) mod incidents;
pub(crate) mod jobs;
pub(crate) mod messages;
pub(crate) mod multi_instance;
pub(crate) mod transitions;
pub(crate) mod user_tasks;
pub(crate) mod variables;
