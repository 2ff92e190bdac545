-- The engine's record log: every state change, in the order it was applied.
CREATE TABLE record_log (
    -- 1, 2, 3, ...: the order of application.
    position INTEGER PRIMARY KEY,
    -- The key of the entity the record is about (for people reading the table).
    record_key INTEGER NOT NULL,
    -- The value type and intent, for example `JOB CREATED` (for people reading the table).
    intent TEXT NOT NULL,
    -- The record as JSON, in the format `engine_meta.format_version` names.
    payload TEXT NOT NULL
);

-- One row: the record format of `record_log.payload` and the key generator's position.
CREATE TABLE engine_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format_version INTEGER NOT NULL,
    key_counter INTEGER NOT NULL
);

INSERT INTO engine_meta (id, format_version, key_counter) VALUES (1, 1, 0);
