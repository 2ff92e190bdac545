//! `publish message`, `broadcast signal` and `set variables`: data handed to running instances,
//! through the `serve` running on the store or on the store itself ([`remote::change`]).

use std::time::Duration;

use engine::{EngineError, PublishMessage, Variables};
use reqwest::Method;
use serde_json::{Value, json};

use super::Format;
use super::timers::parse_duration;
use crate::cli::VarArgs;
use crate::failure::{Failure, Result};
use crate::output::{print_json, say};
use crate::remote;
use crate::store::StoreLocation;
use crate::vars;

/// `publish message NAME --correlation-key KEY [--ttl D] [--var ...]`.
pub fn publish(
    store: &StoreLocation,
    name: &str,
    correlation_key: &str,
    ttl: Option<&str>,
    args: &VarArgs,
    format: Format,
) -> Result<()> {
    let name = required_name(name, "message")?;
    let ttl = ttl.map(|text| parse_duration("--ttl", text)).transpose()?.unwrap_or(Duration::ZERO);
    let variables = vars::collect(args)?;
    let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
    let body =
        json!({ "name": name, "correlation_key": correlation_key, "variables": variables, "time_to_live_ms": ttl_ms });
    let key = remote::change(
        store,
        |serve| key_of(&serve.call(Method::POST, "/api/messages", Some(&body))?, "message_key"),
        || {
            let mut core = store.open_engine()?;
            let message = PublishMessage::new(name, correlation_key).time_to_live(ttl).variables(variables.clone());
            core.publish_message(message).map_err(|e| Failure::engine(e, "check the message"))
        },
    )?;
    match format {
        Format::Json => print_json(&json!({
            "message_key": key, "name": name, "correlation_key": correlation_key, "time_to_live_ms": ttl_ms,
        })),
        Format::Text => say!(
            "published message {name} (correlation key '{correlation_key}'): message key {key}{}",
            if ttl.is_zero() {
                String::new()
            } else {
                format!(", buffered for {}", crate::output::duration(Some(ttl_ms as i64)))
            }
        ),
    }
    Ok(())
}

/// `broadcast signal NAME [--var ...]`.
pub fn broadcast(store: &StoreLocation, name: &str, args: &VarArgs, format: Format) -> Result<()> {
    let name = required_name(name, "signal")?;
    let variables = vars::collect(args)?;
    let body = json!({ "name": name, "variables": variables });
    let key = remote::change(
        store,
        |serve| key_of(&serve.call(Method::POST, "/api/signals", Some(&body))?, "signal_key"),
        || {
            let mut core = store.open_engine()?;
            core.broadcast_signal(name, variables.clone()).map_err(|e| Failure::engine(e, "check the signal"))
        },
    )?;
    match format {
        Format::Json => print_json(&json!({ "signal_key": key, "name": name })),
        Format::Text => say!("broadcast signal {name}: signal key {key}"),
    }
    Ok(())
}

/// `set variables INSTANCE --var ...`: on the instance's root scope.
pub fn set_variables(store: &StoreLocation, instance: i64, args: &VarArgs, format: Format) -> Result<()> {
    let variables: Variables = vars::collect(args)?;
    if variables.is_empty() {
        return Err(Failure::Usage(
            "no variables to set: give --var NAME=VALUE (repeat for more) or --vars-file FILE".to_owned(),
        ));
    }
    let names: Vec<String> = variables.keys().cloned().collect();
    let not_running = || {
        Failure::Failed(format!(
            "no running process instance {instance}: `orchestrator status` lists the instances and their status"
        ))
    };
    remote::change(
        store,
        |serve| {
            let path = format!("/api/workflows/{instance}/variables");
            serve.call(Method::PUT, &path, Some(&json!({ "variables": variables }))).map(drop)
        },
        || {
            let mut core = store.open_engine()?;
            if !core.is_active(instance) {
                return Err(not_running());
            }
            match core.set_variables(instance, variables.clone(), true) {
                Ok(_) => Ok(()),
                Err(EngineError::NotFound(_)) => Err(not_running()),
                Err(other) => Err(Failure::engine(other, "check the instance")),
            }
        },
    )?;
    match format {
        Format::Json => print_json(&json!({ "process_instance_key": instance, "variables": variables })),
        Format::Text => say!("set {} on process instance {instance}", names.join(", ")),
    }
    Ok(())
}

/// The name, trimmed; an empty one is a usage failure.
fn required_name<'a>(name: &'a str, what: &str) -> Result<&'a str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Failure::Usage(format!("the {what} needs a name: give it as the first argument")));
    }
    Ok(name)
}

/// The number at `field` of an API answer.
fn key_of(answer: &Value, field: &str) -> Result<i64> {
    answer[field].as_i64().ok_or_else(|| Failure::Failed(format!("the serve's answer has no {field}: {answer}")))
}
