//! Where a [`PgStore`](super::PgStore) lives: a `postgres://` URL, split into what `sqlx`
//! connects with and the name of the engine's log (`?log=<name>`), with the password hidden
//! for every message that shows the URL.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

use crate::store::StoreError;

/// The log an engine writes when its URL names none.
pub const DEFAULT_LOG: &str = "default";

/// The longest log name (PostgreSQL's identifier length, so names stay readable in tools).
const MAX_LOG_NAME: usize = 63;

/// A parsed PostgreSQL store location.
#[derive(Debug, Clone)]
pub(crate) struct PgLocation {
    /// The URL as given, with any password replaced by `***`.
    pub redacted: String,
    /// The log (one per engine) this store reads and appends.
    pub log: String,
    /// What `sqlx` connects with (the URL without `log=`).
    pub options: PgConnectOptions,
    /// `host:port` of the server, for messages.
    pub server: String,
    /// The database name, for messages.
    pub database: String,
    /// The user name, for messages.
    pub user: String,
}

impl PgLocation {
    /// Parses `url`: `postgres://user:password@host:port/database?log=<name>` (any other query
    /// parameter goes to the driver, for example `sslmode`).
    pub(crate) fn parse(url: &str) -> Result<Self, StoreError> {
        let redacted = redact(url);
        let error = |message: String| StoreError::new(redacted.clone(), message);
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut log = None;
        let mut driver_parameters = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            match pair.split_once('=') {
                Some(("log", name)) if log.is_none() => log = Some(checked_log_name(name).map_err(error)?),
                Some(("log", _)) => return Err(error("the URL names the log twice; keep one `log=<name>`".into())),
                _ => driver_parameters.push(pair),
            }
        }
        let driver_url = if driver_parameters.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", driver_parameters.join("&"))
        };
        let options = PgConnectOptions::from_str(&driver_url).map_err(|e| {
            error(format!(
                "not a PostgreSQL URL ({e}); write it as postgres://user:password@host:port/database?log=<name>"
            ))
        })?;
        let log = log.unwrap_or_else(|| DEFAULT_LOG.to_string());
        let options = match options.get_application_name() {
            Some(_) => options,
            // Names this engine to whoever finds its log taken (see `pg_stat_activity`).
            None => options.application_name(&format!("orchestrator engine pid {} log {log}", std::process::id())),
        };
        Ok(Self {
            server: format!("{}:{}", options.get_host(), options.get_port()),
            database: options.get_database().unwrap_or(options.get_username()).to_string(),
            user: options.get_username().to_string(),
            redacted,
            log,
            options,
        })
    }

    /// The key of the session advisory lock that makes one engine the only writer of the log:
    /// FNV-1a of the log name (stable across processes, machines and releases).
    pub(crate) fn lock_key(&self) -> i64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in b"persona-orchestrator record log:".iter().chain(self.log.as_bytes()) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        i64::from_ne_bytes(hash.to_ne_bytes())
    }
}

/// `name` if it is a usable log name, else what is wrong with it.
fn checked_log_name(name: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if !name.is_empty() && name.len() <= MAX_LOG_NAME && name.chars().all(allowed) {
        Ok(name.to_string())
    } else {
        Err(format!(
            "the log name '{name}' in the URL is not usable; name the log with 1 to {MAX_LOG_NAME} letters, digits, '_', '-' or '.'"
        ))
    }
}

/// `url` with the password of its user part and of a `password=` parameter replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = match base.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@').and_then(|(user_info, host)| Some((user_info.split_once(':')?.0, host))) {
                Some((user, host)) => format!("{scheme}://{user}:***@{host}{path}"),
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    match query {
        Some(query) => {
            let pairs: Vec<&str> = query
                .split('&')
                .map(|pair| if pair.starts_with("password=") { "password=***" } else { pair })
                .collect();
            format!("{base}?{}", pairs.join("&"))
        }
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_and_the_rest_is_kept() {
        assert_eq!(redact("postgres://me:s3cret@db:5432/app?log=a"), "postgres://me:***@db:5432/app?log=a");
        assert_eq!(redact("postgres://me@db/app"), "postgres://me@db/app");
        assert_eq!(redact("postgres://db/app?password=x&log=b"), "postgres://db/app?password=***&log=b");
        assert_eq!(redact("postgres://me:p@ss@db/app"), "postgres://me:***@db/app");
    }

    #[test]
    fn the_log_comes_from_the_query_and_defaults() {
        let named =
            PgLocation::parse("postgres://me:pw@localhost:5499/app?log=billing-2&sslmode=disable").expect("parses");
        assert_eq!(
            (named.log.as_str(), named.server.as_str(), named.database.as_str()),
            ("billing-2", "localhost:5499", "app")
        );
        let default = PgLocation::parse("postgres://me:pw@localhost/app").expect("parses");
        assert_eq!(default.log, DEFAULT_LOG);
        assert_ne!(named.lock_key(), default.lock_key(), "different logs take different locks");
    }

    #[test]
    fn bad_log_names_and_urls_are_refused_without_the_password() {
        for url in
            ["postgres://me:pw@h/db?log=", "postgres://me:pw@h/db?log=a%20b", "postgres://me:pw@h/db?log=a&log=b"]
        {
            let error = PgLocation::parse(url).expect_err("refused");
            assert!(!error.to_string().contains("pw"), "the password is hidden: {error}");
            assert!(error.message.contains("log"), "names the problem: {error}");
        }
        let error = PgLocation::parse("postgres://me:pw@h:notaport/db").expect_err("refused");
        assert!(error.message.contains("postgres://user:password@host:port/database?log=<name>"), "{error}");
        assert!(!error.to_string().contains("pw"), "the password is hidden: {error}");
    }
}
