//! Persona types and instances: loading the catalogue, creating, listing, changing, pausing,
//! retiring and assigning instances, bad input that changes nothing, the audit log's queries,
//! and the registry's schema beside the engine's in one store.

mod support;

use engine::{Clock, VirtualClock};
use personas::{
    AuditEntry, AuditEvent, AuditKind, AuditQuery, Instance, InstanceChanges, InstanceRef, Money, NewInstance, Project,
    Provider, Registry, RegistryError, RouteDecision, RouteRequest, Status,
};
use serde_json::json;
use support::{Raw, TestStore, catalogue, instance_in, on_every_backend, shop};

on_every_backend!(
    types_load_from_the_catalogue_and_reload,
    instances_are_created_listed_changed_and_retired,
    an_instance_works_for_one_project_only,
    bad_input_is_refused_and_changes_nothing,
    the_audit_log_answers_by_instance_workflow_instance_and_time,
    the_audit_log_is_append_only,
    the_engine_and_the_registry_share_a_store,
    a_newer_registry_schema_is_refused,
);

fn money(text: &str) -> Money {
    text.parse().expect("an amount")
}

async fn types_load_from_the_catalogue_and_reload(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.open(&clock).await;
    let mut catalogue = catalogue();
    let first = registry.load_types(&catalogue).await.expect("loads");
    assert_eq!((first.added.len(), first.updated.len(), first.unchanged), (catalogue.types.len(), 0, 0));
    let again = registry.load_types(&catalogue).await.expect("reloads");
    assert_eq!((again.added.len(), again.updated.len(), again.unchanged), (0, 0, catalogue.types.len()));

    let senior = catalogue.types.iter_mut().find(|t| t.id == "senior-developer").expect("in the catalogue");
    senior.defaults.max_concurrent_tasks = 2;
    let changed = registry.load_types(&catalogue).await.expect("reloads");
    assert_eq!(changed.updated, vec!["senior-developer".to_owned()]);

    let types = registry.types().await.expect("lists");
    assert_eq!(types.len(), catalogue.types.len());
    let senior = types.iter().find(|t| t.id == "senior-developer").expect("stored");
    assert_eq!((senior.max_concurrent_tasks, senior.group.as_str(), senior.instances), (2, "development", 0));
    assert!(senior.capabilities.contains(&"git-operation".to_owned()), "{senior:?}");
}

async fn instances_are_created_listed_changed_and_retired(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    // Capacity and everything else from the defaults: senior developers take 3 in the catalogue.
    let senior = registry.create_instance(instance_in("sam", "senior-developer", &shop())).await.expect("created");
    assert_eq!((senior.max_concurrent_tasks, senior.status, senior.open_tasks), (3, Status::Active, 0));
    let mut new = instance_in("bea", "backend-developer", &shop().with_repository("api"));
    new.providers = vec!["anthropic:claude-sonnet-4".parse().expect("p"), "openai:gpt-4o".parse().expect("p")];
    new.daily_limit = Some(money("25"));
    new.monthly_limit = Some(money("400.50"));
    new.priority = 2;
    new.settings.insert("tone".into(), json!("terse"));
    let bea = registry.create_instance(new).await.expect("created");
    assert_eq!(bea.max_concurrent_tasks, 5, "the default");
    assert_eq!(bea.project_text(), "acme/shop/api");
    assert_eq!(bea.providers[1], Provider { provider: "openai".into(), model: "gpt-4o".into() });
    assert_eq!((bea.daily_limit, bea.monthly_limit), (Some(Money::from_dollars(25)), Some(money("400.5"))));
    let unassigned = registry.create_instance(NewInstance::new("una", "qa-test-engineer")).await.expect("created");
    assert_eq!(unassigned.project, None);

    let all = registry.list(None, None, None).await.expect("lists");
    let names: Vec<&str> = all.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["bea", "sam", "una"], "by project then name, unassigned last");
    let backend = registry.list(Some("backend-developer"), Some(&shop()), Some(Status::Active)).await.expect("lists");
    assert_eq!(backend.iter().map(|i| i.id).collect::<Vec<_>>(), vec![bea.id]);
    assert_eq!(registry.get(&InstanceRef::Name("bea".into())).await.expect("by name"), bea);
    assert_eq!(registry.get(&InstanceRef::Id(bea.id)).await.expect("by id"), bea);

    clock.advance(std::time::Duration::from_secs(60));
    let changes = InstanceChanges {
        name: Some("beatrice".into()),
        daily_limit: Some(None),
        max_concurrent_tasks: Some(2),
        settings: Some(serde_json::from_value(json!({"tone": null, "language": "en"})).expect("a map")),
        ..InstanceChanges::default()
    };
    let changed = registry.update(&InstanceRef::Id(bea.id), changes).await.expect("updated");
    assert_eq!(changed.name, "beatrice");
    assert_eq!((changed.daily_limit, changed.monthly_limit), (None, bea.monthly_limit));
    assert_eq!(changed.max_concurrent_tasks, 2);
    assert_eq!(serde_json::Value::Object(changed.settings.clone()), json!({"language": "en"}));
    assert_eq!(changed.updated_millis, clock.now_millis());
    assert_eq!((changed.providers.clone(), changed.priority), (bea.providers.clone(), 2), "untouched");

    let paused = registry.pause(&InstanceRef::Id(bea.id)).await.expect("paused");
    assert_eq!(paused.status, Status::Paused);
    assert_eq!(registry.pause(&InstanceRef::Id(bea.id)).await.expect("again").status, Status::Paused);
    assert_eq!(registry.resume(&InstanceRef::Id(bea.id)).await.expect("resumed").status, Status::Active);
    assert_eq!(registry.retire(&InstanceRef::Id(bea.id)).await.expect("retired").status, Status::Retired);
    for refused in [
        registry.resume(&InstanceRef::Id(bea.id)).await,
        registry.pause(&InstanceRef::Id(bea.id)).await,
        registry.update(&InstanceRef::Id(bea.id), InstanceChanges { priority: Some(1), ..Default::default() }).await,
    ] {
        let error = refused.expect_err("a retired instance stays retired");
        assert!(error.to_string().contains("retired") && error.is_bad_input(), "{error}");
    }

    let changes: Vec<String> = instance_changes(&registry, bea.id)
        .await
        .iter()
        .map(|e| e.details["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(changes, ["create", "update", "pause", "resume", "retire"], "each change audited once");
    let update = &instance_changes(&registry, bea.id).await[1];
    assert_eq!(update.details["changes"]["name"], json!({"from": "bea", "to": "beatrice"}));
    assert_eq!(update.details["changes"]["daily_limit"], json!({"from": "25.00", "to": null}));
}

async fn instance_changes(registry: &Registry, id: i64) -> Vec<AuditEntry> {
    let query = AuditQuery {
        instance: Some(InstanceRef::Id(id)),
        kinds: vec![AuditKind::InstanceChange],
        ..AuditQuery::default()
    };
    registry.audit(&query).await.expect("the audit log reads")
}

async fn an_instance_works_for_one_project_only(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    let una = registry.create_instance(NewInstance::new("una", "qa-test-engineer")).await.expect("created");
    let assigned = registry.assign_project(&InstanceRef::Name("una".into()), &shop()).await.expect("assigned");
    assert_eq!(assigned.project, Some(shop()));
    // The same project again changes nothing.
    assert_eq!(registry.assign_project(&InstanceRef::Id(una.id), &shop()).await.expect("same project"), assigned);
    let other = Project::new("acme", "bank");
    let error = registry.assign_project(&InstanceRef::Id(una.id), &other).await.expect_err("a second project");
    assert!(matches!(error, RegistryError::SecondProject { .. }), "{error:?}");
    assert!(
        error.to_string().contains("acme/shop") && error.to_string().contains("create another instance"),
        "{error}"
    );

    // The same name in another project is fine, and then a bare name is ambiguous.
    registry.create_instance(instance_in("una", "qa-test-engineer", &other)).await.expect("another project's una");
    let error = registry.get(&InstanceRef::Name("una".into())).await.expect_err("ambiguous");
    assert!(error.to_string().contains("acme/bank") && error.to_string().contains("--project"), "{error}");
    let in_bank = InstanceRef::InProject { project: other.clone(), name: "una".into() };
    assert_eq!(registry.get(&in_bank).await.expect("by project").project, Some(other));
}

/// Everything a refusal must leave as it was.
async fn snapshot(registry: &Registry) -> (Vec<Instance>, Vec<AuditEntry>, usize) {
    let instances = registry.list(None, None, None).await.expect("lists");
    let audit = registry.audit(&AuditQuery::default()).await.expect("reads");
    let types = registry.types().await.expect("types").len();
    (instances, audit, types)
}

async fn bad_input_is_refused_and_changes_nothing(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    registry.create_instance(instance_in("sam", "senior-developer", &shop())).await.expect("created");
    let bank = Project::new("acme", "bank");
    registry.create_instance(instance_in("bob", "backend-developer", &bank)).await.expect("created");
    registry.create_instance(instance_in("sid", "backend-developer", &shop())).await.expect("created");
    let before = snapshot(&registry).await;

    let sam = || InstanceRef::Name("sam".into());
    let negative = Some(money("-5"));
    let mut negative_daily = instance_in("neg", "senior-developer", &shop());
    negative_daily.daily_limit = negative;
    let mut negative_monthly = instance_in("neg", "senior-developer", &shop());
    negative_monthly.monthly_limit = negative;
    let mut no_capacity = instance_in("zero", "senior-developer", &shop());
    no_capacity.max_concurrent_tasks = Some(0);
    let refusals: Vec<(&str, Result<Instance, RegistryError>, &str)> = vec![
        ("a second project", registry.assign_project(&sam(), &bank).await, "already belongs to project acme/shop"),
        ("a negative daily limit", registry.create_instance(negative_daily).await, "cannot be negative"),
        ("a negative monthly limit", registry.create_instance(negative_monthly).await, "cannot be negative"),
        (
            "a negative limit by update",
            registry.update(&sam(), InstanceChanges { monthly_limit: Some(negative), ..Default::default() }).await,
            "cannot be negative",
        ),
        (
            "an unknown type",
            registry.create_instance(instance_in("x", "backend-develper", &shop())).await,
            "did you mean `backend-developer`?",
        ),
        (
            "a duplicate name",
            registry.create_instance(instance_in("sam", "qa-test-engineer", &shop())).await,
            "already has an instance named `sam`",
        ),
        (
            "a duplicate name by renaming",
            registry
                .update(
                    &InstanceRef::Name("sid".into()),
                    InstanceChanges { name: Some("sam".into()), ..Default::default() },
                )
                .await,
            "already has an instance named `sam`",
        ),
        ("a capacity of 0", registry.create_instance(no_capacity).await, "at least 1"),
        (
            "a bad name",
            registry.create_instance(instance_in("9lives", "qa-test-engineer", &shop())).await,
            "start with a letter",
        ),
    ];
    for (what, result, message) in refusals {
        let error = result.expect_err(what);
        assert!(error.is_bad_input(), "{what}: {error:?}");
        assert!(error.to_string().contains(message), "{what}: {error}");
    }
    // A duplicate by assignment: an unassigned `sam` cannot join the shop, which has one.
    let clash = registry.create_instance(NewInstance::new("sam", "qa-test-engineer")).await.expect("unassigned sam");
    let after_clash = snapshot(&registry).await;
    let error = registry.assign_project(&InstanceRef::Id(clash.id), &shop()).await.expect_err("a name taken");
    assert!(matches!(error, RegistryError::DuplicateName { .. }), "{error:?}");
    assert_eq!(snapshot(&registry).await, after_clash, "the refused assignment changed nothing");

    let (instances, audit, types) = after_clash;
    assert_eq!(types, before.2);
    assert_eq!(instances.len(), before.0.len() + 1, "only the accepted unassigned instance was added");
    assert!(before.0.iter().all(|i| instances.contains(i)), "the earlier instances are as they were");
    assert_eq!(audit.len(), before.1.len() + 1, "only its creation was audited");
}

async fn the_audit_log_answers_by_instance_workflow_instance_and_time(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    let ada = registry.create_instance(instance_in("ada", "software-architect", &shop())).await.expect("created");
    let bob = registry.create_instance(instance_in("bob", "backend-developer", &shop())).await.expect("created");
    let start = clock.now_millis();
    let route = |job_key: i64, persona: &str, workflow: i64| RouteRequest {
        job_key,
        persona_type: persona.into(),
        project: shop(),
        workflow_instance: Some(workflow),
        element_id: Some(format!("step-{job_key}")),
    };
    for (job, persona, workflow) in [(1, "software-architect", 100), (2, "backend-developer", 100)] {
        clock.advance(std::time::Duration::from_secs(10));
        let decision = registry.route(&route(job, persona, workflow)).await.expect("routed");
        assert!(matches!(decision, RouteDecision::Assigned(_)), "{decision:?}");
    }
    clock.advance(std::time::Duration::from_secs(3600));
    let later = clock.now_millis();
    registry.route(&route(3, "backend-developer", 200)).await.expect("routed");
    for (kind, who) in [
        (AuditKind::Approval, Some(InstanceRef::Id(ada.id))),
        (AuditKind::Veto, Some(InstanceRef::Id(ada.id))),
        (AuditKind::Escalation, None),
        (AuditKind::SlaBreach, None),
    ] {
        let event = AuditEvent {
            kind,
            instance: who,
            workflow_instance: Some(200),
            element_id: Some("review".into()),
            job_key: None,
            details: json!({"note": kind.as_str()}),
        };
        let entry = registry.record(event).await.expect("recorded");
        assert_eq!((entry.kind, entry.at_millis, entry.workflow_instance), (kind, later, Some(200)));
    }

    let query = |q: AuditQuery| {
        let registry = registry.clone();
        async move { registry.audit(&q).await.expect("the audit log reads") }
    };
    let kinds = |entries: &[AuditEntry]| entries.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>();

    let of_first = query(AuditQuery { workflow_instance: Some(100), ..Default::default() }).await;
    assert_eq!(kinds(&of_first), ["routing", "routing"]);
    assert_eq!(of_first[0].element_id.as_deref(), Some("step-1"));
    assert_eq!(of_first[0].instance_name.as_deref(), Some("ada"));
    assert_eq!(
        of_first[1].details["reason"],
        json!("the only instance that can take it (0 of 5 tasks before this one)")
    );

    let of_ada = query(AuditQuery { instance: Some(InstanceRef::Name("ada".into())), ..Default::default() }).await;
    assert_eq!(kinds(&of_ada), ["instance-change", "routing", "approval", "veto"]);

    let of_bob_routing = query(AuditQuery {
        instance: Some(InstanceRef::Id(bob.id)),
        kinds: vec![AuditKind::Routing],
        ..Default::default()
    })
    .await;
    assert_eq!(of_bob_routing.iter().map(|e| e.job_key).collect::<Vec<_>>(), [Some(2), Some(3)]);

    let early =
        query(AuditQuery { since_millis: Some(start + 1), until_millis: Some(later), ..Default::default() }).await;
    assert_eq!(early.iter().map(|e| e.job_key).collect::<Vec<_>>(), [Some(1), Some(2)], "the range is [since, until)");
    let late = query(AuditQuery { since_millis: Some(later), ..Default::default() }).await;
    assert_eq!(kinds(&late), ["routing", "approval", "veto", "escalation", "sla-breach"]);
    let newest = query(AuditQuery { limit: Some(2), ..Default::default() }).await;
    assert_eq!(kinds(&newest), ["escalation", "sla-breach"], "the newest, oldest first");
    assert!(newest[0].id < newest[1].id);

    let forged = AuditEvent {
        kind: AuditKind::Routing,
        instance: None,
        workflow_instance: None,
        element_id: None,
        job_key: Some(9),
        details: json!({}),
    };
    let error = registry.record(forged).await.expect_err("routing entries are the registry's");
    assert!(error.to_string().contains("written by the registry itself"), "{error}");
    let nobody = AuditQuery { instance: Some(InstanceRef::Name("nobody".into())), ..Default::default() };
    assert!(matches!(registry.audit(&nobody).await, Err(RegistryError::UnknownInstance { .. })));
}

async fn the_audit_log_is_append_only(store: TestStore) {
    let clock = VirtualClock::default();
    let registry = store.registry(&clock).await;
    registry.create_instance(instance_in("ada", "software-architect", &shop())).await.expect("created");
    registry.close().await;
    for statement in ["UPDATE persona_audit SET kind = 'veto'", "DELETE FROM persona_audit"] {
        let error = raw_execute(&store, statement).await.expect_err(statement);
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    let registry = store.open(&clock).await;
    assert_eq!(registry.audit(&AuditQuery::default()).await.expect("reads").len(), 1, "the entry is still there");
}

/// Runs `statement` on the store behind the registry's back.
async fn raw_execute(store: &TestStore, statement: &str) -> Result<u64, String> {
    Raw::connect(&store.location()).await.execute(statement).await
}

async fn the_engine_and_the_registry_share_a_store(store: TestStore) {
    let clock = VirtualClock::default();
    let location = match &store {
        // The engine's URL names its log; the registry ignores that and serves the database.
        TestStore::Postgres { url } => format!("{url}?log=shared-store"),
        TestStore::Sqlite { .. } => store.location(),
    };
    let registry = Registry::open(&location, std::sync::Arc::new(clock.clone())).await.expect("the registry opens");
    registry.load_types(&catalogue()).await.expect("loads");
    registry.create_instance(instance_in("ada", "software-architect", &shop())).await.expect("created");
    registry.close().await;
    // The engine's migrator does not trip over the registry's tables, nor the registry's over the engine's.
    for _ in 0..2 {
        let engine_store = engine::store::open(&location).unwrap_or_else(|e| panic!("the engine opens: {e}"));
        drop(engine_store);
        let registry = Registry::open(&location, std::sync::Arc::new(clock.clone())).await.expect("reopens");
        assert_eq!(registry.list(None, None, None).await.expect("lists").len(), 1);
        registry.close().await;
    }
}

async fn a_newer_registry_schema_is_refused(store: TestStore) {
    let clock = VirtualClock::default();
    store.open(&clock).await.close().await;
    raw_execute(
        &store,
        "INSERT INTO persona_schema_migrations (version, description, checksum, applied_at) VALUES (99, 'future', '00', 0)",
    )
    .await
    .expect("a future migration recorded");
    let error = Registry::open(&store.location(), std::sync::Arc::new(clock)).await.expect_err("refused");
    assert!(error.to_string().contains("migration 99") && error.to_string().contains("newer"), "{error}");
}

/// A SQLite store made by the first schema (its checks with `IN` lists) is upgraded in place:
/// its assignments and audit log are kept, ids go on from where they were, and the log stays
/// append-only.
#[test]
fn a_sqlite_store_of_the_first_schema_is_upgraded_with_its_data() {
    support::block_on(async {
        use sqlx::Connection;
        let clock = VirtualClock::default();
        // The checksum the registry records for migration 1, from a store it made.
        let current = TestStore::sqlite();
        current.open(&clock).await.close().await;
        let mut raw = sqlx::SqliteConnection::connect(&current.location()).await.expect("connects");
        let (checksum,): (String,) = sqlx::query_as("SELECT checksum FROM persona_schema_migrations WHERE version = 1")
            .fetch_one(&mut raw)
            .await
            .expect("migration 1 recorded");
        raw.close().await.expect("closes");

        let old = TestStore::sqlite();
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(old.location()).create_if_missing(true);
        let mut raw = sqlx::SqliteConnection::connect_with(&options).await.expect("creates");
        sqlx::raw_sql(include_str!("../migrations/sqlite/0001_persona_registry.sql"))
            .execute(&mut raw)
            .await
            .expect("the first schema");
        sqlx::raw_sql(&format!(
            "CREATE TABLE persona_schema_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
               checksum TEXT NOT NULL, applied_at BIGINT NOT NULL);
             INSERT INTO persona_schema_migrations VALUES (1, 'persona registry', '{checksum}', 0);
             INSERT INTO persona_type (id, name, group_name, capabilities, max_concurrent_tasks, allowed_actions, loaded_at)
               VALUES ('technical-writer', 'Technical writer', 'docs', '[]', 5, '[]', 0);
             INSERT INTO persona_instance (id, name, persona_type, organisation, project, providers, max_concurrent_tasks,
               settings, status, open_tasks, created_at, updated_at)
               VALUES (1, 'tess', 'technical-writer', 'acme', 'shop', '[]', 5, '{{}}', 'active', 1, 0, 0);
             INSERT INTO persona_assignment (job_key, instance_id, persona_type, organisation, project, started_at)
               VALUES (10, 1, 'technical-writer', 'acme', 'shop', 0), (11, 1, 'technical-writer', 'acme', 'shop', 0),
                      (12, 1, 'technical-writer', 'acme', 'shop', 0);
             UPDATE persona_assignment SET finished_at = 1, outcome = 'succeeded' WHERE job_key = 10;
             DELETE FROM persona_assignment WHERE job_key = 12;
             INSERT INTO persona_audit (at, kind, instance_id, job_key, details)
               VALUES (0, 'routing', 1, 10, '{{\"decision\": \"assigned\"}}');"
        ))
        .execute(&mut raw)
        .await
        .expect("data of the first schema");
        raw.close().await.expect("closes");

        let registry = Registry::open(&old.location(), std::sync::Arc::new(clock)).await.expect("upgrades");
        let open = registry.open_work(&InstanceRef::Name("tess".into())).await.expect("reads");
        assert_eq!(open.iter().map(|job| job.job_key).collect::<Vec<_>>(), [11], "{open:?}");
        let audit = registry.audit(&AuditQuery::default()).await.expect("reads");
        assert_eq!(audit.len(), 1, "{audit:?}");
        let request = RouteRequest {
            job_key: 13,
            persona_type: "technical-writer".into(),
            project: shop(),
            workflow_instance: None,
            element_id: None,
        };
        assert!(matches!(registry.route(&request).await.expect("routes"), RouteDecision::Assigned(_)));
        registry.close().await;

        let mut raw = Raw::connect(&old.location()).await;
        assert_eq!(
            raw.pairs("SELECT id, job_key FROM persona_assignment WHERE job_key = 13").await,
            [(4, 13)],
            "ids go on after the last one ever given (3), not the last one left"
        );
        let refused = raw.execute("UPDATE persona_audit SET details = '{}'").await.expect_err("append-only");
        assert!(refused.contains("append-only"), "{refused}");
        let refused = raw.execute("UPDATE persona_assignment SET outcome = 'lost', finished_at = 1").await;
        assert!(refused.expect_err("an unknown outcome").contains("CHECK"));
    });
}
