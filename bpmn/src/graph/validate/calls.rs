//! Checks on call activities: Zeebe reads the called process from `zeebe:calledElement`.

use super::super::Scope;
use super::{Code, Report, ValidationOptions};
use crate::model::{Definitions, FlowNodeKind};

/// `called-element-missing` and `unknown-called-process`.
pub(super) fn check(
    definitions: &Definitions,
    scope: &Scope<'_>,
    options: &ValidationOptions,
    report: &mut Report<'_>,
) {
    for node in scope.nodes() {
        let FlowNodeKind::CallActivity(call) = &node.kind else { continue };
        let id = node.id();
        let process_id = node.common.extensions().called_element().map(|called| called.process_id.trim());
        let Some(process_id) = process_id.filter(|process_id| !process_id.is_empty()) else {
            let hint = match &call.called_element {
                Some(plain) => format!(" (the plain calledElement `{plain}` is ignored by Zeebe)"),
                None => String::new(),
            };
            let message = format!(
                "call activity `{id}` does not say which process to call{hint}; add zeebe:calledElement with a \
                 processId"
            );
            report.push(Code::CalledElementMissing, id, node.common.location, message);
            continue;
        };
        let Some(known) = &options.known_processes else { continue };
        if process_id.starts_with('=') || known.contains(process_id) || definitions.process(process_id).is_some() {
            continue;
        }
        let message = format!(
            "call activity `{id}` calls process `{process_id}`, which is not among the known processes; deploy a \
             process with that id or correct the processId"
        );
        report.push(Code::UnknownCalledProcess, id, node.common.location, message);
    }
}
