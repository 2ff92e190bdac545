//! [`ZeebeClientBuilder`]: the gateway address with its TLS settings and credentials.

use std::sync::Arc;
use std::time::Duration;

use tonic::transport::Endpoint;

use super::ZeebeClient;
use super::credentials::CredentialsProvider;
use crate::client::ClientError;

/// How long opening the connection to the gateway may take before a call fails as
/// [`ClientError::Unavailable`].
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds a [`ZeebeClient`]: `http://` addresses speak plaintext gRPC, `https://` ones TLS
/// (feature `zeebe-tls`) trusting the webpki roots and the given CA certificate.
#[derive(Debug)]
pub struct ZeebeClientBuilder {
    address: String,
    ca_certificate_pem: Option<Vec<u8>>,
    credentials: Option<Arc<dyn CredentialsProvider>>,
}

impl ZeebeClientBuilder {
    pub(super) fn new(address: &str) -> Self {
        Self { address: address.to_owned(), ca_certificate_pem: None, credentials: None }
    }

    /// Also trusts this PEM CA certificate for an `https://` gateway (a self-signed one, say).
    pub fn ca_certificate_pem(mut self, pem: Vec<u8>) -> Self {
        self.ca_certificate_pem = Some(pem);
        self
    }

    /// Sends `credentials`' `authorization` value with every call.
    pub fn credentials(mut self, credentials: Arc<dyn CredentialsProvider>) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The client. Connecting is deferred to the first call, so this fails only for an address
    /// that is not a URI, TLS settings that cannot be used, or a call outside a tokio runtime
    /// (the connection's task needs one).
    pub fn build(self) -> Result<ZeebeClient, ClientError> {
        let address = &self.address;
        let endpoint = Endpoint::from_shared(address.clone()).map_err(|error| {
            ClientError::InvalidArgument(format!(
                "'{address}' is not a gateway address ({error}); use a URI such as http://127.0.0.1:26500"
            ))
        })?;
        let endpoint = endpoint.connect_timeout(CONNECT_TIMEOUT);
        let endpoint = match endpoint.uri().scheme_str() {
            Some("https") => tls(endpoint, self.ca_certificate_pem.as_deref())?,
            Some("http") => endpoint,
            _ => {
                return Err(ClientError::InvalidArgument(format!(
                    "'{address}' has no http:// or https:// scheme; write http://host:port for plaintext or https://host:port for TLS"
                )));
            }
        };
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ClientError::InvalidArgument(
                "a ZeebeClient was built outside a tokio runtime; build it inside the runtime \
                 (in an async fn, or after `runtime.enter()`)"
                    .into(),
            ));
        }
        Ok(ZeebeClient { channel: endpoint.connect_lazy(), credentials: self.credentials })
    }
}

/// TLS for an `https://` gateway: the webpki roots plus the optional CA certificate.
#[cfg(feature = "zeebe-tls")]
fn tls(endpoint: Endpoint, ca_certificate_pem: Option<&[u8]>) -> Result<Endpoint, ClientError> {
    use tonic::transport::{Certificate, ClientTlsConfig};

    let mut config = ClientTlsConfig::new().with_webpki_roots();
    if let Some(pem) = ca_certificate_pem {
        config = config.ca_certificate(Certificate::from_pem(pem));
    }
    endpoint.tls_config(config).map_err(|error| ClientError::InvalidArgument(format!("cannot set up TLS: {error}")))
}

/// Without the `zeebe-tls` feature an `https://` gateway cannot be reached.
#[cfg(not(feature = "zeebe-tls"))]
fn tls(endpoint: Endpoint, _ca_certificate_pem: Option<&[u8]>) -> Result<Endpoint, ClientError> {
    Err(ClientError::InvalidArgument(format!(
        "'{}' asks for TLS, but this build has no TLS support; build the workers crate with the zeebe-tls feature or use an http:// address",
        endpoint.uri()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_without_a_scheme_is_refused_with_both_forms_named() {
        let Err(ClientError::InvalidArgument(message)) = ZeebeClient::builder("127.0.0.1:26500").build() else {
            panic!("accepted an address without a scheme")
        };
        assert!(message.contains("http://host:port") && message.contains("https://host:port"), "{message}");
    }

    #[cfg(feature = "zeebe-tls")]
    #[tokio::test]
    async fn an_https_address_builds_a_tls_client() {
        assert!(ZeebeClient::builder("https://zeebe.example:443").build().is_ok());
    }

    #[cfg(not(feature = "zeebe-tls"))]
    #[test]
    fn an_https_address_without_tls_support_names_the_feature() {
        let Err(ClientError::InvalidArgument(message)) = ZeebeClient::builder("https://zeebe.example:443").build()
        else {
            panic!("built a TLS client without TLS support")
        };
        assert!(message.contains("zeebe-tls") && message.contains("http://"), "{message}");
    }
}
