//! The daemon's configuration: a YAML file ([`file`]) overlaid with the Camunda client
//! environment variables ([`env`]), checked into [`Settings`] the daemon runs with. Every
//! problem is a [`ConfigError`] that names the file with line and column, or the variable, and
//! what to do.

mod duration;
mod env;
mod file;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use duration::parse as parse_duration;
pub use env::Environment;
pub use file::HandlerKind;
use file::{FileConfig, OAuthSection, PollSettings, ZeebeSection};
use workers::{OAuthSettings, WorkerOptions};

/// A configuration that cannot be used, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The gateway address when neither the file nor ZEEBE_ADDRESS gives one.
pub const DEFAULT_ADDRESS: &str = "http://127.0.0.1:26500";

/// Where and how to reach the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The gateway URI, with `http://` (plaintext) or `https://` (TLS).
    pub address: String,
    /// A PEM CA certificate file to trust for TLS (gateway and authorization server).
    pub ca_certificate_path: Option<PathBuf>,
    /// OAuth client credentials, when the gateway needs a token.
    pub oauth: Option<OAuthSettings>,
}

/// One job type the daemon subscribes to.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSubscription {
    /// The built-in handler.
    pub handler: HandlerKind,
    /// Simulated work: how long the handler waits before it acts.
    pub delay: Duration,
    /// Polling and lock options.
    pub options: WorkerOptions,
}

/// Persona jobs routed through the persona registry (`routing:`).
#[derive(Clone, PartialEq)]
pub struct Routing {
    /// The registry's store: a SQLite file or a `postgres://` URL.
    pub store: String,
    /// The project of jobs without a `project` variable.
    pub project: Option<personas::Project>,
    /// How long a job no instance can take waits before the broker offers it again.
    pub wait: Duration,
}

impl std::fmt::Debug for Routing {
    /// Without the store, whose URL may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routing").field("project", &self.project).field("wait", &self.wait).finish_non_exhaustive()
    }
}

/// Everything `run` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The gateway.
    pub connection: Connection,
    /// The worker name recorded on activated jobs.
    pub worker_name: String,
    /// Where to serve `/metrics`, if anywhere.
    pub metrics_addr: Option<SocketAddr>,
    /// The job types and their handlers.
    pub jobs: BTreeMap<String, JobSubscription>,
    /// Routing of persona jobs, when configured.
    pub routing: Option<Routing>,
    /// How the real handlers of `handler: action` jobs are set up (the `actions:` file).
    pub actions: Option<actions::Settings>,
}

/// Reads the YAML file at `path`.
fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        ConfigError(format!(
            "{}: cannot read the config file: {error}; pass an existing file with --config",
            path.display()
        ))
    })?;
    file::parse(&path.display().to_string(), &text)
}

/// The settings for `run`: the file at `path` with the environment laid over it.
pub fn load(path: &Path, environment: &Environment) -> Result<Settings, ConfigError> {
    let file = read_file(path)?;
    let name = path.display();
    if file.jobs.is_empty() {
        return Err(ConfigError(format!(
            "{name}: `jobs` names no job type; map at least one job type to a handler, such as `jobs: {{ log: {{ handler: log }} }}`"
        )));
    }
    let connection = connection(&file.zeebe, environment, None)?;
    let defaults = worker_options(&file.worker.poll_settings(), WorkerOptions::default());
    let jobs = file
        .jobs
        .into_iter()
        .map(|(job_type, job)| {
            let subscription = JobSubscription {
                handler: job.handler,
                delay: job.delay.unwrap_or_default(),
                options: worker_options(&job.poll_settings(), defaults.clone()),
            };
            (job_type, subscription)
        })
        .collect();
    let routing = file.routing.map(|section| routing(&name.to_string(), section)).transpose()?;
    let actions = file
        .actions
        .map(|actions| actions::Settings::read_file(&path.parent().unwrap_or(Path::new(".")).join(actions)))
        .transpose()
        .map_err(|e| ConfigError(format!("{name}: actions: {e}")))?;
    check_action_jobs(&name.to_string(), &jobs, actions.is_some())?;
    Ok(Settings { connection, worker_name: file.worker.name, metrics_addr: file.metrics_addr, jobs, routing, actions })
}

/// Every job type mapped to `handler: action` is an action's, and there is an actions file.
fn check_action_jobs(
    name: &str,
    jobs: &BTreeMap<String, JobSubscription>,
    has_actions_file: bool,
) -> Result<(), ConfigError> {
    for job_type in jobs.iter().filter(|(_, job)| job.handler == HandlerKind::Action).map(|(t, _)| t) {
        if actions::by_job_type(job_type).is_none() {
            let known: Vec<&str> = actions::specs().iter().map(|spec| spec.job_type).collect();
            return Err(ConfigError(format!(
                "{name}: jobs.{job_type}: `handler: action` needs the job type of an action ({}); map `{job_type}` to another handler",
                known.join(", ")
            )));
        }
        if !has_actions_file {
            return Err(ConfigError(format!(
                "{name}: jobs.{job_type} uses `handler: action`, but there is no `actions:` file to set the actions up; add `actions: actions.yaml` (`workspace:` plus one section per action)"
            )));
        }
    }
    Ok(())
}

/// The `routing:` section, checked.
fn routing(name: &str, section: file::RoutingSection) -> Result<Routing, ConfigError> {
    if section.store.trim().is_empty() {
        return Err(ConfigError(format!(
            "{name}: routing.store is empty; give the registry's store, a SQLite file or a postgres:// URL"
        )));
    }
    let project = section
        .project
        .map(|text| text.parse::<personas::Project>())
        .transpose()
        .map_err(|e| ConfigError(format!("{name}: routing.project: {e}")))?;
    Ok(Routing { store: section.store, project, wait: section.wait.unwrap_or(personas::routed::DEFAULT_WAIT) })
}

/// The connection for `deploy`: the file's `zeebe` section if a file is given, the
/// environment over it, and `address` over both.
pub fn load_connection(
    path: Option<&Path>,
    environment: &Environment,
    address: Option<&str>,
) -> Result<Connection, ConfigError> {
    let section = match path {
        Some(path) => read_file(path)?.zeebe,
        None => ZeebeSection::default(),
    };
    connection(&section, environment, address)
}

/// The options of one job type: what `job` sets over `defaults`.
fn worker_options(job: &PollSettings, defaults: WorkerOptions) -> WorkerOptions {
    WorkerOptions {
        max_jobs_active: job.max_jobs_active.map_or(defaults.max_jobs_active, |n| n.get()),
        timeout: job.timeout.unwrap_or(defaults.timeout),
        request_timeout: job.request_timeout.unwrap_or(defaults.request_timeout),
        poll_interval: job.poll_interval.unwrap_or(defaults.poll_interval),
        fetch_variables: job.fetch_variables.clone().or(defaults.fetch_variables),
    }
}

/// The connection from the file's section, the environment and an explicit address.
fn connection(
    section: &ZeebeSection,
    environment: &Environment,
    address: Option<&str>,
) -> Result<Connection, ConfigError> {
    let plaintext = match environment.insecure_connection()? {
        Some(plaintext) => Some(plaintext),
        None => section.plaintext,
    };
    let (raw_address, source) = match (address, environment.get(env::ADDRESS), &section.address) {
        (Some(address), _, _) => (address.to_owned(), "--address".to_owned()),
        (None, Some(address), _) => (address, env::ADDRESS.to_owned()),
        (None, None, Some(address)) => (address.clone(), "zeebe.address in the config file".to_owned()),
        (None, None, None) => (DEFAULT_ADDRESS.to_owned(), "the default address".to_owned()),
    };
    let address = with_scheme(&raw_address, plaintext, &source)?;
    let ca_certificate_path =
        environment.get(env::CA_CERTIFICATE_PATH).map(PathBuf::from).or(section.ca_certificate_path.clone());
    let oauth = oauth(section.oauth.as_ref(), environment)?;
    Ok(Connection { address, ca_certificate_path, oauth })
}

/// The address with its scheme: kept when it has one (and it agrees with `plaintext`), else
/// `http://` for plaintext and `https://` otherwise, as the Camunda clients read
/// `ZEEBE_ADDRESS=host:port`.
fn with_scheme(address: &str, plaintext: Option<bool>, source: &str) -> Result<String, ConfigError> {
    let conflict = |scheme: &str, wanted: &str| {
        ConfigError(format!(
            "{source} is '{address}' ({scheme}), but the connection is set to {wanted} (ZEEBE_INSECURE_CONNECTION or zeebe.plaintext); make them agree"
        ))
    };
    if address.starts_with("https://") {
        return match plaintext {
            Some(true) => Err(conflict("TLS", "plaintext")),
            _ => Ok(address.to_owned()),
        };
    }
    if address.starts_with("http://") {
        return match plaintext {
            Some(false) => Err(conflict("plaintext", "TLS")),
            _ => Ok(address.to_owned()),
        };
    }
    if address.contains("://") || address.trim().is_empty() {
        return Err(ConfigError(format!(
            "{source} is '{address}', which is not a gateway address; write host:port, http://host:port (plaintext) or https://host:port (TLS)"
        )));
    }
    let scheme = if plaintext == Some(true) { "http" } else { "https" };
    Ok(format!("{scheme}://{address}"))
}

/// OAuth settings: each value from its environment variable, else from the file. Credentials
/// are on when a client id is given; then the secret and the token URL are required.
fn oauth(section: Option<&OAuthSection>, environment: &Environment) -> Result<Option<OAuthSettings>, ConfigError> {
    let pick = |variable: &str, from_file: Option<&String>| environment.get(variable).or_else(|| from_file.cloned());
    let client_id = pick(env::CLIENT_ID, section.and_then(|s| s.client_id.as_ref()));
    let Some(client_id) = client_id else {
        return Ok(None);
    };
    let required = |variable: &str, key: &str, from_file: Option<&String>| {
        pick(variable, from_file).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
            ConfigError(format!(
                "a client id is set, so OAuth is on, but {variable} is not set and the config file has no zeebe.oauth.{key}; set one, or unset ZEEBE_CLIENT_ID for a gateway without authentication"
            ))
        })
    };
    let client_secret = required(env::CLIENT_SECRET, "client_secret", section.and_then(|s| s.client_secret.as_ref()))?;
    let authorization_server_url = required(
        env::AUTHORIZATION_SERVER_URL,
        "authorization_server_url",
        section.and_then(|s| s.authorization_server_url.as_ref()),
    )?;
    let audience = pick(env::TOKEN_AUDIENCE, section.and_then(|s| s.audience.as_ref()));
    Ok(Some(OAuthSettings { authorization_server_url, client_id, client_secret, audience }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Environment {
        Environment::from_pairs(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    fn write(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    const MINIMAL: &str = "jobs:\n  log:\n    handler: log\n";

    #[test]
    fn the_environment_overrides_the_file_and_a_bare_address_follows_the_insecure_flag() {
        let file = write(&format!("zeebe:\n  address: http://file:1\n{MINIMAL}"));
        let settings = load(file.path(), &env(&[])).unwrap();
        assert_eq!(settings.connection.address, "http://file:1");
        let settings =
            load(file.path(), &env(&[("ZEEBE_ADDRESS", "gw:26500"), ("ZEEBE_INSECURE_CONNECTION", "true")])).unwrap();
        assert_eq!(settings.connection.address, "http://gw:26500");
        let settings = load(file.path(), &env(&[("ZEEBE_ADDRESS", "gw:443")])).unwrap();
        assert_eq!(settings.connection.address, "https://gw:443", "TLS unless told otherwise, as Camunda clients do");
    }

    #[test]
    fn defaults_apply_per_job_type_unless_the_type_overrides_them() {
        let file = write(
            "worker:\n  name: w1\n  max_jobs_active: 4\n  timeout: 1m\njobs:\n  log:\n    handler: log\n  notify:\n    handler: noop\n    timeout: 10s\n    delay: 250ms\n",
        );
        let settings = load(file.path(), &env(&[])).unwrap();
        assert_eq!(settings.worker_name, "w1");
        let log = &settings.jobs["log"];
        assert_eq!((log.options.max_jobs_active, log.options.timeout), (4, Duration::from_secs(60)));
        let notify = &settings.jobs["notify"];
        assert_eq!((notify.options.max_jobs_active, notify.options.timeout), (4, Duration::from_secs(10)));
        assert_eq!((notify.handler, notify.delay), (HandlerKind::Noop, Duration::from_millis(250)));
        assert_eq!(settings.connection.address, DEFAULT_ADDRESS);
    }

    #[test]
    fn oauth_is_on_with_a_client_id_and_names_what_is_missing() {
        let file = write(&format!(
            "zeebe:\n  oauth:\n    authorization_server_url: http://auth/token\n    client_secret: from-file\n{MINIMAL}"
        ));
        assert_eq!(load(file.path(), &env(&[])).unwrap().connection.oauth, None);
        let settings = load(
            file.path(),
            &env(&[("ZEEBE_CLIENT_ID", "me"), ("ZEEBE_CLIENT_SECRET", "from-env"), ("ZEEBE_TOKEN_AUDIENCE", "zeebe")]),
        )
        .unwrap();
        let oauth = settings.connection.oauth.unwrap();
        assert_eq!((oauth.client_id.as_str(), oauth.client_secret.as_str()), ("me", "from-env"));
        assert_eq!(
            (oauth.authorization_server_url.as_str(), oauth.audience.as_deref()),
            ("http://auth/token", Some("zeebe"))
        );

        let bare = write(MINIMAL);
        let ConfigError(message) = load(bare.path(), &env(&[("ZEEBE_CLIENT_ID", "me")])).unwrap_err();
        assert!(message.contains("ZEEBE_CLIENT_SECRET") && message.contains("zeebe.oauth.client_secret"), "{message}");
    }

    #[test]
    fn contradicting_or_unusable_addresses_are_refused_naming_their_source() {
        let file = write(&format!("zeebe:\n  address: https://gw:443\n  plaintext: true\n{MINIMAL}"));
        let ConfigError(message) = load(file.path(), &env(&[])).unwrap_err();
        assert!(message.contains("zeebe.address") && message.contains("agree"), "{message}");
        let ConfigError(message) = load_connection(None, &env(&[("ZEEBE_ADDRESS", "grpc://gw")]), None).unwrap_err();
        assert!(message.starts_with("ZEEBE_ADDRESS is 'grpc://gw'") && message.contains("host:port"), "{message}");
        let connection =
            load_connection(None, &env(&[("ZEEBE_ADDRESS", "http://env:1")]), Some("http://flag:2")).unwrap();
        assert_eq!(connection.address, "http://flag:2");
    }

    #[test]
    fn routing_reads_its_store_project_and_wait_and_names_a_bad_project() {
        let file = write(&format!(
            "routing:\n  store: postgres://me:s3cret@db/x\n  project: acme/shop\n  wait: 2s\n{MINIMAL}"
        ));
        let routing = load(file.path(), &env(&[])).unwrap().routing.unwrap();
        assert_eq!(routing.project, Some(personas::Project::new("acme", "shop")));
        assert_eq!(routing.wait, Duration::from_secs(2));
        assert!(!format!("{routing:?}").contains("s3cret"), "the store's password stays out of Debug");
        assert_eq!(load(write(MINIMAL).path(), &env(&[])).unwrap().routing, None);

        let bad = write(&format!("routing:\n  store: r.db\n  project: no-slash\n{MINIMAL}"));
        let ConfigError(message) = load(bad.path(), &env(&[])).unwrap_err();
        assert!(message.contains("routing.project") && message.contains("ORGANISATION/PROJECT"), "{message}");
        let empty = write(&format!("routing:\n  store: ' '\n{MINIMAL}"));
        let ConfigError(message) = load(empty.path(), &env(&[])).unwrap_err();
        assert!(message.contains("routing.store is empty"), "{message}");
    }

    #[test]
    fn an_unreadable_file_or_an_empty_job_map_is_named() {
        let ConfigError(message) = load(Path::new("/no/such/worker.yaml"), &env(&[])).unwrap_err();
        assert!(message.starts_with("/no/such/worker.yaml: cannot read") && message.contains("--config"), "{message}");
        let file = write("jobs: {}\n");
        let ConfigError(message) = load(file.path(), &env(&[])).unwrap_err();
        assert!(message.contains("`jobs` names no job type"), "{message}");
    }

    #[test]
    fn action_jobs_need_an_action_job_type_and_an_actions_file_that_reads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("actions.yaml"), "workspace: .\nnotify: {webhook_url_env: HOOK}\n").unwrap();
        let config = dir.path().join("worker.yaml");
        let with = |text: &str| {
            std::fs::write(&config, text).unwrap();
            load(&config, &env(&[])).map_err(|ConfigError(message)| message)
        };
        let loaded = with("actions: actions.yaml\njobs:\n  notify:\n    handler: action\n").unwrap();
        let actions = loaded.actions.expect("the actions file is read");
        assert_eq!(actions.workspace, std::fs::canonicalize(dir.path()).ok());
        assert!(actions.sections.contains_key("notify"));

        let message = with("jobs:\n  notify:\n    handler: action\n").unwrap_err();
        assert!(message.contains("jobs.notify uses `handler: action`, but there is no `actions:` file"), "{message}");
        let message = with("actions: actions.yaml\njobs:\n  nightly:\n    handler: action\n").unwrap_err();
        assert!(message.contains("jobs.nightly: `handler: action` needs the job type of an action"), "{message}");
        let message = with("actions: missing.yaml\njobs:\n  notify:\n    handler: action\n").unwrap_err();
        assert!(
            message.contains("actions: ") && message.contains("missing.yaml: cannot read the actions file"),
            "{message}"
        );
        std::fs::write(dir.path().join("actions.yaml"), "workspace: .\n\nnotfy: {}\n").unwrap();
        let message = with("actions: actions.yaml\njobs:\n  notify:\n    handler: action\n").unwrap_err();
        assert!(message.contains("actions.yaml:3:1: `notfy` is not an action"), "{message}");
    }
}
