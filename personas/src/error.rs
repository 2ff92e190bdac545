//! [`RegistryError`]: everything the registry refuses or fails at, each message saying what to do.

use crate::money::Money;

/// The BPMN error code the runtime throws when a call would pass a spend limit; the workflows
/// catch it and escalate.
pub const SPEND_LIMIT_EXCEEDED: &str = "SPEND_LIMIT_EXCEEDED";

/// Why a registry operation did not happen. Every refusal leaves the registry as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The input is not acceptable (a negative limit, a bad name, a capacity of 0, ...).
    #[error("{0}")]
    Invalid(String),
    /// The persona type is not in the store's catalogue.
    #[error("{message}")]
    UnknownType {
        /// The id asked for.
        id: String,
        /// What is wrong and what to do, with the closest known id when there is one.
        message: String,
    },
    /// No instance answers to the reference.
    #[error("no persona instance {reference}: `orchestrator personas list` shows them")]
    UnknownInstance {
        /// The reference as given (an id or a name).
        reference: String,
    },
    /// A name that several instances (in different projects) carry.
    #[error(
        "the name `{name}` is used in {count} projects ({projects}); name the project (--project ORG/PROJECT) or use the instance id ({ids})",
        count = projects.len(), projects = projects.join(", "), ids = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    )]
    AmbiguousName {
        /// The name.
        name: String,
        /// The projects it is used in.
        projects: Vec<String>,
        /// The ids of the instances with the name.
        ids: Vec<i64>,
    },
    /// Another instance of the project already has the name.
    #[error("project {project} already has an instance named `{name}`; choose another name")]
    DuplicateName {
        /// The name.
        name: String,
        /// The project.
        project: String,
    },
    /// The instance belongs to another project already.
    #[error(
        "instance `{instance}` already belongs to project {current}; an instance works for one project only, so create another instance for {requested}"
    )]
    SecondProject {
        /// The instance's name.
        instance: String,
        /// The project it belongs to.
        current: String,
        /// The project asked for.
        requested: String,
    },
    /// The instance's status does not allow the operation.
    #[error("{0}")]
    WrongStatus(String),
    /// No open assignment, reservation or other record that the operation needs.
    #[error("{0}")]
    NotFound(String),
    /// The model has no price in the price table.
    #[error(
        "no price for model `{model}` in the price table; add it (price per 1k input and output tokens) to the registry's prices"
    )]
    NoPrice {
        /// The model.
        model: String,
    },
    /// The call would pass a spend limit: refused before the call (BPMN error
    /// [`SPEND_LIMIT_EXCEEDED`]).
    #[error(
        "instance `{instance}` would pass its {period} spend limit of {limit}: {spent} spent, {reserved} set aside for calls in flight, this call needs up to {needed}; raise the limit (`orchestrator personas update {instance} --{period}-limit …`) or wait for the next {unit}",
        unit = if *period == "daily" { "day" } else { "month" }
    )]
    SpendLimitExceeded {
        /// The instance's name.
        instance: String,
        /// `daily` or `monthly`.
        period: &'static str,
        /// The limit.
        limit: Money,
        /// Spent in the period so far.
        spent: Money,
        /// Reserved for calls in flight.
        reserved: Money,
        /// The estimate of the refused call.
        needed: Money,
    },
    /// The store failed (or is not a registry store). The message names it and what to do.
    #[error("persona registry in '{location}': {message}")]
    Store {
        /// The store's file path, or its URL without the password.
        location: String,
        /// What went wrong and what to do.
        message: String,
    },
}

impl RegistryError {
    /// True when the caller's input was at fault (the CLI exits with 2), false when the
    /// registry or its store failed, or something asked for does not exist (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Self::Invalid(_)
                | Self::UnknownType { .. }
                | Self::AmbiguousName { .. }
                | Self::DuplicateName { .. }
                | Self::SecondProject { .. }
                | Self::WrongStatus(_)
                | Self::NoPrice { .. }
        )
    }

    /// The BPMN error code a runtime throws for this error, when it is one the workflows
    /// catch: [`SPEND_LIMIT_EXCEEDED`] for a refused call.
    pub fn bpmn_error_code(&self) -> Option<&'static str> {
        matches!(self, Self::SpendLimitExceeded { .. }).then_some(SPEND_LIMIT_EXCEEDED)
    }
}

/// Shorthand for registry results.
pub type Result<T, E = RegistryError> = std::result::Result<T, E>;
