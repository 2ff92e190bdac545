-- Record format 3: the entries of one group commit are one row, MessagePack records in a framing
-- compressed with LZ4 (see engine/src/store/format.rs), instead of one JSON row per entry. There
-- is no converter from formats 1 and 2 (no release wrote them): a file that holds records in an
-- older table keeps its format_version and is refused with advice; an empty one moves to format
-- 3. The older tables stay (empty) for that check.
CREATE TABLE log_batch (
    -- The position of the batch's first entry (1, 2, 3, ... over all entries).
    first_position INTEGER PRIMARY KEY,
    -- How many entries the batch holds: the next batch starts at first_position + entry_count.
    entry_count INTEGER NOT NULL,
    -- The entries, packed and compressed.
    entries BLOB NOT NULL
);

UPDATE engine_meta SET format_version = 3
WHERE NOT EXISTS (SELECT 1 FROM log_entry) AND NOT EXISTS (SELECT 1 FROM record_log);
