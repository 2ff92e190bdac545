-- The persona registry (crate `personas`): the persona types of the catalogue, the instances that
-- do the work, the jobs routed to them, what they spend, and the append-only audit log.
-- Times are epoch milliseconds on the engine's clock; money is whole micro-dollars (integers, so
-- no fraction of a cent is lost to floating-point rounding). The registry keeps its own migration
-- table (persona_schema_migrations), apart from the engine's.

-- The persona types, loaded (and updated) from the catalogue, workflows/personas/types.yaml.
CREATE TABLE persona_type (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    group_name TEXT NOT NULL,
    -- JSON list of the action kinds the type may perform.
    capabilities TEXT NOT NULL,
    workflow TEXT,
    -- The defaults a new instance starts with.
    max_concurrent_tasks INTEGER NOT NULL CHECK (max_concurrent_tasks >= 1),
    allowed_actions TEXT NOT NULL,
    escalate_to TEXT,
    loaded_at INTEGER NOT NULL
);

-- The instances: who does the work. Never deleted (retired instead), so audit rows keep their names.
CREATE TABLE persona_instance (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    persona_type TEXT NOT NULL REFERENCES persona_type (id),
    -- The one project the instance works for (all three NULL until it is assigned); repository
    -- NULL means every repository of the project.
    organisation TEXT,
    project TEXT,
    repository TEXT,
    -- JSON list of {provider, model}, in the order they are tried.
    providers TEXT NOT NULL,
    -- NULL: no limit.
    daily_limit INTEGER CHECK (daily_limit >= 0),
    monthly_limit INTEGER CHECK (monthly_limit >= 0),
    max_concurrent_tasks INTEGER NOT NULL CHECK (max_concurrent_tasks >= 1),
    priority INTEGER NOT NULL DEFAULT 0,
    -- JSON object.
    settings TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'retired')),
    -- Assignments not finished yet (kept with them in the same transactions).
    open_tasks INTEGER NOT NULL DEFAULT 0 CHECK (open_tasks >= 0),
    -- The outcomes of the last finished assignments, newest first: 's' succeeded, 'f' failed.
    recent_outcomes TEXT NOT NULL DEFAULT '',
    -- Money set aside for calls in flight (reserve-then-settle).
    reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    -- Spend counters: the UTC day (days since the epoch) and month (year * 12 + month - 1) they
    -- count; a counter of another day or month reads as zero (it rolls over on the next charge).
    day_key INTEGER NOT NULL DEFAULT 0,
    spent_day INTEGER NOT NULL DEFAULT 0,
    month_key INTEGER NOT NULL DEFAULT 0,
    spent_month INTEGER NOT NULL DEFAULT 0,
    last_activity INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((organisation IS NULL) = (project IS NULL)),
    UNIQUE (organisation, project, name)
);
CREATE INDEX persona_instance_routing ON persona_instance (persona_type, organisation, project);

-- Which instance holds which job.
CREATE TABLE persona_assignment (
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
    outcome TEXT CHECK (outcome IN ('succeeded', 'failed', 'cancelled', 'reassigned')),
    CHECK ((finished_at IS NULL) = (outcome IS NULL))
);
-- A job is held by at most one instance at a time.
CREATE UNIQUE INDEX persona_assignment_open_job ON persona_assignment (job_key) WHERE finished_at IS NULL;
CREATE INDEX persona_assignment_open_by_instance ON persona_assignment (instance_id) WHERE finished_at IS NULL;

-- Money set aside before a call, settled into a charge (or released) after it.
CREATE TABLE persona_spend_reservation (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id INTEGER NOT NULL REFERENCES persona_instance (id),
    job_key INTEGER,
    amount INTEGER NOT NULL CHECK (amount >= 0),
    reserved_at INTEGER NOT NULL
);
CREATE INDEX persona_spend_reservation_by_job ON persona_spend_reservation (job_key);

-- Money spent.
CREATE TABLE persona_spend_charge (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id INTEGER NOT NULL REFERENCES persona_instance (id),
    job_key INTEGER,
    model TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    amount INTEGER NOT NULL CHECK (amount >= 0),
    charged_at INTEGER NOT NULL,
    day_key INTEGER NOT NULL,
    month_key INTEGER NOT NULL
);
CREATE INDEX persona_spend_charge_by_instance ON persona_spend_charge (instance_id, day_key);

-- What happened and why: routing decisions, approvals, vetoes, escalations, SLA breaches, spend
-- and changes to instances. Append-only: the triggers below refuse updates and deletes.
CREATE TABLE persona_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('routing', 'approval', 'veto', 'escalation', 'sla-breach', 'spend', 'instance-change')),
    instance_id INTEGER REFERENCES persona_instance (id),
    workflow_instance INTEGER,
    element_id TEXT,
    job_key INTEGER,
    -- JSON object.
    details TEXT NOT NULL
);
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
