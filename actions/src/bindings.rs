//! [`bindings`]: the handler of every action's job type, built from the catalogue.

use std::sync::Arc;

use workers::JobHandler;

use crate::catalogue::real_handlers;
use crate::settings::{Settings, SettingsError};
use crate::spec::ActionSpec;

/// One action's job type and the handler that takes its jobs.
pub struct Binding {
    /// The action.
    pub spec: ActionSpec,
    /// Its handler: the real one, or the fallback.
    pub handler: Arc<dyn JobHandler>,
    /// True when [`handler`](Self::handler) performs the action for real.
    pub real: bool,
}

/// For each action of the catalogue, its real handler where `settings` give it one and `real`
/// wants it (`real(spec)`), else `fallback` (a dry run, a simulation, or a person's task list).
pub fn bindings(
    settings: &Settings,
    fallback: &Arc<dyn JobHandler>,
    real: impl Fn(&ActionSpec) -> bool,
) -> Result<Vec<Binding>, SettingsError> {
    Ok(real_handlers(settings)?
        .into_iter()
        .map(|(spec, handler)| match handler.filter(|_| real(&spec)) {
            Some(handler) => Binding { spec, handler, real: true },
            None => Binding { spec, handler: fallback.clone(), real: false },
        })
        .collect())
}
