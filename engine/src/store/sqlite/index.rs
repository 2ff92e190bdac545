//! The [instance index](crate::store::instance_index) in the SQLite file: written in the append
//! transaction, filled from the log once for a file that predates it, read by `status`.

use sqlx::sqlite::SqliteRow;
use sqlx::{Connection, Row, SqliteConnection};

use super::batches;
use crate::store::format::{decode_entry, unpack_batch};
use crate::store::instance_index::{
    IndexLookup, IndexedInstance, InstanceCounts, InstanceOverview, Outcome, PlacedMark, marks_of_log, merge,
};

/// How many batches the fill reads at a time.
const FILL_PAGE: usize = 256;

/// Writes what `marks` change: new process definitions, and one upsert statement for all the
/// instance rows (its rows as one JSON parameter: one prepared statement whatever their number,
/// where a statement per row cost more than the append itself).
pub(super) async fn write(
    connection: &mut SqliteConnection,
    marks: impl IntoIterator<Item = PlacedMark>,
) -> sqlx::Result<()> {
    let (processes, rows) = merge(marks);
    for (definition_key, bpmn_process_id, version) in processes {
        sqlx::query(
            "INSERT OR IGNORE INTO process_definition (definition_key, bpmn_process_id, version) VALUES (?, ?, ?)",
        )
        .bind(definition_key)
        .bind(bpmn_process_id)
        .bind(version)
        .execute(&mut *connection)
        .await?;
    }
    if rows.is_empty() {
        return Ok(());
    }
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            let started = row.started.map(|(definition, position, at)| [definition, position, at]);
            let ended = row.ended.map(|(outcome, position, at)| (outcome.as_str(), position, at));
            serde_json::json!([
                row.key,
                started.map(|s| s[0]),
                started.map(|s| s[1]),
                started.map(|s| s[2]),
                ended.map(|e| e.1),
                ended.map(|e| e.2),
                ended.map(|e| e.0),
                row.incidents,
            ])
        })
        .collect();
    sqlx::query(
        "INSERT INTO process_instance_index \
         (instance_key, definition_key, started_position, started_at, ended_position, ended_at, outcome, open_incidents) \
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
         json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), \
         json_extract(value, '$[6]'), json_extract(value, '$[7]') FROM json_each(?) WHERE true \
         ON CONFLICT (instance_key) DO UPDATE SET \
         definition_key = COALESCE(excluded.definition_key, definition_key), \
         started_position = COALESCE(excluded.started_position, started_position), \
         started_at = COALESCE(excluded.started_at, started_at), \
         ended_position = COALESCE(excluded.ended_position, ended_position), \
         ended_at = COALESCE(excluded.ended_at, ended_at), \
         outcome = COALESCE(excluded.outcome, outcome), \
         open_incidents = open_incidents + excluded.open_incidents",
    )
    .bind(serde_json::Value::Array(rows).to_string())
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Fills the index from the log when the file's log predates it (once, in one transaction).
pub(super) async fn fill(connection: &mut SqliteConnection) -> Result<(), String> {
    if is_filled(connection).await.map_err(|e| super::describe(&e))? {
        return Ok(());
    }
    let mut transaction = connection.begin().await.map_err(|e| super::describe(&e))?;
    let mut from = 1;
    loop {
        let page = batches(&mut transaction, from, i64::MAX, FILL_PAGE).await.map_err(|e| super::describe(&e))?;
        let Some(last) = page.last() else { break };
        from = last.last_position() + 1;
        let mut entries = Vec::new();
        for batch in &page {
            for stored in unpack_batch(batch.first_position, &batch.bytes)? {
                entries.push(decode_entry(&stored)?);
            }
        }
        write(&mut transaction, marks_of_log(&entries)).await.map_err(|e| super::describe(&e))?;
    }
    sqlx::query("UPDATE engine_meta SET instances_indexed = 1 WHERE id = 1")
        .execute(&mut *transaction)
        .await
        .map_err(|e| super::describe(&e))?;
    transaction.commit().await.map_err(|e| super::describe(&e))
}

/// Deletes the rows of `keys`.
pub(super) async fn forget(connection: &mut SqliteConnection, keys: &[i64]) -> sqlx::Result<()> {
    let mut transaction = connection.begin().await?;
    for key in keys {
        sqlx::query("DELETE FROM process_instance_index WHERE instance_key = ?")
            .bind(key)
            .execute(&mut *transaction)
            .await?;
    }
    transaction.commit().await
}

/// The columns of an [`IndexedInstance`], with its process's id and version.
const SELECT: &str = "SELECT i.instance_key, COALESCE(d.bpmn_process_id, '') AS bpmn_process_id, \
    COALESCE(d.version, 0) AS version, COALESCE(i.definition_key, 0) AS definition_key, i.outcome, \
    i.open_incidents, COALESCE(i.started_at, 0) AS started_at, COALESCE(i.started_position, 0) AS started_position, \
    i.ended_at, i.ended_position \
    FROM process_instance_index i LEFT JOIN process_definition d ON d.definition_key = i.definition_key";

/// Every running instance, the `newest_ended` newest ended ones and the counts; `None` before
/// the index is filled.
pub(super) async fn overview(
    connection: &mut SqliteConnection,
    newest_ended: usize,
) -> sqlx::Result<Option<InstanceOverview>> {
    if !is_filled(connection).await? {
        return Ok(None);
    }
    let mut counts = InstanceCounts::default();
    let rows: Vec<(Option<String>, i64)> =
        sqlx::query_as("SELECT outcome, COUNT(*) FROM process_instance_index GROUP BY outcome")
            .fetch_all(&mut *connection)
            .await?;
    for (outcome, count) in rows {
        let count = u64::try_from(count).unwrap_or_default();
        match outcome.as_deref().and_then(Outcome::parse) {
            None => counts.active += count,
            Some(Outcome::Completed) => counts.completed += count,
            Some(Outcome::Terminated) => counts.terminated += count,
        }
    }
    let active = sqlx::query(&format!("{SELECT} WHERE i.ended_position IS NULL ORDER BY i.instance_key"))
        .fetch_all(&mut *connection)
        .await?;
    let ended = sqlx::query(&format!(
        "{SELECT} WHERE i.ended_position IS NOT NULL ORDER BY i.ended_position DESC, i.instance_key DESC LIMIT ?"
    ))
    .bind(i64::try_from(newest_ended).unwrap_or(i64::MAX))
    .fetch_all(&mut *connection)
    .await?;
    Ok(Some(InstanceOverview {
        counts,
        active: active.iter().map(instance).collect::<sqlx::Result<_>>()?,
        ended: ended.iter().map(instance).collect::<sqlx::Result<_>>()?,
    }))
}

/// One instance's row.
pub(super) async fn lookup(connection: &mut SqliteConnection, key: i64) -> sqlx::Result<IndexLookup> {
    if !is_filled(connection).await? {
        return Ok(IndexLookup::NotIndexed);
    }
    let row =
        sqlx::query(&format!("{SELECT} WHERE i.instance_key = ?")).bind(key).fetch_optional(&mut *connection).await?;
    let Some(row) = row else { return Ok(IndexLookup::Unknown) };
    let processes = sqlx::query_as("SELECT definition_key, bpmn_process_id, version FROM process_definition")
        .fetch_all(connection)
        .await?;
    Ok(IndexLookup::Found(instance(&row)?, processes))
}

/// Whether the index covers the log (a reader of a file that no engine of this version has
/// opened yet finds no such column: not filled).
async fn is_filled(connection: &mut SqliteConnection) -> sqlx::Result<bool> {
    let meta = sqlx::query("SELECT * FROM engine_meta WHERE id = 1").fetch_optional(connection).await?;
    Ok(meta.and_then(|row| row.try_get::<i64, _>("instances_indexed").ok()) == Some(1))
}

fn instance(row: &SqliteRow) -> sqlx::Result<IndexedInstance> {
    let outcome: Option<String> = row.try_get("outcome")?;
    Ok(IndexedInstance {
        key: row.try_get("instance_key")?,
        bpmn_process_id: row.try_get("bpmn_process_id")?,
        version: row.try_get("version")?,
        process_definition_key: row.try_get("definition_key")?,
        status: outcome.as_deref().and_then(Outcome::parse).map_or("active", Outcome::as_str),
        open_incidents: row.try_get("open_incidents")?,
        started_at_millis: row.try_get("started_at")?,
        started_position: row.try_get("started_position")?,
        ended_at_millis: row.try_get("ended_at")?,
        ended_position: row.try_get("ended_position")?,
    })
}
