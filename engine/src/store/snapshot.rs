//! Snapshots: the engine state at a log position, so opening replays only the entries after it.
//!
//! A snapshot is the serde form of [`State`] (deployed processes as their stored resources,
//! recompiled on load like the log's), MessagePack compressed with LZ4, behind a checksum of
//! those bytes: a damaged or truncated snapshot is detected and the engine falls back to an
//! older one or to the whole log, which stays complete (history needs it).

use crate::model::checksum;
use crate::state::State;

/// A stored snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The position of the last log entry the state includes.
    pub position: i64,
    /// The last key the engine had handed out.
    pub key_counter: i64,
    /// The encoded state ([`encode_state`]).
    pub state: Vec<u8>,
}

impl Snapshot {
    /// The snapshot in a `snapshot` table row (columns `position`, `key_counter`, `state`), for
    /// either database the stores use.
    pub(crate) fn from_row<'r, R>(row: &'r R) -> sqlx::Result<Self>
    where
        R: sqlx::Row,
        &'r str: sqlx::ColumnIndex<R>,
        i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(Self {
            position: row.try_get("position")?,
            key_counter: row.try_get("key_counter")?,
            state: row.try_get("state")?,
        })
    }
}

/// Encodes a state for a snapshot: a checksum (8 bytes) and the compressed MessagePack.
pub fn encode_state(state: &State) -> Result<Vec<u8>, String> {
    let raw = rmp_serde::to_vec(state).map_err(|e| format!("the state cannot be serialized for a snapshot: {e}"))?;
    let sealed = lz4_flex::block::compress_prepend_size(&raw);
    let mut bytes = checksum(&sealed).to_le_bytes().to_vec();
    bytes.extend_from_slice(&sealed);
    Ok(bytes)
}

/// Decodes a snapshot's state; the error says why it cannot be used.
pub fn decode_state(bytes: &[u8]) -> Result<State, String> {
    let (sum, sealed) = bytes.split_at_checked(8).ok_or("it is truncated")?;
    let sum = u64::from_le_bytes(sum.try_into().map_err(|_| "it is truncated")?);
    if checksum(sealed) != sum {
        return Err("its checksum does not match (it is damaged or truncated)".into());
    }
    let raw =
        lz4_flex::block::decompress_size_prepended(sealed).map_err(|e| format!("it does not decompress ({e})"))?;
    rmp_serde::from_slice(&raw).map_err(|e| format!("it does not decode ({e})"))
}
