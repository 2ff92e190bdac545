//! The [instance index](crate::store::instance_index) of one log in PostgreSQL: written from the
//! marks of appended entries every [`FLUSH_AT`] marks, before a snapshot or a pruning and when the
//! store closes; caught up from the log when an engine opens it; read with the log after it.

use sqlx::postgres::PgConnection;
use sqlx::{Connection, Row};

use super::errors::describe;
use super::location::PgLocation;
use super::{batches, read_log};
use crate::store::format::{decode_entry, unpack_batch};
use crate::store::instance_index::{
    IndexLookup, InstanceCounts, InstanceOverview, Outcome, PlacedMark, ProcessNames, RowChange, indexed_row,
    marks_of_log, merge, with_tail,
};
use crate::store::{LogEntry, StoredEntry};

/// How many marks an engine gathers before it writes them (after the append that reached it).
/// Lower than SQLite's: a PostgreSQL store has no idle moment of its own to write in, and a
/// reader decodes the log after the index.
pub(super) const FLUSH_AT: usize = 2_000;

/// How many batches catching up reads at a time.
const CATCH_UP_PAGE: i64 = 256;

/// Writes `marks` and the position they cover, in one transaction.
pub(super) async fn flush(
    connection: &mut PgConnection,
    at: &PgLocation,
    marks: Vec<PlacedMark>,
    through: i64,
) -> Result<(), String> {
    let fail = |e: sqlx::Error| describe(&e, at);
    let mut transaction = connection.begin().await.map_err(fail)?;
    write(&mut transaction, at, marks).await.map_err(fail)?;
    covered_through(&mut transaction, at, through).await.map_err(fail)?;
    transaction.commit().await.map_err(fail)
}

/// Records that the index covers the log through `through`.
async fn covered_through(connection: &mut PgConnection, at: &PgLocation, through: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE engine_meta SET indexed_through = $2 WHERE log = $1")
        .bind(&at.log)
        .bind(through)
        .execute(connection)
        .await
        .map(drop)
}

/// Writes what `marks` change: new process definitions, one upsert for all the instance rows
/// (as arrays), and the counts.
async fn write(connection: &mut PgConnection, at: &PgLocation, marks: Vec<PlacedMark>) -> sqlx::Result<()> {
    let (processes, rows) = merge(marks);
    for (definition_key, bpmn_process_id, version) in processes {
        sqlx::query(
            "INSERT INTO process_definition (log, definition_key, bpmn_process_id, version) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (log, definition_key) DO NOTHING",
        )
        .bind(&at.log)
        .bind(definition_key)
        .bind(bpmn_process_id)
        .bind(version)
        .execute(&mut *connection)
        .await?;
    }
    if rows.is_empty() {
        return Ok(());
    }
    let mut counts = InstanceCounts::default();
    let mut columns = Columns::default();
    for row in &rows {
        counts.count(row);
        columns.push(row);
    }
    sqlx::query(
        "INSERT INTO process_instance_index AS i \
         (log, instance_key, definition_key, started_position, started_at, ended_position, ended_at, outcome, open_incidents) \
         SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], \
                                  $8::text[], $9::bigint[]) \
         ON CONFLICT (log, instance_key) DO UPDATE SET \
         definition_key = COALESCE(excluded.definition_key, i.definition_key), \
         started_position = COALESCE(excluded.started_position, i.started_position), \
         started_at = COALESCE(excluded.started_at, i.started_at), \
         ended_position = COALESCE(excluded.ended_position, i.ended_position), \
         ended_at = COALESCE(excluded.ended_at, i.ended_at), \
         outcome = COALESCE(excluded.outcome, i.outcome), \
         open_incidents = i.open_incidents + excluded.open_incidents",
    )
    .bind(&at.log)
    .bind(columns.key)
    .bind(columns.definition)
    .bind(columns.started_position)
    .bind(columns.started_at)
    .bind(columns.ended_position)
    .bind(columns.ended_at)
    .bind(columns.outcome)
    .bind(columns.incidents)
    .execute(&mut *connection)
    .await?;
    count(connection, at, counts).await
}

/// The row changes as one array per column.
#[derive(Default)]
struct Columns {
    key: Vec<i64>,
    definition: Vec<Option<i64>>,
    started_position: Vec<Option<i64>>,
    started_at: Vec<Option<i64>>,
    ended_position: Vec<Option<i64>>,
    ended_at: Vec<Option<i64>>,
    outcome: Vec<Option<&'static str>>,
    incidents: Vec<i64>,
}

impl Columns {
    fn push(&mut self, row: &RowChange) {
        self.key.push(row.key);
        self.definition.push(row.started.map(|(definition, _, _)| definition));
        self.started_position.push(row.started.map(|(_, position, _)| position));
        self.started_at.push(row.started.map(|(_, _, at)| at));
        self.outcome.push(row.ended.map(|(outcome, _, _)| outcome.as_str()));
        self.ended_position.push(row.ended.map(|(_, position, _)| position));
        self.ended_at.push(row.ended.map(|(_, _, at)| at));
        self.incidents.push(row.incidents);
    }
}

/// Adds `change` to the log's counts.
async fn count(connection: &mut PgConnection, at: &PgLocation, change: InstanceCounts) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE engine_meta SET instances_active = instances_active + $2, \
         instances_completed = instances_completed + $3, instances_terminated = instances_terminated + $4 \
         WHERE log = $1",
    )
    .bind(&at.log)
    .bind(change.active)
    .bind(change.completed)
    .bind(change.terminated)
    .execute(connection)
    .await?;
    Ok(())
}

/// Indexes the log after the position the index covers (what a crash kept from it, or a whole
/// log from before the index), in one transaction. An engine does this when it opens the log.
pub(super) async fn catch_up(connection: &mut PgConnection, at: &PgLocation) -> Result<(), String> {
    let fail = |e: sqlx::Error| describe(&e, at);
    let mut transaction = connection.begin().await.map_err(fail)?;
    let covered = meta(&mut transaction, at).await.map_err(fail)?.map(|(covered, _)| covered);
    if covered.is_none() {
        // Indexing the whole log: from nothing.
        sqlx::query("DELETE FROM process_instance_index WHERE log = $1")
            .bind(&at.log)
            .execute(&mut *transaction)
            .await
            .map_err(fail)?;
        sqlx::query(
            "UPDATE engine_meta SET instances_active = 0, instances_completed = 0, instances_terminated = 0 \
             WHERE log = $1",
        )
        .bind(&at.log)
        .execute(&mut *transaction)
        .await
        .map_err(fail)?;
    }
    let mut from = covered.unwrap_or(0) + 1;
    let mut through = covered.unwrap_or(0);
    loop {
        let page = batches(&mut transaction, at, from, i64::MAX, CATCH_UP_PAGE as usize).await?;
        let Some(last) = page.last() else { break };
        from = last.last_position() + 1;
        through = last.last_position();
        let mut entries = Vec::new();
        for batch in &page {
            entries.extend(decoded(unpack_batch(batch.first_position, &batch.bytes)?)?);
        }
        write(&mut transaction, at, marks_of_log(&entries)).await.map_err(fail)?;
    }
    covered_through(&mut transaction, at, through).await.map_err(fail)?;
    transaction.commit().await.map_err(fail)
}

fn decoded(stored: Vec<StoredEntry>) -> Result<Vec<LogEntry>, String> {
    stored.iter().map(decode_entry).collect()
}

/// Deletes the rows of `keys` (with the counts).
pub(super) async fn forget(connection: &mut PgConnection, at: &PgLocation, keys: Vec<i64>) -> Result<(), String> {
    let fail = |e: sqlx::Error| describe(&e, at);
    let mut transaction = connection.begin().await.map_err(fail)?;
    let gone: Vec<Option<String>> = sqlx::query_scalar(
        "DELETE FROM process_instance_index WHERE log = $1 AND instance_key = ANY($2) RETURNING outcome",
    )
    .bind(&at.log)
    .bind(keys)
    .fetch_all(&mut *transaction)
    .await
    .map_err(fail)?;
    let mut change = InstanceCounts::default();
    for outcome in gone {
        match outcome.as_deref().and_then(Outcome::parse) {
            Some(Outcome::Completed) => change.completed -= 1,
            Some(Outcome::Terminated) => change.terminated -= 1,
            None => change.active -= 1,
        }
    }
    count(&mut transaction, at, change).await.map_err(fail)?;
    transaction.commit().await.map_err(fail)
}

/// The columns of an [`IndexedInstance`], with its process's id and version.
const SELECT: &str = "SELECT i.instance_key, COALESCE(d.bpmn_process_id, '') AS bpmn_process_id, \
    COALESCE(d.version, 0) AS version, COALESCE(i.definition_key, 0) AS definition_key, i.outcome, \
    i.open_incidents, COALESCE(i.started_at, 0) AS started_at, COALESCE(i.started_position, 0) AS started_position, \
    i.ended_at, i.ended_position \
    FROM process_instance_index i \
    LEFT JOIN process_definition d ON d.log = i.log AND d.definition_key = i.definition_key WHERE i.log = $1";

/// The log after the index, merged per instance, and the names of every process.
async fn tail(
    connection: &mut PgConnection,
    at: &PgLocation,
    after: i64,
) -> Result<(Vec<RowChange>, ProcessNames), String> {
    let log = read_log(connection, at, after, i64::MAX).await?;
    let (deployed, changes) = merge(marks_of_log(&decoded(log.entries)?));
    let known: Vec<(i64, String, i32)> =
        sqlx::query_as("SELECT definition_key, bpmn_process_id, version FROM process_definition WHERE log = $1")
            .bind(&at.log)
            .fetch_all(&mut *connection)
            .await
            .map_err(|e| describe(&e, at))?;
    let names = known.into_iter().chain(deployed).map(|(key, id, version)| (key, (id, version))).collect();
    Ok((changes, names))
}

/// A read-only transaction that sees one state of the log and the index throughout.
async fn begin_read(connection: &mut PgConnection) -> sqlx::Result<sqlx::Transaction<'_, sqlx::Postgres>> {
    let mut read = connection.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *read).await?;
    Ok(read)
}

/// Every running instance, the `newest_ended` newest ended ones and the counts, as of the end
/// of the log; `None` while the index does not cover the log's start.
pub(super) async fn overview(
    connection: &mut PgConnection,
    at: &PgLocation,
    newest_ended: usize,
) -> Result<Option<InstanceOverview>, String> {
    let fail = |e: sqlx::Error| describe(&e, at);
    let mut read = begin_read(connection).await.map_err(fail)?;
    let Some((covered, counts)) = meta(&mut read, at).await.map_err(fail)? else { return Ok(None) };
    let active = sqlx::query(&format!("{SELECT} AND i.ended_position IS NULL ORDER BY i.instance_key"))
        .bind(&at.log)
        .fetch_all(&mut *read)
        .await
        .map_err(fail)?;
    let ended = sqlx::query(&format!(
        "{SELECT} AND i.ended_position IS NOT NULL ORDER BY i.ended_position DESC, i.instance_key DESC LIMIT $2"
    ))
    .bind(&at.log)
    .bind(i64::try_from(newest_ended).unwrap_or(i64::MAX))
    .fetch_all(&mut *read)
    .await
    .map_err(fail)?;
    let mut overview = InstanceOverview {
        counts,
        active: active.iter().map(indexed_row).collect::<sqlx::Result<_>>().map_err(fail)?,
        ended: ended.iter().map(indexed_row).collect::<sqlx::Result<_>>().map_err(fail)?,
    };
    let (changes, names) = tail(&mut read, at, covered).await?;
    overview.add_tail(&changes, &names, newest_ended);
    Ok(Some(overview))
}

/// One instance's row as of the end of the log.
pub(super) async fn lookup(connection: &mut PgConnection, at: &PgLocation, key: i64) -> Result<IndexLookup, String> {
    let fail = |e: sqlx::Error| describe(&e, at);
    let mut read = begin_read(connection).await.map_err(fail)?;
    let Some((covered, _)) = meta(&mut read, at).await.map_err(fail)? else { return Ok(IndexLookup::NotIndexed) };
    let row = sqlx::query(&format!("{SELECT} AND i.instance_key = $2"))
        .bind(&at.log)
        .bind(key)
        .fetch_optional(&mut *read)
        .await
        .map_err(fail)?;
    let row = row.as_ref().map(indexed_row).transpose().map_err(fail)?;
    let (changes, names) = tail(&mut read, at, covered).await?;
    let Some(row) = with_tail(row, changes.iter().find(|c| c.key == key), &names) else {
        return Ok(IndexLookup::Unknown);
    };
    Ok(IndexLookup::Found(row, names.into_iter().map(|(key, (id, version))| (key, id, version)).collect()))
}

/// The position the index covers and its counts; `None` while it does not cover the log's start
/// (a log that no engine of this version has opened has no such column: not covered).
async fn meta(connection: &mut PgConnection, at: &PgLocation) -> sqlx::Result<Option<(i64, InstanceCounts)>> {
    let row = sqlx::query("SELECT * FROM engine_meta WHERE log = $1").bind(&at.log).fetch_optional(connection).await?;
    let Some(row) = row else { return Ok(None) };
    let Ok(Some(covered)) = row.try_get::<Option<i64>, _>("indexed_through") else { return Ok(None) };
    let counts = InstanceCounts {
        active: row.try_get("instances_active")?,
        completed: row.try_get("instances_completed")?,
        terminated: row.try_get("instances_terminated")?,
    };
    Ok(Some((covered, counts)))
}
