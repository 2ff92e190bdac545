//! The stored form of a deployed process: the resource it was deployed from plus the key,
//! version and checksum it got, so reading the record recompiles the same process.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ProcessRecord;
use crate::model::{ExecutableProcess, checksum, compile_definitions};

/// A `PROCESS CREATED` record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredProcess {
    /// The BPMN process id (a resource may hold several processes).
    pub bpmn_process_id: String,
    /// The process definition key.
    pub key: i64,
    /// The version.
    pub version: i32,
    /// The duplicate-detection checksum.
    pub checksum: u64,
    /// The resource name.
    pub resource_name: String,
    /// The resource: its text when it is UTF-8 (BPMN XML almost always is), else its bytes.
    pub resource: ResourceContent,
    /// A checksum of the compiled process's node and flow ids in order: records address nodes
    /// and flows by index, so a recompiled process must have exactly this shape.
    pub shape: u64,
}

/// The content of a deployed resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceContent {
    /// UTF-8 text.
    Text(String),
    /// Any other bytes.
    Bytes(Vec<u8>),
}

impl From<ProcessRecord> for StoredProcess {
    fn from(record: ProcessRecord) -> Self {
        let p = &record.process;
        let resource = match std::str::from_utf8(&p.resource) {
            Ok(text) => ResourceContent::Text(text.to_string()),
            Err(_) => ResourceContent::Bytes(p.resource.to_vec()),
        };
        Self {
            bpmn_process_id: p.bpmn_process_id.to_string(),
            key: p.key,
            version: p.version,
            checksum: p.checksum,
            resource_name: p.resource_name.to_string(),
            resource,
            shape: shape(p),
        }
    }
}

impl TryFrom<StoredProcess> for ProcessRecord {
    type Error = String;

    /// Recompiles the stored resource and gives the process its stored key, version, checksum.
    fn try_from(stored: StoredProcess) -> Result<Self, String> {
        let bytes: Arc<[u8]> = match stored.resource {
            ResourceContent::Text(text) => Arc::from(text.into_bytes()),
            ResourceContent::Bytes(bytes) => Arc::from(bytes),
        };
        let name = &stored.resource_name;
        let id = &stored.bpmn_process_id;
        let definitions = bpmn::read::read(&bytes)
            .map_err(|e| format!("the stored resource '{name}' of process '{id}' no longer reads: {e}"))?;
        let compiled = compile_definitions(&definitions, name).map_err(|errors| {
            format!("the stored resource '{name}' of process '{id}' no longer compiles: {}", errors.join("; "))
        })?;
        let process = compiled
            .processes
            .into_iter()
            .find(|p| &*p.bpmn_process_id == id.as_str())
            .ok_or_else(|| format!("the stored resource '{name}' has no executable process '{id}'"))?;
        if shape(&process) != stored.shape {
            return Err(format!(
                "recompiling the stored resource '{name}' gave a process '{id}' with other elements than the deployed one (the BPMN reader or compiler changed); open the log with the engine version that wrote it"
            ));
        }
        let mut process = ExecutableProcess {
            key: stored.key,
            version: stored.version,
            checksum: stored.checksum,
            resource: bytes,
            ..process
        };
        process.fill_job_templates();
        Ok(ProcessRecord { process: Arc::new(process) })
    }
}

/// The checksum of a process's node and flow ids, in index order.
fn shape(process: &ExecutableProcess) -> u64 {
    let mut ids = String::new();
    for id in process.nodes.iter().map(|n| &n.id).chain(process.flows.iter().map(|f| &f.id)) {
        ids.push_str(id);
        ids.push('\n');
    }
    checksum(ids.as_bytes())
}
