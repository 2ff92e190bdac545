-- Snapshots of the engine state (see engine/src/store/snapshot.rs): opening loads the newest one
-- that checks out and replays only the log entries after its position. The log stays complete.
CREATE TABLE snapshot (
    -- The position of the last log entry the state includes.
    position INTEGER PRIMARY KEY,
    -- The last key the engine had handed out.
    key_counter INTEGER NOT NULL,
    -- The state: a checksum, then MessagePack compressed with LZ4.
    state BLOB NOT NULL
);
