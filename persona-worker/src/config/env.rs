//! The Camunda client environment variables the daemon reads.

use std::collections::BTreeMap;

use super::ConfigError;

/// The gateway address: `host:port` (TLS unless [`INSECURE_CONNECTION`]), or a URI with
/// `http://` or `https://`.
pub const ADDRESS: &str = "ZEEBE_ADDRESS";
/// `true` for plaintext gRPC.
pub const INSECURE_CONNECTION: &str = "ZEEBE_INSECURE_CONNECTION";
/// A PEM CA certificate to trust for TLS.
pub const CA_CERTIFICATE_PATH: &str = "ZEEBE_CA_CERTIFICATE_PATH";
/// The OAuth client id; setting it turns OAuth on.
pub const CLIENT_ID: &str = "ZEEBE_CLIENT_ID";
/// The OAuth client secret.
pub const CLIENT_SECRET: &str = "ZEEBE_CLIENT_SECRET";
/// The OAuth token endpoint.
pub const AUTHORIZATION_SERVER_URL: &str = "ZEEBE_AUTHORIZATION_SERVER_URL";
/// The audience to ask tokens for.
pub const TOKEN_AUDIENCE: &str = "ZEEBE_TOKEN_AUDIENCE";

/// The variables above, read once (tests build one from pairs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment(BTreeMap<String, String>);

impl Environment {
    /// The process environment's `ZEEBE_*` variables.
    pub fn from_process() -> Self {
        Self::from_pairs(std::env::vars().filter(|(name, _)| name.starts_with("ZEEBE_")))
    }

    /// An environment of these variables.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    /// A variable's value; an empty one counts as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).filter(|value| !value.trim().is_empty()).cloned()
    }

    /// [`INSECURE_CONNECTION`] read as a boolean, if set.
    pub fn insecure_connection(&self) -> Result<Option<bool>, ConfigError> {
        let Some(value) = self.get(INSECURE_CONNECTION) else {
            return Ok(None);
        };
        match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            _ => Err(ConfigError(format!(
                "{INSECURE_CONNECTION} is '{value}'; set it to true (plaintext) or false (TLS), or unset it"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_insecure_flag_reads_booleans_and_names_itself_otherwise() {
        let env = |value: &str| Environment::from_pairs([(INSECURE_CONNECTION.to_owned(), value.to_owned())]);
        assert_eq!(env("TRUE").insecure_connection(), Ok(Some(true)));
        assert_eq!(env("0").insecure_connection(), Ok(Some(false)));
        assert_eq!(env("").insecure_connection(), Ok(None));
        let ConfigError(message) = env("maybe").insecure_connection().unwrap_err();
        assert!(message.starts_with("ZEEBE_INSECURE_CONNECTION is 'maybe'"), "{message}");
    }
}
