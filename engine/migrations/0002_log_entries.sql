-- Record format 2: one row per command (a log entry) with its engine time and cause, instead of
-- one row per record. There is no converter from format 1 (no release wrote it): a file whose
-- record_log holds rows keeps format_version 1 and its rows, and the engine refuses to open it
-- with advice; an empty one moves to format 2.
CREATE TABLE log_entry (
    -- 1, 2, 3, ...: the order the entries were applied in.
    position INTEGER PRIMARY KEY,
    -- The engine time the command ran at (epoch milliseconds).
    at_millis INTEGER NOT NULL,
    -- Who or what caused it, as JSON, for example {"kind":"api","call":"CreateProcessInstance"}.
    cause TEXT NOT NULL,
    -- How many records `records` holds.
    record_count INTEGER NOT NULL,
    -- The records, encoded one after another in the format engine_meta.format_version names.
    records BLOB NOT NULL
);

UPDATE engine_meta SET format_version = 2 WHERE NOT EXISTS (SELECT 1 FROM record_log);
