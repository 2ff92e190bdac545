//! The [instance index](crate::store::instance_index) in the SQLite file: written from the marks
//! of appended entries off the commit path ([`PendingIndex`]), caught up from the log when an
//! engine opens the file, and read with the log after it by `status`.

use sqlx::{Connection, Row, SqliteConnection};

use super::{batches, describe, read_log};
use crate::store::format::{decode_entry, unpack_batch};
use crate::store::instance_index::{
    IndexLookup, InstanceCounts, InstanceOverview, Outcome, PendingMarks, PlacedMark, ProcessNames, indexed_row,
    marks_of_log, merge, with_tail,
};
use crate::store::{EncodedEntry, LogEntry, StoredEntry};

/// How many batches catching up reads at a time.
const CATCH_UP_PAGE: usize = 256;

/// How many marks the writer gathers before it writes them even while appends keep coming.
const FLUSH_AT: usize = 50_000;

/// The marks of the entries appended since the index was last written.
#[derive(Debug, Default)]
pub(super) struct PendingIndex {
    pending: PendingMarks,
    /// A write of the index failed (the log is unharmed): the index stays where it was, readers
    /// add the longer log after it, and the next engine that opens the file catches it up,
    /// rather than skipping what the failed write lost.
    stopped: bool,
}

impl PendingIndex {
    /// Keeps the marks of entries appended from `first_position` on.
    pub(super) fn appended(&mut self, first_position: i64, entries: &[&EncodedEntry]) {
        if !self.stopped {
            self.pending.appended(first_position, entries.iter().copied());
        }
    }

    /// Whether enough is gathered to write it even while busy.
    pub(super) fn is_full(&self) -> bool {
        self.pending.len() >= FLUSH_AT
    }

    /// Writes what is gathered, with the position it covers, in one transaction.
    pub(super) async fn flush(&mut self, connection: &mut SqliteConnection) {
        let Some((marks, through)) = self.pending.take() else { return };
        let written: sqlx::Result<()> = async {
            let mut transaction = connection.begin().await?;
            write(&mut transaction, marks).await?;
            sqlx::query("UPDATE engine_meta SET indexed_through = ? WHERE id = 1")
                .bind(through)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await
        }
        .await;
        self.stopped = written.is_err();
    }
}

/// Writes what `marks` change: new process definitions, the counts, and one upsert statement
/// for all the instance rows (its rows as one JSON parameter: one prepared statement whatever
/// their number).
async fn write(connection: &mut SqliteConnection, marks: impl IntoIterator<Item = PlacedMark>) -> sqlx::Result<()> {
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
    let mut counts = InstanceCounts::default();
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            counts.count(row);
            let (definition, started_position, started_at) = row.started.unzip3();
            let (outcome, ended_position, ended_at) = row.ended.unzip3();
            serde_json::json!([
                row.key,
                definition,
                started_position,
                started_at,
                ended_position,
                ended_at,
                outcome.map(Outcome::as_str),
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
    count(connection, counts).await
}

/// Adds `change` to the counts in `engine_meta`.
async fn count(connection: &mut SqliteConnection, change: InstanceCounts) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE engine_meta SET instances_active = instances_active + ?, \
         instances_completed = instances_completed + ?, instances_terminated = instances_terminated + ? WHERE id = 1",
    )
    .bind(change.active)
    .bind(change.completed)
    .bind(change.terminated)
    .execute(connection)
    .await?;
    Ok(())
}

/// A start or an end as three optional columns.
trait Unzip3<A, B, C> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>);
}

impl<A, B, C> Unzip3<A, B, C> for Option<(A, B, C)> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>) {
        match self {
            Some((a, b, c)) => (Some(a), Some(b), Some(c)),
            None => (None, None, None),
        }
    }
}

/// Indexes the log after the position the index covers (what a crash kept from it, or a whole
/// log from before the index), in one transaction. An engine does this when it opens the file.
pub(super) async fn catch_up(connection: &mut SqliteConnection) -> Result<(), String> {
    let mut transaction = connection.begin().await.map_err(|e| describe(&e))?;
    let covered = indexed_through(&mut transaction).await.map_err(|e| describe(&e))?;
    if covered.is_none() {
        // Indexing the whole log: from nothing.
        sqlx::query(
            "DELETE FROM process_instance_index; UPDATE engine_meta SET instances_active = 0, \
             instances_completed = 0, instances_terminated = 0 WHERE id = 1",
        )
        .execute(&mut *transaction)
        .await
        .map_err(|e| describe(&e))?;
    }
    let mut from = covered.unwrap_or(0) + 1;
    let mut through = covered;
    loop {
        let page = batches(&mut transaction, from, i64::MAX, CATCH_UP_PAGE).await.map_err(|e| describe(&e))?;
        let Some(last) = page.last() else { break };
        from = last.last_position() + 1;
        through = Some(last.last_position());
        let mut entries = Vec::new();
        for batch in &page {
            entries.extend(decoded(unpack_batch(batch.first_position, &batch.bytes)?)?);
        }
        write(&mut transaction, marks_of_log(&entries)).await.map_err(|e| describe(&e))?;
    }
    if through != covered || covered.is_none() {
        sqlx::query("UPDATE engine_meta SET indexed_through = ? WHERE id = 1")
            .bind(through.unwrap_or(0))
            .execute(&mut *transaction)
            .await
            .map_err(|e| describe(&e))?;
    }
    transaction.commit().await.map_err(|e| describe(&e))
}

fn decoded(stored: Vec<StoredEntry>) -> Result<Vec<LogEntry>, String> {
    stored.iter().map(decode_entry).collect()
}

/// Deletes the rows of `keys` (with the counts).
pub(super) async fn forget(connection: &mut SqliteConnection, keys: &[i64]) -> sqlx::Result<()> {
    let mut transaction = connection.begin().await?;
    let mut gone = InstanceCounts::default();
    for key in keys {
        let outcome: Option<Option<String>> =
            sqlx::query_scalar("DELETE FROM process_instance_index WHERE instance_key = ? RETURNING outcome")
                .bind(key)
                .fetch_optional(&mut *transaction)
                .await?;
        let Some(outcome) = outcome else { continue };
        match outcome.as_deref().and_then(Outcome::parse) {
            Some(Outcome::Completed) => gone.completed -= 1,
            Some(Outcome::Terminated) => gone.terminated -= 1,
            None => gone.active -= 1,
        }
    }
    count(&mut transaction, gone).await?;
    transaction.commit().await
}

/// The columns of an [`IndexedInstance`], with its process's id and version.
const SELECT: &str = "SELECT i.instance_key, COALESCE(d.bpmn_process_id, '') AS bpmn_process_id, \
    COALESCE(d.version, 0) AS version, COALESCE(i.definition_key, 0) AS definition_key, i.outcome, \
    i.open_incidents, COALESCE(i.started_at, 0) AS started_at, COALESCE(i.started_position, 0) AS started_position, \
    i.ended_at, i.ended_position \
    FROM process_instance_index i LEFT JOIN process_definition d ON d.definition_key = i.definition_key";

/// What a reader adds to the index: the log after it, merged per instance, and the names of
/// every process.
struct Tail {
    changes: Vec<crate::store::instance_index::RowChange>,
    names: ProcessNames,
}

async fn tail(connection: &mut SqliteConnection, after: i64) -> Result<Tail, String> {
    let log = read_log(connection, after, i64::MAX).await?;
    let (deployed, changes) = merge(marks_of_log(&decoded(log.entries)?));
    let known: Vec<(i64, String, i32)> =
        sqlx::query_as("SELECT definition_key, bpmn_process_id, version FROM process_definition")
            .fetch_all(&mut *connection)
            .await
            .map_err(|e| describe(&e))?;
    let names = known.into_iter().chain(deployed).map(|(key, id, version)| (key, (id, version))).collect();
    Ok(Tail { changes, names })
}

/// Every running instance, the `newest_ended` newest ended ones and the counts, as of the end
/// of the log; `None` while the index does not cover the log's start.
pub(super) async fn overview(
    connection: &mut SqliteConnection,
    newest_ended: usize,
) -> Result<Option<InstanceOverview>, String> {
    let mut read = connection.begin().await.map_err(|e| describe(&e))?;
    let Some((covered, counts)) = meta(&mut read).await.map_err(|e| describe(&e))? else { return Ok(None) };
    let active = sqlx::query(&format!("{SELECT} WHERE i.ended_position IS NULL ORDER BY i.instance_key"))
        .fetch_all(&mut *read)
        .await
        .map_err(|e| describe(&e))?;
    let ended = sqlx::query(&format!(
        "{SELECT} WHERE i.ended_position IS NOT NULL ORDER BY i.ended_position DESC, i.instance_key DESC LIMIT ?"
    ))
    .bind(i64::try_from(newest_ended).unwrap_or(i64::MAX))
    .fetch_all(&mut *read)
    .await
    .map_err(|e| describe(&e))?;
    let mut overview = InstanceOverview {
        counts,
        active: active.iter().map(indexed_row).collect::<sqlx::Result<_>>().map_err(|e| describe(&e))?,
        ended: ended.iter().map(indexed_row).collect::<sqlx::Result<_>>().map_err(|e| describe(&e))?,
    };
    let tail = tail(&mut read, covered).await?;
    overview.add_tail(&tail.changes, &tail.names, newest_ended);
    Ok(Some(overview))
}

/// One instance's row as of the end of the log.
pub(super) async fn lookup(connection: &mut SqliteConnection, key: i64) -> Result<IndexLookup, String> {
    let mut read = connection.begin().await.map_err(|e| describe(&e))?;
    let Some((covered, _)) = meta(&mut read).await.map_err(|e| describe(&e))? else {
        return Ok(IndexLookup::NotIndexed);
    };
    let row = sqlx::query(&format!("{SELECT} WHERE i.instance_key = ?"))
        .bind(key)
        .fetch_optional(&mut *read)
        .await
        .map_err(|e| describe(&e))?;
    let row = row.as_ref().map(indexed_row).transpose().map_err(|e| describe(&e))?;
    let tail = tail(&mut read, covered).await?;
    let change = tail.changes.iter().find(|c| c.key == key);
    let Some(row) = with_tail(row, change, &tail.names) else { return Ok(IndexLookup::Unknown) };
    let processes = tail.names.into_iter().map(|(key, (id, version))| (key, id, version)).collect();
    Ok(IndexLookup::Found(row, processes))
}

/// The position the index covers; `None` for a log from before the index.
async fn indexed_through(connection: &mut SqliteConnection) -> sqlx::Result<Option<i64>> {
    Ok(meta(connection).await?.map(|(covered, _)| covered))
}

/// The position the index covers and its counts; `None` while it does not cover the log's start
/// (a file that no engine of this version has opened yet has no such column: not covered).
async fn meta(connection: &mut SqliteConnection) -> sqlx::Result<Option<(i64, InstanceCounts)>> {
    let Some(row) = sqlx::query("SELECT * FROM engine_meta WHERE id = 1").fetch_optional(connection).await? else {
        return Ok(None);
    };
    let Ok(Some(covered)) = row.try_get::<Option<i64>, _>("indexed_through") else { return Ok(None) };
    let counts = InstanceCounts {
        active: row.try_get("instances_active")?,
        completed: row.try_get("instances_completed")?,
        terminated: row.try_get("instances_terminated")?,
    };
    Ok(Some((covered, counts)))
}
