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
    max_concurrent_tasks BIGINT NOT NULL CHECK (max_concurrent_tasks >= 1),
    allowed_actions TEXT NOT NULL,
    escalate_to TEXT,
    loaded_at BIGINT NOT NULL
);

-- The instances: who does the work. Never deleted (retired instead), so audit rows keep their names.
CREATE TABLE persona_instance (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    daily_limit BIGINT CHECK (daily_limit >= 0),
    monthly_limit BIGINT CHECK (monthly_limit >= 0),
    max_concurrent_tasks BIGINT NOT NULL CHECK (max_concurrent_tasks >= 1),
    priority BIGINT NOT NULL DEFAULT 0,
    -- JSON object.
    settings TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'retired')),
    -- Assignments not finished yet (kept with them in the same transactions).
    open_tasks BIGINT NOT NULL DEFAULT 0 CHECK (open_tasks >= 0),
    -- The outcomes of the last finished assignments, newest first: 's' succeeded, 'f' failed.
    recent_outcomes TEXT NOT NULL DEFAULT '',
    -- Money set aside for calls in flight (reserve-then-settle).
    reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    -- Spend counters: the UTC day (days since the epoch) and month (year * 12 + month - 1) they
    -- count; a counter of another day or month reads as zero (it rolls over on the next charge).
    day_key BIGINT NOT NULL DEFAULT 0,
    spent_day BIGINT NOT NULL DEFAULT 0,
    month_key BIGINT NOT NULL DEFAULT 0,
    spent_month BIGINT NOT NULL DEFAULT 0,
    last_activity BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((organisation IS NULL) = (project IS NULL)),
    UNIQUE (organisation, project, name)
);
CREATE INDEX persona_instance_routing ON persona_instance (persona_type, organisation, project);

-- Which instance holds which job.
CREATE TABLE persona_assignment (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_key BIGINT NOT NULL,
    instance_id BIGINT NOT NULL REFERENCES persona_instance (id),
    persona_type TEXT NOT NULL,
    organisation TEXT NOT NULL,
    project TEXT NOT NULL,
    repository TEXT,
    workflow_instance BIGINT,
    element_id TEXT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT CHECK (outcome IN ('succeeded', 'failed', 'cancelled', 'reassigned')),
    CHECK ((finished_at IS NULL) = (outcome IS NULL))
);
-- A job is held by at most one instance at a time.
CREATE UNIQUE INDEX persona_assignment_open_job ON persona_assignment (job_key) WHERE finished_at IS NULL;
CREATE INDEX persona_assignment_open_by_instance ON persona_assignment (instance_id) WHERE finished_at IS NULL;

-- Money set aside before a call, settled into a charge (or released) after it.
CREATE TABLE persona_spend_reservation (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id BIGINT NOT NULL REFERENCES persona_instance (id),
    job_key BIGINT,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    reserved_at BIGINT NOT NULL
);
CREATE INDEX persona_spend_reservation_by_job ON persona_spend_reservation (job_key);

-- Money spent.
CREATE TABLE persona_spend_charge (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id BIGINT NOT NULL REFERENCES persona_instance (id),
    job_key BIGINT,
    model TEXT,
    input_tokens BIGINT,
    output_tokens BIGINT,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    charged_at BIGINT NOT NULL,
    day_key BIGINT NOT NULL,
    month_key BIGINT NOT NULL
);
CREATE INDEX persona_spend_charge_by_instance ON persona_spend_charge (instance_id, day_key);

-- What happened and why: routing decisions, approvals, vetoes, escalations, SLA breaches, spend
-- and changes to instances. Append-only: the triggers below refuse updates and deletes.
CREATE TABLE persona_audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('routing', 'approval', 'veto', 'escalation', 'sla-breach', 'spend', 'instance-change')),
    instance_id BIGINT REFERENCES persona_instance (id),
    workflow_instance BIGINT,
    element_id TEXT,
    job_key BIGINT,
    -- JSON object.
    details TEXT NOT NULL
);
CREATE INDEX persona_audit_by_instance ON persona_audit (instance_id);
CREATE INDEX persona_audit_by_workflow_instance ON persona_audit (workflow_instance);
CREATE INDEX persona_audit_by_time ON persona_audit (at);

CREATE FUNCTION persona_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the persona audit log is append-only';
END
$$;
CREATE TRIGGER persona_audit_append_only BEFORE UPDATE OR DELETE ON persona_audit
    FOR EACH ROW EXECUTE FUNCTION persona_audit_append_only();
