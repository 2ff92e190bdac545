//! [`Registry`]: opening the store, the persona types, and creating and changing instances.

use std::sync::{Arc, Mutex, MutexGuard};

use engine::Clock;
use serde_json::{Map, Value, json};
use yaml_to_bpmn::diagnostic::Pos;
use yaml_to_bpmn::personas::{PersonaCatalogue, PersonaDefaults, PersonaType};

use crate::audit::{self, Append, AuditEntry, AuditEvent, AuditKind, AuditQuery};
use crate::commit::GroupCommit;
use crate::db::{Db, Tx, args};
use crate::error::{RegistryError, Result};
use crate::index::Index;
use crate::migrate::migrate;
use crate::model::{
    INSTANCE_COLUMNS, Instance, InstanceChanges, InstanceRef, NewInstance, PersonaTypeInfo, Project, Status,
    check_capacity, check_limit, check_name,
};
use crate::money::PriceTable;
use crate::period::Period;

/// The persona registry on a store (a SQLite file or a PostgreSQL database).
///
/// Cheap to clone: clones share the connections, the clock and the prices. Every operation is
/// one transaction, so a refused or failed one changes nothing.
#[derive(Clone)]
pub struct Registry {
    pub(crate) db: Db,
    clock: Arc<dyn Clock>,
    pub(crate) prices: Arc<PriceTable>,
    /// Routing's view of its candidates ([`crate::index`]).
    index: Arc<Mutex<Index>>,
    /// Held while a view of the index is read from the store, so one read serves the routes
    /// that wait for it.
    pub(crate) group_reads: Arc<tokio::sync::Mutex<()>>,
    /// Routing's writes waiting for their transaction ([`crate::commit`]).
    pub(crate) commits: Arc<GroupCommit>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").field("store", &self.db.location()).finish()
    }
}

/// What [`Registry::load_types`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TypesLoaded {
    /// Types the store did not have.
    pub added: Vec<String>,
    /// Types whose entry changed.
    pub updated: Vec<String>,
    /// Types already as the catalogue has them.
    pub unchanged: usize,
}

impl Registry {
    /// Opens the registry in the store at `location`: the path of a SQLite file (created when
    /// missing) or a `postgres://` URL, as the engine takes them. Applies the registry's schema
    /// migrations. `clock` dates everything and turns the spend days and months.
    pub async fn open(location: &str, clock: Arc<dyn Clock>) -> Result<Self> {
        let db = Db::open(location).await?;
        Self::migrated(db, clock).await
    }

    /// The registry on `db`, its schema migrated.
    async fn migrated(db: Db, clock: Arc<dyn Clock>) -> Result<Self> {
        migrate(&db, clock.now_millis()).await?;
        Ok(Self {
            db,
            clock,
            prices: Arc::new(PriceTable::default()),
            index: Arc::default(),
            group_reads: Arc::default(),
            commits: Arc::default(),
        })
    }

    /// Opens the registry in the SQLite file of an engine that runs in this process, through the
    /// connection its store lends ([`engine::store::SqliteStore::shared_connection`]): the engine
    /// holds its file to itself, so [`Registry::open`] on it would be refused. Applies the
    /// registry's schema migrations. Work stops when the engine's store closes.
    ///
    /// The operations a runtime calls while the engine runs (routing, finishing, spend) run on
    /// a thread of the registry's own, so they never wait for a runtime thread that an engine
    /// command blocks; the others (creating and changing instances, listing) are for when the
    /// engine is idle.
    pub async fn on_engine_store(shared: engine::store::SharedConnection, clock: Arc<dyn Clock>) -> Result<Self> {
        let db = Db::lent(shared)?;
        Self::migrated(db, clock).await
    }

    /// The same registry pricing tokens with `prices` (see [`Registry::charge`]).
    pub fn with_prices(mut self, prices: PriceTable) -> Self {
        self.prices = Arc::new(prices);
        self
    }

    /// The price table in use.
    pub fn prices(&self) -> &PriceTable {
        &self.prices
    }

    /// Where the registry lives: the file path, or the URL without its password.
    pub fn location(&self) -> &str {
        self.db.location()
    }

    /// The database connections the registry holds open now (none when it uses the engine's).
    pub fn connections(&self) -> u32 {
        self.db.connections()
    }

    /// Closes the connections (clones of this registry stop working too).
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// Runs `op` on a handle of this registry where its store work must run: on the registry's
    /// own thread when the engine lends its connection (an engine command waiting for that
    /// connection must never block the thread a registry transaction needs to go on), else here.
    /// Every public operation that opens a transaction goes through it.
    pub(crate) async fn detached<T, Fut>(&self, op: impl FnOnce(Registry) -> Fut) -> Result<T>
    where
        T: Send + 'static,
        Fut: std::future::Future<Output = Result<T>> + Send + 'static,
    {
        self.db.detach(op(self.clone())).await
    }

    /// Routing's view of its candidates. A poisoned lock (a panic while it was held) only means
    /// a view may be off, which the store's conditional updates tolerate: it is cleared.
    pub(crate) fn index(&self) -> MutexGuard<'_, Index> {
        self.index.lock().unwrap_or_else(|poisoned| {
            let mut index = poisoned.into_inner();
            index.clear();
            index
        })
    }

    /// Now, on the registry's clock (epoch ms).
    pub(crate) fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Adds the catalogue's persona types to the store and updates the ones that changed. Types
    /// the catalogue no longer has stay (instances of them may still be working).
    pub async fn load_types(&self, catalogue: &PersonaCatalogue) -> Result<TypesLoaded> {
        let now = self.now();
        let mut tx = self.db.write().await?;
        let mut loaded = TypesLoaded::default();
        for persona in &catalogue.types {
            let capabilities = json!(persona.capabilities).to_string();
            let allowed = json!(persona.defaults.allowed_actions).to_string();
            let fields = args![
                persona.id.as_str(),
                persona.name.as_str(),
                persona.group.as_str(),
                capabilities,
                persona.workflow.as_deref(),
                i64::from(persona.defaults.max_concurrent_tasks),
                allowed,
                persona.defaults.escalate_to.as_deref(),
                now,
            ];
            let unchanged = tx
                .fetch_optional(
                    "SELECT 1 AS same FROM persona_type WHERE id = $1 AND name = $2 AND group_name = $3 \
                     AND capabilities = $4 AND workflow IS NOT DISTINCT FROM $5 AND max_concurrent_tasks = $6 \
                     AND allowed_actions = $7 AND escalate_to IS NOT DISTINCT FROM $8",
                    &fields[..8],
                )
                .await?
                .is_some();
            if unchanged {
                loaded.unchanged += 1;
                continue;
            }
            let changed = tx
                .execute(
                    "UPDATE persona_type SET name = $2, group_name = $3, capabilities = $4, workflow = $5, \
                     max_concurrent_tasks = $6, allowed_actions = $7, escalate_to = $8, loaded_at = $9 WHERE id = $1",
                    &fields,
                )
                .await?;
            if changed == 1 {
                loaded.updated.push(persona.id.clone());
            } else {
                tx.execute(
                    "INSERT INTO persona_type (id, name, group_name, capabilities, workflow, max_concurrent_tasks, \
                     allowed_actions, escalate_to, loaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &fields,
                )
                .await?;
                loaded.added.push(persona.id.clone());
            }
        }
        tx.commit().await?;
        Ok(loaded)
    }

    /// The latest time the registry recorded (an audit entry, an assignment's start or finish,
    /// a charge), `None` when it recorded nothing. A virtual clock that starts again after a
    /// crash starts no earlier than this, so the audit log never runs backwards.
    pub async fn last_time(&self) -> Result<Option<i64>> {
        self.detached(move |r| async move { r.last_time_here().await }).await
    }

    async fn last_time_here(&self) -> Result<Option<i64>> {
        let mut tx = self.db.read().await?;
        let row = tx
            .fetch_one(
                "SELECT MAX(t) AS latest FROM ( \
                 SELECT MAX(at) AS t FROM persona_audit \
                 UNION ALL SELECT MAX(COALESCE(finished_at, started_at)) FROM persona_assignment \
                 UNION ALL SELECT MAX(charged_at) FROM persona_spend_charge) AS times",
                &[],
            )
            .await?;
        let latest: Option<i64> = row.get("latest")?;
        tx.commit().await?;
        Ok(latest)
    }

    /// The persona types in the store, by id, with how many instances of each are not retired.
    pub async fn types(&self) -> Result<Vec<PersonaTypeInfo>> {
        self.detached(move |r| async move { r.types_here().await }).await
    }

    async fn types_here(&self) -> Result<Vec<PersonaTypeInfo>> {
        let mut tx = self.db.read().await?;
        let types = read_types(&mut tx).await?;
        tx.commit().await?;
        Ok(types)
    }

    /// Creates an instance. Refused, changing nothing, for an unknown type (with the closest
    /// known id), a name the project already has, a negative limit, a capacity of 0, or a bad
    /// name, provider or setting.
    pub async fn create_instance(&self, new: NewInstance) -> Result<Instance> {
        self.create_instance_noting(new, None).await
    }

    /// [`create_instance`](Registry::create_instance), its audit entry carrying `note` (why)
    /// under `because`.
    pub(crate) async fn create_instance_noting(&self, new: NewInstance, note: Option<Value>) -> Result<Instance> {
        self.detached(move |r| async move { r.create_instance_here(new, note).await }).await
    }

    async fn create_instance_here(&self, new: NewInstance, note: Option<Value>) -> Result<Instance> {
        check_name(&new.name)?;
        check_limit("daily", new.daily_limit)?;
        check_limit("monthly", new.monthly_limit)?;
        if let Some(capacity) = new.max_concurrent_tasks {
            check_capacity(capacity)?;
        }
        let now = self.now();
        let mut tx = self.db.write().await?;
        let default_capacity = known_type(&mut tx, &new.persona_type).await?;
        if let Some(project) = &new.project {
            check_free_name(&mut tx, project, &new.name, None).await?;
        }
        let capacity = new.max_concurrent_tasks.unwrap_or(default_capacity);
        let project = new.project.as_ref();
        let inserted = tx
            .fetch_one(
                "INSERT INTO persona_instance (name, persona_type, organisation, project, repository, providers, \
                 daily_limit, monthly_limit, max_concurrent_tasks, priority, settings, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12, $12) RETURNING id",
                &args![
                    new.name.as_str(),
                    new.persona_type.as_str(),
                    project.map(|p| p.organisation.as_str()),
                    project.map(|p| p.project.as_str()),
                    project.and_then(|p| p.repository.as_deref()),
                    json!(new.providers).to_string(),
                    new.daily_limit.map(|m| m.micros()),
                    new.monthly_limit.map(|m| m.micros()),
                    i64::from(capacity),
                    i64::from(new.priority),
                    Value::Object(without_nulls(new.settings)).to_string(),
                    now,
                ],
            )
            .await;
        let id: i64 = match inserted {
            Ok(row) => row.get("id")?,
            Err(e) if e.is_unique_violation() => return Err(duplicate(&new.name, project)),
            Err(e) => return Err(e.into()),
        };
        let instance = load(&mut tx, id, now).await?;
        Append::about(AuditKind::InstanceChange, id, noted(json!({"action": "create", "instance": instance}), note))
            .write(&mut tx, now)
            .await?;
        tx.commit().await?;
        self.index().clear();
        Ok(instance)
    }

    /// The instances, by project and name, optionally only those of `persona_type`, `project`
    /// (its organisation and project) or `status`.
    pub async fn list(
        &self,
        persona_type: Option<&str>,
        project: Option<&Project>,
        status: Option<Status>,
    ) -> Result<Vec<Instance>> {
        let (persona_type, project) = (persona_type.map(str::to_owned), project.cloned());
        self.detached(move |r| async move { r.list_here(persona_type.as_deref(), project.as_ref(), status).await })
            .await
    }

    async fn list_here(
        &self,
        persona_type: Option<&str>,
        project: Option<&Project>,
        status: Option<Status>,
    ) -> Result<Vec<Instance>> {
        let now = self.now();
        let mut tx = self.db.read().await?;
        let rows = tx
            .fetch_all(
                &format!(
                    "SELECT {INSTANCE_COLUMNS} FROM persona_instance \
                     WHERE ($1 IS NULL OR persona_type = $1) AND ($2 IS NULL OR organisation = $2) \
                       AND ($3 IS NULL OR project = $3) AND ($4 IS NULL OR status = $4) \
                     ORDER BY (organisation IS NULL), organisation, project, name, id"
                ),
                &args![
                    persona_type,
                    project.map(|p| p.organisation.as_str()),
                    project.map(|p| p.project.as_str()),
                    status.map(Status::as_str),
                ],
            )
            .await?;
        tx.commit().await?;
        rows.iter().map(|row| Instance::from_row(row, Period::at(now))).collect()
    }

    /// One instance.
    pub async fn get(&self, instance: &InstanceRef) -> Result<Instance> {
        let instance = instance.clone();
        self.detached(move |r| async move { r.get_here(&instance).await }).await
    }

    async fn get_here(&self, instance: &InstanceRef) -> Result<Instance> {
        let now = self.now();
        let mut tx = self.db.read().await?;
        let found = resolve(&mut tx, instance, now).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// Changes an instance's settings (not its type, project or status). Refused, changing
    /// nothing, for a retired instance, a name its project already has, a negative limit or a
    /// capacity of 0. A lower capacity than the tasks it holds only stops new work reaching it.
    pub async fn update(&self, instance: &InstanceRef, changes: InstanceChanges) -> Result<Instance> {
        let instance = instance.clone();
        self.detached(move |r| async move { r.update_here(&instance, changes).await }).await
    }

    async fn update_here(&self, instance: &InstanceRef, changes: InstanceChanges) -> Result<Instance> {
        if let Some(name) = &changes.name {
            check_name(name)?;
        }
        check_limit("daily", changes.daily_limit.flatten())?;
        check_limit("monthly", changes.monthly_limit.flatten())?;
        if let Some(capacity) = changes.max_concurrent_tasks {
            check_capacity(capacity)?;
        }
        let now = self.now();
        let mut tx = self.db.write().await?;
        let before = resolve(&mut tx, instance, now).await?;
        refuse_retired(&before, "change")?;
        if let (Some(name), Some(project)) = (&changes.name, &before.project) {
            check_free_name(&mut tx, project, name, Some(before.id)).await?;
        }
        let mut settings = before.settings.clone();
        for (key, value) in changes.settings.clone().unwrap_or_default() {
            if value.is_null() {
                settings.remove(&key);
            } else {
                settings.insert(key, value);
            }
        }
        let name = changes.name.clone().unwrap_or_else(|| before.name.clone());
        let providers = changes.providers.clone().unwrap_or_else(|| before.providers.clone());
        let daily = changes.daily_limit.unwrap_or(before.daily_limit);
        let monthly = changes.monthly_limit.unwrap_or(before.monthly_limit);
        let capacity = changes.max_concurrent_tasks.unwrap_or(before.max_concurrent_tasks);
        let priority = changes.priority.unwrap_or(before.priority);
        let updated = tx
            .execute(
                "UPDATE persona_instance SET name = $2, providers = $3, daily_limit = $4, monthly_limit = $5, \
                 max_concurrent_tasks = $6, priority = $7, settings = $8, updated_at = $9 WHERE id = $1",
                &args![
                    before.id,
                    name.as_str(),
                    json!(providers).to_string(),
                    daily.map(|m| m.micros()),
                    monthly.map(|m| m.micros()),
                    i64::from(capacity),
                    i64::from(priority),
                    Value::Object(settings).to_string(),
                    now,
                ],
            )
            .await;
        match updated {
            Err(e) if e.is_unique_violation() => return Err(duplicate(&name, before.project.as_ref())),
            other => other?,
        };
        let after = load(&mut tx, before.id, now).await?;
        let changed = changed_fields(&before, &after);
        Append::about(AuditKind::InstanceChange, before.id, json!({"action": "update", "changes": changed}))
            .write(&mut tx, now)
            .await?;
        tx.commit().await?;
        self.index().forget_instance(before.id);
        Ok(after)
    }

    /// Stops an active instance taking new work. The jobs it holds stay with it until they finish
    /// or [`reassign_open_work`](Registry::reassign_open_work) takes them back. Pausing a paused
    /// instance changes nothing; a retired one is refused.
    pub async fn pause(&self, instance: &InstanceRef) -> Result<Instance> {
        self.set_status(instance, Status::Paused).await
    }

    /// Lets a paused instance take work again. Resuming an active instance changes nothing; a
    /// retired one is refused (retirement is for good).
    pub async fn resume(&self, instance: &InstanceRef) -> Result<Instance> {
        self.set_status(instance, Status::Active).await
    }

    /// Retires an instance for good: it takes no new work. Its open jobs stay with it until they
    /// finish or [`reassign_open_work`](Registry::reassign_open_work) takes them back.
    pub async fn retire(&self, instance: &InstanceRef) -> Result<Instance> {
        self.set_status(instance, Status::Retired).await
    }

    async fn set_status(&self, instance: &InstanceRef, status: Status) -> Result<Instance> {
        self.set_status_noting(instance, status, StatusChange::default()).await
    }

    /// Sets an instance's status as [`pause`](Registry::pause), [`resume`](Registry::resume) and
    /// [`retire`](Registry::retire) do, with the extras of `change`.
    pub(crate) async fn set_status_noting(
        &self,
        instance: &InstanceRef,
        status: Status,
        change: StatusChange,
    ) -> Result<Instance> {
        let instance = instance.clone();
        self.detached(move |r| async move { r.set_status_here(&instance, status, change).await }).await
    }

    async fn set_status_here(&self, instance: &InstanceRef, status: Status, change: StatusChange) -> Result<Instance> {
        let now = self.now();
        let mut tx = self.db.write().await?;
        let before = resolve(&mut tx, instance, now).await?;
        if before.status == status {
            return Ok(before);
        }
        if change.only_idle && before.open_tasks > 0 {
            return Err(RegistryError::WrongStatus(format!(
                "instance `{}` took {} jobs meanwhile; it is left as it is while it holds work",
                before.name, before.open_tasks
            )));
        }
        let verb = match status {
            Status::Active => "resume",
            Status::Paused => "pause",
            Status::Retired => "retire",
        };
        refuse_retired(&before, verb)?;
        tx.execute(
            "UPDATE persona_instance SET status = $2, updated_at = $3 WHERE id = $1",
            &args![before.id, status.as_str(), now],
        )
        .await?;
        Append::about(
            AuditKind::InstanceChange,
            before.id,
            noted(
                json!({"action": verb, "from": before.status, "to": status, "open_tasks": before.open_tasks}),
                change.note,
            ),
        )
        .write(&mut tx, now)
        .await?;
        let after = load(&mut tx, before.id, now).await?;
        tx.commit().await?;
        self.index().forget_instance(before.id);
        Ok(after)
    }

    /// Assigns an instance to its project. An instance works for exactly one project: assigning
    /// it to the project it has changes nothing; to any other it is refused (create another
    /// instance for that project). Refused too when the project already has an instance of the
    /// same name, or the instance is retired.
    pub async fn assign_project(&self, instance: &InstanceRef, project: &Project) -> Result<Instance> {
        let (instance, project) = (instance.clone(), project.clone());
        self.detached(move |r| async move { r.assign_project_here(&instance, &project).await }).await
    }

    async fn assign_project_here(&self, instance: &InstanceRef, project: &Project) -> Result<Instance> {
        let now = self.now();
        let mut tx = self.db.write().await?;
        let before = resolve(&mut tx, instance, now).await?;
        match &before.project {
            Some(current) if current == project => return Ok(before),
            Some(current) => {
                return Err(RegistryError::SecondProject {
                    instance: before.name.clone(),
                    current: current.to_string(),
                    requested: project.to_string(),
                });
            }
            None => {}
        }
        refuse_retired(&before, "assign")?;
        check_free_name(&mut tx, project, &before.name, Some(before.id)).await?;
        let updated = tx
            .execute(
                "UPDATE persona_instance SET organisation = $2, project = $3, repository = $4, updated_at = $5 \
                 WHERE id = $1 AND organisation IS NULL",
                &args![
                    before.id,
                    project.organisation.as_str(),
                    project.project.as_str(),
                    project.repository.as_deref(),
                    now
                ],
            )
            .await;
        match updated {
            Err(e) if e.is_unique_violation() => return Err(duplicate(&before.name, Some(project))),
            other => other?,
        };
        Append::about(AuditKind::InstanceChange, before.id, json!({"action": "assign", "project": project}))
            .write(&mut tx, now)
            .await?;
        let after = load(&mut tx, before.id, now).await?;
        tx.commit().await?;
        self.index().clear();
        Ok(after)
    }

    /// Records an approval, veto, escalation or SLA breach in the audit log (routing, spend and
    /// instance changes are recorded by the registry itself). Returns the entry.
    pub async fn record(&self, event: AuditEvent) -> Result<AuditEntry> {
        self.detached(move |r| async move { r.record_here(event).await }).await
    }

    async fn record_here(&self, event: AuditEvent) -> Result<AuditEntry> {
        audit::check_event(&event)?;
        let now = self.now();
        let mut tx = self.db.write().await?;
        let instance = match &event.instance {
            Some(instance) => Some(resolve(&mut tx, instance, now).await?),
            None => None,
        };
        let id = Append {
            kind: event.kind,
            instance_id: instance.as_ref().map(|i| i.id),
            workflow_instance: event.workflow_instance,
            element_id: event.element_id.as_deref(),
            job_key: event.job_key,
            details: event.details.to_string().into(),
        }
        .write(&mut tx, now)
        .await?;
        tx.commit().await?;
        Ok(AuditEntry {
            id,
            at_millis: now,
            kind: event.kind,
            instance_id: instance.as_ref().map(|i| i.id),
            instance_name: instance.map(|i| i.name),
            workflow_instance: event.workflow_instance,
            element_id: event.element_id,
            job_key: event.job_key,
            details: event.details,
        })
    }

    /// The audit entries matching `query`, oldest first.
    pub async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let query = query.clone();
        self.detached(move |r| async move { r.audit_here(&query).await }).await
    }

    async fn audit_here(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let now = self.now();
        let mut tx = self.db.read().await?;
        let instance_id = match &query.instance {
            Some(instance) => Some(resolve(&mut tx, instance, now).await?.id),
            None => None,
        };
        let entries = audit::read(&mut tx, query, instance_id).await?;
        tx.commit().await?;
        Ok(entries)
    }
}

/// What a status change does besides setting the status.
#[derive(Debug, Clone, Default)]
pub(crate) struct StatusChange {
    /// Why, kept in the audit entry under `because`.
    pub note: Option<Value>,
    /// Refuse (changing nothing) when the instance holds work.
    pub only_idle: bool,
}

/// The details of an audit entry with `note` (why the change was made) under `because`.
fn noted(mut details: Value, note: Option<Value>) -> Value {
    if let (Some(note), Some(fields)) = (note, details.as_object_mut()) {
        fields.insert("because".into(), note);
    }
    details
}

/// The store's persona types.
async fn read_types(tx: &mut Tx) -> Result<Vec<PersonaTypeInfo>> {
    let rows = tx
        .fetch_all(
            "SELECT t.id, t.name, t.group_name, t.capabilities, t.workflow, t.max_concurrent_tasks, \
             t.allowed_actions, t.escalate_to, \
             (SELECT COUNT(*) FROM persona_instance i WHERE i.persona_type = t.id AND i.status <> 'retired') AS instances \
             FROM persona_type t ORDER BY t.id",
            &[],
        )
        .await?;
    let list = |row: &crate::db::Row, column: &str| -> Result<Vec<String>> {
        let text: String = row.get(column)?;
        serde_json::from_str(&text).map_err(|e| RegistryError::Store {
            location: row.location().to_owned(),
            message: format!("persona_type.{column} is not a JSON list ({e}); load the catalogue again"),
        })
    };
    rows.iter()
        .map(|row| {
            Ok(PersonaTypeInfo {
                id: row.get("id")?,
                name: row.get("name")?,
                group: row.get("group_name")?,
                capabilities: list(row, "capabilities")?,
                workflow: row.get("workflow")?,
                max_concurrent_tasks: u32::try_from(row.get::<i64>("max_concurrent_tasks")?).unwrap_or(1),
                allowed_actions: list(row, "allowed_actions")?,
                escalate_to: row.get("escalate_to")?,
                instances: u32::try_from(row.get::<i64>("instances")?).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// The default capacity of persona type `id`, or the error naming the closest known type.
pub(crate) async fn known_type(tx: &mut Tx, id: &str) -> Result<u32> {
    let found = tx.fetch_optional("SELECT max_concurrent_tasks FROM persona_type WHERE id = $1", &args![id]).await?;
    if let Some(row) = found {
        return Ok(u32::try_from(row.get::<i64>("max_concurrent_tasks")?).unwrap_or(1));
    }
    let types = read_types(tx).await?;
    let message = if types.is_empty() {
        format!(
            "unknown persona type `{id}`: the store has no persona types yet; load the catalogue with `orchestrator personas types`"
        )
    } else {
        // The catalogue's own wording and suggestion, over the types the store holds.
        let catalogue = PersonaCatalogue {
            source: "`orchestrator personas types`".into(),
            types: types
                .into_iter()
                .map(|t| PersonaType {
                    id: t.id,
                    name: t.name,
                    group: t.group,
                    capabilities: t.capabilities,
                    workflow: t.workflow,
                    defaults: PersonaDefaults {
                        max_concurrent_tasks: t.max_concurrent_tasks,
                        allowed_actions: t.allowed_actions,
                        escalate_to: t.escalate_to,
                    },
                    role: None,
                    prompts: Vec::new(),
                    pos: Pos::default(),
                })
                .collect(),
            prompt_templates: Vec::new(),
        };
        catalogue.unknown(id)
    };
    Err(RegistryError::UnknownType { id: id.to_owned(), message })
}

/// The instance with id `id`.
pub(crate) async fn load(tx: &mut Tx, id: i64, now: i64) -> Result<Instance> {
    let row =
        tx.fetch_one(&format!("SELECT {INSTANCE_COLUMNS} FROM persona_instance WHERE id = $1"), &args![id]).await?;
    Instance::from_row(&row, Period::at(now))
}

/// The instance a reference names.
pub(crate) async fn resolve(tx: &mut Tx, instance: &InstanceRef, now: i64) -> Result<Instance> {
    let select = format!("SELECT {INSTANCE_COLUMNS} FROM persona_instance");
    let rows = match instance {
        InstanceRef::Id(id) => tx.fetch_all(&format!("{select} WHERE id = $1"), &args![*id]).await?,
        InstanceRef::Name(name) => {
            tx.fetch_all(&format!("{select} WHERE name = $1 ORDER BY id"), &args![name.as_str()]).await?
        }
        InstanceRef::InProject { project, name } => {
            tx.fetch_all(
                &format!("{select} WHERE organisation = $1 AND project = $2 AND name = $3"),
                &args![project.organisation.as_str(), project.project.as_str(), name.as_str()],
            )
            .await?
        }
    };
    let mut found: Vec<Instance> =
        rows.iter().map(|row| Instance::from_row(row, Period::at(now))).collect::<Result<_>>()?;
    match found.len() {
        0 => Err(RegistryError::UnknownInstance { reference: instance.to_string() }),
        1 => Ok(found.remove(0)),
        _ => Err(RegistryError::AmbiguousName {
            name: found[0].name.clone(),
            projects: found.iter().map(Instance::project_text).collect(),
            ids: found.iter().map(|i| i.id).collect(),
        }),
    }
}

/// Refuses when the project already has an instance named `name` (other than `except`).
async fn check_free_name(tx: &mut Tx, project: &Project, name: &str, except: Option<i64>) -> Result<()> {
    let taken = tx
        .fetch_optional(
            "SELECT id FROM persona_instance WHERE organisation = $1 AND project = $2 AND name = $3 \
             AND ($4 IS NULL OR id <> $4)",
            &args![project.organisation.as_str(), project.project.as_str(), name, except],
        )
        .await?;
    match taken {
        Some(_) => Err(duplicate(name, Some(project))),
        None => Ok(()),
    }
}

fn duplicate(name: &str, project: Option<&Project>) -> RegistryError {
    RegistryError::DuplicateName { name: name.to_owned(), project: project.map_or_else(|| "-".into(), Project::key) }
}

/// Refuses to `verb` a retired instance.
pub(crate) fn refuse_retired(instance: &Instance, verb: &str) -> Result<()> {
    if instance.status == Status::Retired {
        return Err(RegistryError::WrongStatus(format!(
            "instance `{}` is retired and cannot {verb}; create a new instance instead",
            instance.name
        )));
    }
    Ok(())
}

/// The settings without `null` values (null means "no such setting").
fn without_nulls(settings: Map<String, Value>) -> Map<String, Value> {
    settings.into_iter().filter(|(_, value)| !value.is_null()).collect()
}

/// The configurable fields that differ, as `{field: {from, to}}`.
fn changed_fields(before: &Instance, after: &Instance) -> Value {
    let (before, after) = (json!(before), json!(after));
    let mut changes = Map::new();
    for field in ["name", "providers", "daily_limit", "monthly_limit", "max_concurrent_tasks", "priority", "settings"] {
        if before[field] != after[field] {
            changes.insert(field.into(), json!({"from": before[field], "to": after[field]}));
        }
    }
    Value::Object(changes)
}
