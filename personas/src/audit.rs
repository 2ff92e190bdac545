//! The audit log: an append-only record of routing decisions, approvals, vetoes, escalations, SLA
//! breaches, spend and changes to instances, queryable by instance, workflow instance and time.
//!
//! The registry writes the routing, spend and instance-change entries itself, in the same
//! transaction as what they record; the runtime adds the others with
//! [`Registry::record`](crate::Registry::record). The store refuses to update or delete an entry
//! (a trigger on both backends).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

use crate::db::{Arg, Tx, args, tuples};
use crate::error::{RegistryError, Result};
use crate::model::InstanceRef;

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditKind {
    /// A job was given to an instance, or left waiting (with the candidates and why).
    Routing,
    /// An approver approved (or rejected) a step.
    Approval,
    /// An approver vetoed a step.
    Veto,
    /// Work was escalated (RACI escalation, loop limit, spend limit).
    Escalation,
    /// An SLA passed.
    SlaBreach,
    /// Money was charged, or a call refused for its spend limit.
    Spend,
    /// An instance was created, changed, paused, resumed, retired, assigned, or had its work taken
    /// back.
    InstanceChange,
}

impl AuditKind {
    /// Every kind, in the order above.
    pub const ALL: [AuditKind; 7] = [
        AuditKind::Routing,
        AuditKind::Approval,
        AuditKind::Veto,
        AuditKind::Escalation,
        AuditKind::SlaBreach,
        AuditKind::Spend,
        AuditKind::InstanceChange,
    ];

    /// The kind as the store and the CLI write it (`sla-breach`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Routing => "routing",
            AuditKind::Approval => "approval",
            AuditKind::Veto => "veto",
            AuditKind::Escalation => "escalation",
            AuditKind::SlaBreach => "sla-breach",
            AuditKind::Spend => "spend",
            AuditKind::InstanceChange => "instance-change",
        }
    }

    /// True for the kinds only the registry writes (so they always match what it did).
    fn written_by_registry(self) -> bool {
        matches!(self, AuditKind::Routing | AuditKind::Spend | AuditKind::InstanceChange)
    }
}

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditKind {
    type Err = RegistryError;

    fn from_str(text: &str) -> Result<Self> {
        AuditKind::ALL.into_iter().find(|kind| kind.as_str() == text).ok_or_else(|| {
            let known: Vec<&str> = AuditKind::ALL.iter().map(|kind| kind.as_str()).collect();
            RegistryError::Invalid(format!("`{text}` is not an audit kind; use one of {}", known.join(", ")))
        })
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// 1, 2, 3, ...: the order entries were written in.
    pub id: i64,
    /// When (epoch ms, on the registry's clock).
    pub at_millis: i64,
    /// What it records.
    pub kind: AuditKind,
    /// The instance concerned, if any.
    pub instance_id: Option<i64>,
    /// That instance's name.
    pub instance_name: Option<String>,
    /// The workflow (process) instance concerned, if any.
    pub workflow_instance: Option<i64>,
    /// The BPMN element concerned, if any.
    pub element_id: Option<String>,
    /// The job concerned, if any.
    pub job_key: Option<i64>,
    /// The particulars (a JSON object; its fields depend on the kind).
    pub details: Value,
}

/// An event for the runtime to record: an approval, veto, escalation or SLA breach.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// What happened.
    pub kind: AuditKind,
    /// The instance concerned, if any.
    pub instance: Option<InstanceRef>,
    /// The workflow instance.
    pub workflow_instance: Option<i64>,
    /// The BPMN element.
    pub element_id: Option<String>,
    /// The job.
    pub job_key: Option<i64>,
    /// The particulars, a JSON object.
    pub details: Value,
}

/// Which audit entries to read; every field left empty matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    /// Only entries about this instance.
    pub instance: Option<InstanceRef>,
    /// Only entries about this workflow instance.
    pub workflow_instance: Option<i64>,
    /// Only entries at or after this time (epoch ms).
    pub since_millis: Option<i64>,
    /// Only entries before this time (epoch ms).
    pub until_millis: Option<i64>,
    /// Only entries of these kinds (empty: all kinds).
    pub kinds: Vec<AuditKind>,
    /// Only the newest this many (still returned oldest first).
    pub limit: Option<u32>,
}

/// An entry to append, inside the transaction of what it records.
pub(crate) struct Append<'a> {
    pub kind: AuditKind,
    pub instance_id: Option<i64>,
    pub workflow_instance: Option<i64>,
    pub element_id: Option<&'a str>,
    pub job_key: Option<i64>,
    /// A JSON object, as text (routing's entries are written once, at their decision).
    pub details: Cow<'a, str>,
}

impl Append<'_> {
    /// An entry about `instance_id` with only `details`.
    pub(crate) fn about(kind: AuditKind, instance_id: i64, details: Value) -> Self {
        Append {
            kind,
            instance_id: Some(instance_id),
            workflow_instance: None,
            element_id: None,
            job_key: None,
            details: details.to_string().into(),
        }
    }

    /// Appends the entry at `now`; returns its id.
    pub(crate) async fn write(self, tx: &mut Tx, now: i64) -> Result<i64> {
        let row = tx
            .fetch_one(&format!("INSERT INTO {APPEND_INTO} VALUES {} RETURNING id", tuples(1, 1, 7)), &self.args(now))
            .await?;
        Ok(row.get("id")?)
    }

    /// The entry's values, in the order of [`APPEND_INTO`].
    fn args(&self, now: i64) -> [Arg; 7] {
        args![
            now,
            self.kind.as_str(),
            self.instance_id,
            self.workflow_instance,
            self.element_id,
            self.job_key,
            self.details.as_ref()
        ]
    }
}

/// The audit table and the columns an entry is appended with.
const APPEND_INTO: &str = "persona_audit (at, kind, instance_id, workflow_instance, element_id, job_key, details)";

/// Appends `entries` at `now` in one statement (routing's group commit).
pub(crate) async fn append_all(tx: &mut Tx, entries: &[Append<'_>], now: i64) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows: Vec<[Arg; 7]> = entries.iter().map(|entry| entry.args(now)).collect();
    tx.fetch_rows(&[], &rows, |rows| format!("INSERT INTO {APPEND_INTO} VALUES {rows}")).await?;
    Ok(())
}

/// Checks an event the runtime wants recorded.
pub(crate) fn check_event(event: &AuditEvent) -> Result<()> {
    if event.kind.written_by_registry() {
        return Err(RegistryError::Invalid(format!(
            "`{}` entries are written by the registry itself, with what they record; record approvals, vetoes, escalations and SLA breaches",
            event.kind
        )));
    }
    if !event.details.is_object() {
        return Err(RegistryError::Invalid("the details of an audit event must be a JSON object".into()));
    }
    Ok(())
}

/// Reads the entries matching `query` (the instance already resolved to `instance_id`).
pub(crate) async fn read(tx: &mut Tx, query: &AuditQuery, instance_id: Option<i64>) -> Result<Vec<AuditEntry>> {
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<Arg> = Vec::new();
    let mut condition = |sql: &str, value: Arg| {
        values.push(value);
        conditions.push(sql.replace('?', &format!("${}", values.len())));
    };
    if let Some(id) = instance_id {
        condition("a.instance_id = ?", id.into());
    }
    if let Some(key) = query.workflow_instance {
        condition("a.workflow_instance = ?", key.into());
    }
    if let Some(since) = query.since_millis {
        condition("a.at >= ?", since.into());
    }
    if let Some(until) = query.until_millis {
        condition("a.at < ?", until.into());
    }
    if !query.kinds.is_empty() {
        let mut placeholders = Vec::new();
        for kind in &query.kinds {
            values.push(kind.as_str().into());
            placeholders.push(format!("${}", values.len()));
        }
        conditions.push(format!("a.kind IN ({})", placeholders.join(", ")));
    }
    let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let limit = query.limit.map_or_else(String::new, |n| format!("LIMIT {n}"));
    let sql = format!(
        "SELECT a.id, a.at, a.kind, a.instance_id, i.name, a.workflow_instance, a.element_id, a.job_key, a.details \
         FROM persona_audit a LEFT JOIN persona_instance i ON i.id = a.instance_id {filter} ORDER BY a.id DESC {limit}"
    );
    let rows = tx.fetch_all(&sql, &values).await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows.iter().rev() {
        let kind: String = row.get("kind")?;
        let details: String = row.get("details")?;
        let damaged = |what: String| RegistryError::Store {
            location: row.location().to_owned(),
            message: format!("an audit entry holds {what}; restore the store from a backup"),
        };
        entries.push(AuditEntry {
            id: row.get("id")?,
            at_millis: row.get("at")?,
            kind: kind.parse().map_err(|_| damaged(format!("the kind `{kind}`")))?,
            instance_id: row.get("instance_id")?,
            instance_name: row.get("name")?,
            workflow_instance: row.get("workflow_instance")?,
            element_id: row.get("element_id")?,
            job_key: row.get("job_key")?,
            details: serde_json::from_str(&details).map_err(|e| damaged(format!("details that are not JSON ({e})")))?,
        });
    }
    Ok(entries)
}
