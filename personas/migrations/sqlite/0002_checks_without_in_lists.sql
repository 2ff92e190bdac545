-- The same checks on the two tables routing writes for every job, as comparisons instead of
-- `IN (...)` lists. SQLite evaluates a CHECK's `IN` list by building a temporary index for each
-- row it checks: about 5 µs a row (measured with SQLite 3.40, 3.46 and 3.51), more than the rest
-- of the insert. PostgreSQL evaluates the lists cheaply, and its schema stays as it is.
--
-- SQLite cannot change a table's checks in place: each table is copied into a new one, with
-- its AUTOINCREMENT counter, and its indexes and triggers are made again.

CREATE TABLE persona_assignment_next (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_key INTEGER NOT NULL,
    instance_id INTEGER NOT NULL REFERENCES persona_instance (id),
    persona_type TEXT NOT NULL,
    organisation TEXT NOT NULL,
    project TEXT NOT NULL,
    repository TEXT,
    workflow_instance INTEGER,
    element_id TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT CHECK (
        outcome = 'succeeded' OR outcome = 'failed' OR outcome = 'cancelled' OR outcome = 'reassigned'
    ),
    CHECK ((finished_at IS NULL) = (outcome IS NULL))
);
INSERT INTO persona_assignment_next SELECT * FROM persona_assignment;
DELETE FROM sqlite_sequence WHERE name = 'persona_assignment_next';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'persona_assignment_next', seq FROM sqlite_sequence WHERE name = 'persona_assignment';
DROP TABLE persona_assignment;
ALTER TABLE persona_assignment_next RENAME TO persona_assignment;
-- A job is held by at most one instance at a time.
CREATE UNIQUE INDEX persona_assignment_open_job ON persona_assignment (job_key) WHERE finished_at IS NULL;
CREATE INDEX persona_assignment_open_by_instance ON persona_assignment (instance_id) WHERE finished_at IS NULL;

CREATE TABLE persona_audit_next (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (
        kind = 'routing' OR kind = 'approval' OR kind = 'veto' OR kind = 'escalation'
        OR kind = 'sla-breach' OR kind = 'spend' OR kind = 'instance-change'
    ),
    instance_id INTEGER REFERENCES persona_instance (id),
    workflow_instance INTEGER,
    element_id TEXT,
    job_key INTEGER,
    -- JSON object.
    details TEXT NOT NULL
);
INSERT INTO persona_audit_next SELECT * FROM persona_audit;
DELETE FROM sqlite_sequence WHERE name = 'persona_audit_next';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'persona_audit_next', seq FROM sqlite_sequence WHERE name = 'persona_audit';
DROP TABLE persona_audit;
ALTER TABLE persona_audit_next RENAME TO persona_audit;
CREATE INDEX persona_audit_by_instance ON persona_audit (instance_id);
CREATE INDEX persona_audit_by_workflow_instance ON persona_audit (workflow_instance);
CREATE INDEX persona_audit_by_time ON persona_audit (at);

CREATE TRIGGER persona_audit_no_update BEFORE UPDATE ON persona_audit
BEGIN
    SELECT RAISE(ABORT, 'the persona audit log is append-only');
END;
CREATE TRIGGER persona_audit_no_delete BEFORE DELETE ON persona_audit
BEGIN
    SELECT RAISE(ABORT, 'the persona audit log is append-only');
END;
