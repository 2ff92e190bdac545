-- The instance index (see engine/src/store/instance_index.rs): one row per process instance,
-- so that listing the instances or finding one reads rows instead of folding the whole log.
CREATE TABLE process_definition (
    definition_key INTEGER PRIMARY KEY,
    bpmn_process_id TEXT NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE process_instance_index (
    instance_key INTEGER PRIMARY KEY,
    definition_key INTEGER,
    -- The log position and engine time (epoch milliseconds) of the entry that started it.
    started_position INTEGER,
    started_at INTEGER,
    -- The same for the entry that ended it, and how: 'completed' or 'terminated' (NULL: running).
    ended_position INTEGER,
    ended_at INTEGER,
    outcome TEXT,
    open_incidents INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX process_instance_index_ended ON process_instance_index (ended_position);

-- The last log position the index covers (readers add what the log after it says); NULL for a
-- log written before this migration, which is indexed when an engine next opens the file (until
-- then readers fold the log). And how many instances the index holds by status.
ALTER TABLE engine_meta ADD COLUMN indexed_through INTEGER;
ALTER TABLE engine_meta ADD COLUMN instances_active INTEGER NOT NULL DEFAULT 0;
ALTER TABLE engine_meta ADD COLUMN instances_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE engine_meta ADD COLUMN instances_terminated INTEGER NOT NULL DEFAULT 0;
UPDATE engine_meta SET indexed_through = 0 WHERE NOT EXISTS (SELECT 1 FROM log_batch);
