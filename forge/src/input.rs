//! Checks on inputs shared by both clients: base URLs and required texts.

use reqwest::Url;

use crate::error::ForgeError;

/// `text` as a base URL that paths can be appended to; an error names the service and the value.
pub(crate) fn base_url(text: &str, service: &str) -> Result<Url, ForgeError> {
    let url = Url::parse(text.trim()).map_err(|error| ForgeError::InvalidInput {
        operation: format!("set up the {service} client"),
        message: format!("base URL '{text}' is not a URL ({error}); give e.g. https://host or http://127.0.0.1:PORT"),
    })?;
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        return Err(ForgeError::InvalidInput {
            operation: format!("set up the {service} client"),
            message: format!("base URL '{text}' must be an http or https URL"),
        });
    }
    Ok(url)
}

/// An empty required text is an input error naming the field.
pub(crate) fn require(value: &str, field: &str, operation: &str) -> Result<(), ForgeError> {
    if value.trim().is_empty() {
        return Err(ForgeError::InvalidInput {
            operation: operation.to_owned(),
            message: format!("{field} is empty; give a {field}"),
        });
    }
    Ok(())
}
