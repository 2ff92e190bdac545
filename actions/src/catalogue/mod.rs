//! The catalogue: one file per built-in action, listed once below. Each file gives the action's
//! [`ActionSpec`] (`spec()`), and with feature `run` the handler that performs it for real
//! (`handler(&Settings)`, `None` when only a person, a dry run or a simulation can do it).
//!
//! Adding an action is one new file here plus its name in the `catalogue!` line.

#[cfg(feature = "run")]
use std::sync::Arc;

#[cfg(feature = "run")]
use workers::JobHandler;

use crate::spec::ActionSpec;
#[cfg(feature = "run")]
use crate::{Settings, SettingsError};

macro_rules! catalogue {
    ($($action:ident),* $(,)?) => {
        $(pub mod $action;)*

        /// Every built-in action, in catalogue order.
        pub fn specs() -> Vec<ActionSpec> {
            vec![$($action::spec()),*]
        }

        /// Each action's job type and its real handler under `settings` (`None` where the
        /// settings give it none, or where only a person can do it).
        #[cfg(feature = "run")]
        pub(crate) fn real_handlers(
            settings: &Settings,
        ) -> Result<Vec<(ActionSpec, Option<Arc<dyn JobHandler>>)>, SettingsError> {
            Ok(vec![$(($action::spec(), $action::handler(settings)?)),*])
        }
    };
}

/// The `handler` of an action that only a person, a dry run or a simulation performs.
#[cfg(feature = "run")]
pub(crate) fn no_real_handler(_settings: &Settings) -> Result<Option<Arc<dyn JobHandler>>, SettingsError> {
    Ok(None)
}

// One action a line (kept so by `rustfmt::skip`), so adding one is a one-line change.
#[rustfmt::skip]
catalogue![
    shell_command,
    llm,
    agent,
    git_operation,
    azure_devops,
    github,
    notify,
    log,
    set_variable,
    approve,
    consult,
    escalate,
];
