//! Text forms of the closed sets of values (merge methods, states, …): each such enum reads from
//! and prints as its wire spelling, so job variables such as `squash` map straight onto it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ForgeError;

/// Reads `text` as one of the wire spellings of `T`; an unknown value is an error listing the
/// allowed ones.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, ForgeError> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned())).map_err(|error| {
        ForgeError::InvalidInput { operation: format!("read {what} '{text}'"), message: error.to_string() }
    })
}

/// The wire spelling of `value`.
pub(crate) fn spell<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        other => format!("{other:?}"),
    }
}

/// `FromStr` and `Display` through the serde spelling, for a unit-variant enum.
macro_rules! wire_text {
    ($type:ty, $what:literal) => {
        impl std::str::FromStr for $type {
            type Err = $crate::ForgeError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $crate::choice::parse(text, $what)
            }
        }
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::choice::spell(self))
            }
        }
    };
}
pub(crate) use wire_text;
