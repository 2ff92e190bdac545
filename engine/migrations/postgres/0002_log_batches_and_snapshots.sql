-- Record format 3 (see engine/src/store/format.rs): the entries of one append (one command, or a
-- batch of commands sharing a commit) are one row, packed and compressed, instead of one JSON row
-- per record; and snapshots of the state. No converter from format 1 (no release wrote it): a log
-- with rows in record_log keeps format 1 and is refused with advice; an empty one moves to 3.
CREATE TABLE log_batch (
    -- The log (engine) the batch belongs to.
    log TEXT NOT NULL,
    -- The position of the batch's first entry (1, 2, 3, ... over all entries of the log).
    first_position BIGINT NOT NULL,
    -- How many entries the batch holds: the next batch starts at first_position + entry_count.
    entry_count BIGINT NOT NULL,
    -- The entries, packed and compressed.
    entries BYTEA NOT NULL,
    PRIMARY KEY (log, first_position)
);

-- Snapshots of a log's engine state: opening loads the newest one that checks out and replays
-- only the entries after it.
CREATE TABLE snapshot (
    log TEXT NOT NULL,
    -- The position of the last log entry the state includes.
    position BIGINT NOT NULL,
    -- The last key the engine had handed out.
    key_counter BIGINT NOT NULL,
    -- The state: a checksum, then MessagePack compressed with LZ4.
    state BYTEA NOT NULL,
    PRIMARY KEY (log, position)
);

UPDATE engine_meta SET format_version = 3
WHERE NOT EXISTS (SELECT 1 FROM record_log WHERE record_log.log = engine_meta.log);
