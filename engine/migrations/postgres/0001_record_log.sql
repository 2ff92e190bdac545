-- The record logs of the engines sharing this database, one log per engine (`?log=<name>` in the URL).
-- Only the engine holding a log's advisory lock writes to it (see engine/src/store/postgres.rs).

-- One row per log: the record format of its payloads and its key generator's position.
CREATE TABLE engine_meta (
    log TEXT PRIMARY KEY,
    format_version BIGINT NOT NULL,
    key_counter BIGINT NOT NULL
);

-- Every state change of every log, in the order its engine applied them.
CREATE TABLE record_log (
    -- The log (engine) the record belongs to.
    log TEXT NOT NULL,
    -- 1, 2, 3, ... within the log: the order of application.
    position BIGINT NOT NULL,
    -- The key of the entity the record is about (for people reading the table).
    record_key BIGINT NOT NULL,
    -- The value type and intent, for example `JOB CREATED` (for people reading the table).
    intent TEXT NOT NULL,
    -- The record as JSON, in the format `engine_meta.format_version` names.
    payload TEXT NOT NULL,
    PRIMARY KEY (log, position)
);
