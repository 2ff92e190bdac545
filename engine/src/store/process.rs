//! The stored form of a deployed process: the resource it was deployed from plus the key,
//! version and checksum it got, so reading the record recompiles the same process.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{ExecutableProcess, compile_definitions};
use crate::record::ProcessRecord;

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
