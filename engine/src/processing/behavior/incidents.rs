//! Incident behaviour: raise an incident on an element (or its job), resolve incidents.

use crate::processing::Machine;
use crate::processing::lifecycle::{Element, Failure};
use crate::record::{IncidentRecord, Intent, RecordValue};

/// Raises an incident on the element; `job_key` is the job it is about, or -1.
pub(crate) fn raise(m: &mut Machine, element: &Element, failure: Failure, job_key: i64) {
    let record = IncidentRecord {
        error_type: failure.error_type,
        error_message: failure.message,
        element_id: element.node().id.clone(),
        element_instance_key: element.key,
        process_instance_key: element.process_instance,
        job_key,
    };
    let key = m.key();
    m.write(key, Intent::IncidentCreated, RecordValue::Incident(record));
}

/// Resolves every open incident of an element instance (it is leaving).
pub(crate) fn resolve_all_of(m: &mut Machine, element_instance: i64) {
    let open: Vec<i64> =
        m.state.incidents.iter().filter(|(_, i)| i.element_instance_key == element_instance).map(|(k, _)| *k).collect();
    for key in open {
        if let Some(record) = m.state.incidents.get(&key).cloned() {
            m.write(key, Intent::IncidentResolved, RecordValue::Incident(record));
        }
    }
}
