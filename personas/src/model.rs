//! The registry's data: projects, providers, persona types and instances, and the inputs that
//! create and change instances.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::db::{DbError, Row};
use crate::error::{RegistryError, Result};
use crate::money::Money;
use crate::period::Period;

/// How many finished assignments the recent success rate looks at.
pub const SUCCESS_WINDOW: usize = 20;

/// The longest instance name.
const MAX_NAME: usize = 64;

/// A project: an organisation's project, optionally narrowed to one repository.
///
/// Written `organisation/project` or `organisation/project/repository`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Project {
    /// The organisation (an Azure DevOps organisation, a GitHub owner, ...).
    pub organisation: String,
    /// The project within it.
    pub project: String,
    /// The repository; `None` for the whole project.
    pub repository: Option<String>,
}

impl Project {
    /// The project `organisation/project`.
    pub fn new(organisation: impl Into<String>, project: impl Into<String>) -> Self {
        Self { organisation: organisation.into(), project: project.into(), repository: None }
    }

    /// The same project narrowed to `repository`.
    pub fn with_repository(mut self, repository: impl Into<String>) -> Self {
        self.repository = Some(repository.into());
        self
    }

    /// `organisation/project`, without the repository: the unit an instance belongs to.
    pub fn key(&self) -> String {
        format!("{}/{}", self.organisation, self.project)
    }
}

impl fmt::Display for Project {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repository {
            Some(repository) => write!(f, "{}/{}/{repository}", self.organisation, self.project),
            None => write!(f, "{}/{}", self.organisation, self.project),
        }
    }
}

impl FromStr for Project {
    type Err = RegistryError;

    fn from_str(text: &str) -> Result<Self> {
        let parts: Vec<&str> = text.trim().split('/').collect();
        let valid = |part: &&str| !part.is_empty() && !part.chars().any(char::is_whitespace);
        match parts.as_slice() {
            [organisation, project] if [organisation, project].iter().all(|p| valid(p)) => {
                Ok(Project::new(*organisation, *project))
            }
            [organisation, project, repository] if [organisation, project, repository].iter().all(|p| valid(p)) => {
                Ok(Project::new(*organisation, *project).with_repository(*repository))
            }
            _ => Err(RegistryError::Invalid(format!(
                "`{text}` is not a project; write it as ORGANISATION/PROJECT or ORGANISATION/PROJECT/REPOSITORY (no spaces)"
            ))),
        }
    }
}

/// An LLM provider and the model an instance uses there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Provider {
    /// The provider (`anthropic`, `openai`, `azure-openai`, ...).
    pub provider: String,
    /// The model (`claude-sonnet-4`, `gpt-4o`, ...).
    pub model: String,
}

impl FromStr for Provider {
    type Err = RegistryError;

    /// Reads `provider:model`.
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().split_once(':') {
            Some((provider, model)) if !provider.trim().is_empty() && !model.trim().is_empty() => {
                Ok(Provider { provider: provider.trim().to_owned(), model: model.trim().to_owned() })
            }
            _ => Err(RegistryError::Invalid(format!(
                "`{text}` is not a provider; write it as PROVIDER:MODEL, for example anthropic:claude-sonnet-4"
            ))),
        }
    }
}

/// Whether an instance takes work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Takes new work.
    Active,
    /// Takes no new work until resumed; its open work stays until it is reassigned or finished.
    Paused,
    /// Takes no work ever again.
    Retired,
}

impl Status {
    /// `active`, `paused` or `retired`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Paused => "paused",
            Status::Retired => "retired",
        }
    }
}

impl FromStr for Status {
    type Err = RegistryError;

    fn from_str(text: &str) -> Result<Self> {
        match text {
            "active" => Ok(Status::Active),
            "paused" => Ok(Status::Paused),
            "retired" => Ok(Status::Retired),
            other => Err(RegistryError::Invalid(format!("`{other}` is not a status; use active, paused or retired"))),
        }
    }
}

/// A persona type as the store holds it (loaded from the catalogue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonaTypeInfo {
    /// Its id (`software-architect`).
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its group.
    pub group: String,
    /// The action kinds it may perform.
    pub capabilities: Vec<String>,
    /// Its persona workflow, when it has one.
    pub workflow: Option<String>,
    /// The capacity new instances get.
    pub max_concurrent_tasks: u32,
    /// The actions instances may run.
    pub allowed_actions: Vec<String>,
    /// Who hears of late or failed work.
    pub escalate_to: Option<String>,
    /// How many instances of it are not retired.
    pub instances: u32,
}

/// One persona instance, with its load and spend as of the registry's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instance {
    /// Its id (never reused).
    pub id: i64,
    /// Its name, unique within its project.
    pub name: String,
    /// Its persona type id.
    pub persona_type: String,
    /// The project it works for (`None` until assigned).
    pub project: Option<Project>,
    /// LLM providers, in the order they are tried.
    pub providers: Vec<Provider>,
    /// The most it may spend in a UTC day (`None`: no limit).
    pub daily_limit: Option<Money>,
    /// The most it may spend in a calendar month (`None`: no limit).
    pub monthly_limit: Option<Money>,
    /// How many tasks it may hold at once.
    pub max_concurrent_tasks: u32,
    /// Breaks ties in routing: higher goes first.
    pub priority: i32,
    /// Free-form settings.
    pub settings: Map<String, Value>,
    /// Active, paused or retired.
    pub status: Status,
    /// Tasks it holds now.
    pub open_tasks: u32,
    /// Spent today (UTC).
    pub spent_today: Money,
    /// Spent this calendar month.
    pub spent_this_month: Money,
    /// Set aside for calls in flight.
    pub reserved: Money,
    /// Of its last [`SUCCESS_WINDOW`] finished assignments, how many succeeded.
    pub recent_succeeded: u32,
    /// How many finished assignments that is (up to [`SUCCESS_WINDOW`]).
    pub recent_finished: u32,
    /// When it last took, finished or paid for work (epoch ms).
    pub last_activity_millis: Option<i64>,
    /// When it was created (epoch ms).
    pub created_millis: i64,
    /// When its settings last changed (epoch ms).
    pub updated_millis: i64,
}

/// The columns [`Instance::from_row`] reads.
pub(crate) const INSTANCE_COLUMNS: &str = "id, name, persona_type, organisation, project, repository, providers, \
     daily_limit, monthly_limit, max_concurrent_tasks, priority, settings, status, open_tasks, recent_outcomes, \
     reserved, day_key, spent_day, month_key, spent_month, last_activity, created_at, updated_at";

impl Instance {
    /// Reads an instance row ([`INSTANCE_COLUMNS`]); spend counters of another day or month than
    /// `now`'s read as zero.
    pub(crate) fn from_row(row: &Row, now: Period) -> Result<Self> {
        let damaged = |column: &str, error: String| RegistryError::Store {
            location: row.location().to_owned(),
            message: format!("persona_instance.{column} holds {error}; restore the store from a backup"),
        };
        let organisation: Option<String> = row.get("organisation")?;
        let project: Option<String> = row.get("project")?;
        let repository: Option<String> = row.get("repository")?;
        let providers: String = row.get("providers")?;
        let settings: String = row.get("settings")?;
        let status: String = row.get("status")?;
        let recent: String = row.get("recent_outcomes")?;
        let day_key: i64 = row.get("day_key")?;
        let month_key: i64 = row.get("month_key")?;
        let limit = |column: &str| -> Result<Option<Money>, DbError> {
            Ok(row.get::<Option<i64>>(column)?.map(Money::from_micros))
        };
        let count = |column: &str| -> Result<u32> {
            let value: i64 = row.get(column)?;
            u32::try_from(value).map_err(|_| damaged(column, format!("{value}, not a count")))
        };
        Ok(Self {
            id: row.get("id")?,
            name: row.get("name")?,
            persona_type: row.get("persona_type")?,
            project: match (organisation, project) {
                (Some(organisation), Some(project)) => Some(Project { organisation, project, repository }),
                _ => None,
            },
            providers: serde_json::from_str(&providers).map_err(|e| damaged("providers", e.to_string()))?,
            daily_limit: limit("daily_limit")?,
            monthly_limit: limit("monthly_limit")?,
            max_concurrent_tasks: count("max_concurrent_tasks")?,
            priority: i32::try_from(row.get::<i64>("priority")?).unwrap_or_default(),
            settings: serde_json::from_str(&settings).map_err(|e| damaged("settings", e.to_string()))?,
            status: status.parse().map_err(|_| damaged("status", format!("`{status}`")))?,
            open_tasks: count("open_tasks")?,
            spent_today: Money::from_micros(if day_key == now.day { row.get("spent_day")? } else { 0 }),
            spent_this_month: Money::from_micros(if month_key == now.month { row.get("spent_month")? } else { 0 }),
            reserved: Money::from_micros(row.get("reserved")?),
            recent_succeeded: recent.chars().filter(|c| *c == 's').count() as u32,
            recent_finished: recent.len().min(SUCCESS_WINDOW) as u32,
            last_activity_millis: row.get("last_activity")?,
            created_millis: row.get("created_at")?,
            updated_millis: row.get("updated_at")?,
        })
    }

    /// `organisation/project[/repository]`, or `-` when unassigned.
    pub fn project_text(&self) -> String {
        self.project.as_ref().map_or_else(|| "-".to_owned(), Project::to_string)
    }
}

/// A new instance. Start from [`NewInstance::new`] and set what differs from the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInstance {
    /// Its name: a letter, then letters, digits, `-`, `_` or `.` (at most 64).
    pub name: String,
    /// Its persona type id (loaded from the catalogue).
    pub persona_type: String,
    /// The project it works for, if known yet (see [`Registry::assign_project`](crate::Registry::assign_project)).
    pub project: Option<Project>,
    /// LLM providers, in the order they are tried.
    pub providers: Vec<Provider>,
    /// Daily spend limit (`None`: no limit).
    pub daily_limit: Option<Money>,
    /// Monthly spend limit (`None`: no limit).
    pub monthly_limit: Option<Money>,
    /// Capacity; `None` takes the type's default (5 unless the catalogue says otherwise).
    pub max_concurrent_tasks: Option<u32>,
    /// Routing tie-breaker: higher goes first (default 0).
    pub priority: i32,
    /// Free-form settings.
    pub settings: Map<String, Value>,
}

impl NewInstance {
    /// An instance `name` of `persona_type`, unassigned, without providers or limits.
    pub fn new(name: impl Into<String>, persona_type: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            persona_type: persona_type.into(),
            project: None,
            providers: Vec::new(),
            daily_limit: None,
            monthly_limit: None,
            max_concurrent_tasks: None,
            priority: 0,
            settings: Map::new(),
        }
    }
}

/// Changes to an instance; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new provider list (replaces the old one).
    pub providers: Option<Vec<Provider>>,
    /// A new daily limit (`Some(None)` removes it).
    pub daily_limit: Option<Option<Money>>,
    /// A new monthly limit (`Some(None)` removes it).
    pub monthly_limit: Option<Option<Money>>,
    /// A new capacity.
    pub max_concurrent_tasks: Option<u32>,
    /// A new priority.
    pub priority: Option<i32>,
    /// Settings to merge in; a `null` value removes the setting.
    pub settings: Option<Map<String, Value>>,
}

/// Names an instance: by id, by name (which must then be unique), or by name within a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceRef {
    /// By id.
    Id(i64),
    /// By name, in whichever project has it.
    Name(String),
    /// By name within a project.
    InProject {
        /// The project (its repository is not part of the match).
        project: Project,
        /// The name.
        name: String,
    },
}

impl InstanceRef {
    /// An id when `text` is a number, else a name, narrowed to `project` when given.
    pub fn parse(text: &str, project: Option<Project>) -> Self {
        match (text.trim().parse::<i64>(), project) {
            (Ok(id), _) => InstanceRef::Id(id),
            (Err(_), Some(project)) => InstanceRef::InProject { project, name: text.trim().to_owned() },
            (Err(_), None) => InstanceRef::Name(text.trim().to_owned()),
        }
    }
}

impl fmt::Display for InstanceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceRef::Id(id) => write!(f, "{id}"),
            InstanceRef::Name(name) => write!(f, "`{name}`"),
            InstanceRef::InProject { project, name } => write!(f, "`{name}` in {}", project.key()),
        }
    }
}

impl From<i64> for InstanceRef {
    fn from(id: i64) -> Self {
        InstanceRef::Id(id)
    }
}

impl From<&Instance> for InstanceRef {
    fn from(instance: &Instance) -> Self {
        InstanceRef::Id(instance.id)
    }
}

/// Checks an instance name: a letter first, then letters, digits, `-`, `_` or `.`.
pub(crate) fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if first_is_letter
        && name.len() <= MAX_NAME
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "`{name}` is not a usable instance name; start with a letter and use letters, digits, `-`, `_` or `.` (at most {MAX_NAME})"
        )))
    }
}

/// Checks a spend limit: zero or more.
pub(crate) fn check_limit(period: &str, limit: Option<Money>) -> Result<()> {
    match limit {
        Some(limit) if limit.is_negative() => Err(RegistryError::Invalid(format!(
            "the {period} limit cannot be negative ({limit} was given); give 0 or more, or leave the limit out for none"
        ))),
        _ => Ok(()),
    }
}

/// Checks a capacity: at least one task.
pub(crate) fn check_capacity(capacity: u32) -> Result<()> {
    if capacity == 0 {
        return Err(RegistryError::Invalid(
            "max concurrent tasks must be at least 1; pause the instance to stop it taking work".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_read_and_print_with_an_optional_repository() {
        let project: Project = "acme/shop".parse().expect("a project");
        assert_eq!((project.to_string(), project.key()), ("acme/shop".into(), "acme/shop".into()));
        let repo: Project = "acme/shop/web".parse().expect("a project");
        assert_eq!((repo.to_string(), repo.key()), ("acme/shop/web".into(), "acme/shop".into()));
        for bad in ["acme", "acme//x", "a/b/c/d", "a b/c", ""] {
            assert!(bad.parse::<Project>().is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_references() {
        assert!(check_name("alice-2.x").is_ok());
        for bad in ["", "2alice", "a b", "ä", &"a".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(InstanceRef::parse("42", None), InstanceRef::Id(42));
        assert_eq!(InstanceRef::parse("alice", None), InstanceRef::Name("alice".into()));
        assert!(matches!(InstanceRef::parse("alice", Some(Project::new("a", "b"))), InstanceRef::InProject { .. }));
        assert_eq!(
            "openai:gpt-4o".parse::<Provider>().expect("a provider"),
            Provider { provider: "openai".into(), model: "gpt-4o".into() }
        );
        assert!("gpt-4o".parse::<Provider>().is_err());
    }
}
