//! [`Origin`]: what a command of [`EngineCore`] was caused by, cheap to hand around; it becomes
//! a [`Cause`] only when the record sink keeps log entries.

use std::sync::Arc;

use super::EngineCore;
use crate::record::Cause;

/// The cause of a command, before it is spelled out.
pub(crate) enum Origin {
    /// An API call by its name (`CreateProcessInstance`, ...).
    Api(&'static str),
    /// A job worker's call: the call's name and the worker's name. An empty name (a job that
    /// no worker activated) makes it an API call.
    Worker(&'static str, Arc<str>),
    /// Something fell due.
    Timer,
}

impl EngineCore {
    /// Names the caller of the API calls that follow (for example `orchestrator cli`); it is
    /// stored in their log entries' [`Cause::Api`]. `None` (the default) stores none.
    pub fn set_client(&mut self, client: Option<String>) {
        self.client = client;
    }

    /// Starts the log entry of a command (a no-op when the sink keeps no entries).
    pub(super) fn begin(&mut self, origin: Origin) {
        if !self.m.entry_sink {
            return;
        }
        let cause = match origin {
            Origin::Api(call) => Cause::Api { call: call.to_string(), client: self.client.clone() },
            Origin::Worker(call, name) if name.is_empty() => {
                Cause::Api { call: call.to_string(), client: self.client.clone() }
            }
            Origin::Worker(call, name) => Cause::Worker { name: name.to_string(), call: call.to_string() },
            Origin::Timer => Cause::Timer,
        };
        self.m.begin_entry(&cause);
    }
}
