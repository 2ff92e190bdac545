-- The instance index (see engine/src/store/instance_index.rs): one row per process instance of
-- each log, so that listing the instances or finding one reads rows instead of folding the log.
CREATE TABLE process_definition (
    log TEXT NOT NULL,
    definition_key BIGINT NOT NULL,
    bpmn_process_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (log, definition_key)
);

CREATE TABLE process_instance_index (
    log TEXT NOT NULL,
    instance_key BIGINT NOT NULL,
    definition_key BIGINT,
    -- The log position and engine time (epoch milliseconds) of the entry that started it.
    started_position BIGINT,
    started_at BIGINT,
    -- The same for the entry that ended it, and how: 'completed' or 'terminated' (NULL: running).
    ended_position BIGINT,
    ended_at BIGINT,
    outcome TEXT,
    open_incidents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (log, instance_key)
);

CREATE INDEX process_instance_index_ended ON process_instance_index (log, ended_position);

-- The last log position the index covers (readers add what the log after it says); NULL for a
-- log written before this migration, which is indexed when an engine next opens it (until then
-- readers fold the log). And how many instances the index holds by status.
ALTER TABLE engine_meta ADD COLUMN indexed_through BIGINT;
ALTER TABLE engine_meta ADD COLUMN instances_active BIGINT NOT NULL DEFAULT 0;
ALTER TABLE engine_meta ADD COLUMN instances_completed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE engine_meta ADD COLUMN instances_terminated BIGINT NOT NULL DEFAULT 0;
UPDATE engine_meta SET indexed_through = 0
WHERE NOT EXISTS (SELECT 1 FROM log_batch WHERE log_batch.log = engine_meta.log);
