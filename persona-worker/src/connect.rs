//! The [`ZeebeClient`] for a configured [`Connection`].

use std::sync::Arc;

use workers::{OAuthCredentials, ZeebeClient};

use crate::config::{ConfigError, Connection};

/// A client for `connection`: TLS for `https://` with the CA file when given, and OAuth tokens
/// when client credentials are set. Nothing is contacted yet.
pub fn client(connection: &Connection) -> Result<ZeebeClient, ConfigError> {
    let ca_certificate = match &connection.ca_certificate_path {
        Some(path) => Some(std::fs::read(path).map_err(|error| {
            ConfigError(format!(
                "{}: cannot read the CA certificate: {error}; fix ZEEBE_CA_CERTIFICATE_PATH or zeebe.ca_certificate_path",
                path.display()
            ))
        })?),
        None => None,
    };
    let mut builder = ZeebeClient::builder(&connection.address);
    if let Some(pem) = &ca_certificate {
        builder = builder.ca_certificate_pem(pem.clone());
    }
    if let Some(oauth) = &connection.oauth {
        let credentials = OAuthCredentials::new(oauth.clone(), ca_certificate.as_deref())
            .map_err(|error| ConfigError(format!("OAuth settings: {error}")))?;
        builder = builder.credentials(Arc::new(credentials));
    }
    builder.build().map_err(|error| ConfigError(error.to_string()))
}
