//! `persona-worker deploy`: compile YAML workflows (or take BPMN as it is) and deploy them in one
//! deployment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;

use workers::{ClientError, DeployedProcess, ZeebeClient};
use yaml_to_bpmn::cli::collect_files;
use yaml_to_bpmn::output;
use yaml_to_bpmn::resources::{self, YamlAs};

use crate::cli::{DeployArgs, EXIT_CONFIG, EXIT_GATEWAY, EXIT_OK, EXIT_REJECTED};
use crate::config::{self, Environment};
use crate::connect;

/// A resource to deploy: its name (the extension tells Zeebe its kind) and bytes.
type Resource = (String, Vec<u8>);

/// The file extensions `deploy` takes.
const DEPLOYABLE: &[&str] = &["yaml", "yml", "bpmn"];

/// Deploys and returns the exit code.
pub async fn run(args: DeployArgs) -> u8 {
    let resources = match resources(&args.inputs) {
        Ok(Some(resources)) => resources,
        Ok(None) => return EXIT_REJECTED,
        Err(problem) => {
            eprintln!("error: {problem}");
            return EXIT_CONFIG;
        }
    };
    let connection =
        match config::load_connection(args.config.as_deref(), &Environment::from_process(), args.address.as_deref()) {
            Ok(connection) => connection,
            Err(error) => {
                eprintln!("error: {error}");
                return EXIT_CONFIG;
            }
        };
    let client = match connect::client(&connection) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_CONFIG;
        }
    };
    match deploy_retrying(&client, resources, args.retry_for).await {
        Ok(processes) => {
            print(&processes, args.json);
            EXIT_OK
        }
        Err(ClientError::InvalidArgument(message)) => {
            eprintln!("error: Zeebe refused the deployment, nothing was deployed: {message}");
            EXIT_REJECTED
        }
        Err(error) => {
            eprintln!(
                "error: cannot deploy to the gateway at {}: {error}; is the broker up (zeebe/broker.sh status), and does the address say http:// for plaintext or https:// for TLS (with ZEEBE_CA_CERTIFICATE_PATH for a private CA)? Set ZEEBE_ADDRESS or --address to reach it",
                connection.address
            );
            EXIT_GATEWAY
        }
    }
}

/// The first delay between attempts, doubled after each up to [`MAX_RETRY_DELAY`].
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(250);
/// The longest delay between attempts.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(5);

/// Deploys, retrying transient trouble and timeouts (Zeebe deduplicates a deployment of
/// unchanged resources, so a retry after a timeout that did take effect changes nothing) with
/// doubling delays until `retry_for` has passed.
async fn deploy_retrying(
    client: &ZeebeClient,
    resources: Vec<Resource>,
    retry_for: Duration,
) -> Result<Vec<DeployedProcess>, ClientError> {
    let give_up_at = Instant::now() + retry_for;
    let mut delay = FIRST_RETRY_DELAY;
    loop {
        match client.deploy_resources(resources.clone()).await {
            Err(error) if error.is_retryable_when_idempotent() && Instant::now() + delay < give_up_at => {
                tracing::warn!(%error, ?delay, "could not deploy; retrying after a back-off");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_RETRY_DELAY);
            }
            answer => return answer,
        }
    }
}

/// The resources to deploy: every YAML workflow compiled (together when a folder was named, so
/// calls between them are checked) and every BPMN file as it is, once it reads
/// ([`yaml_to_bpmn::resources`]). `None` when any has errors, which are printed, as are the
/// warnings; an unreadable input is an error.
fn resources(inputs: &[PathBuf]) -> Result<Option<Vec<Resource>>, String> {
    let files = collect_files(inputs, DEPLOYABLE)?;
    if files.is_empty() {
        return Err(
            "no *.yaml, *.yml or *.bpmn file among the inputs; name workflow files or folders holding them".into()
        );
    }
    let read = (files.iter())
        .map(|path| {
            std::fs::read(path)
                .map(|bytes| resources::Resource { name: path.display().to_string(), bytes })
                .map_err(|error| format!("{}: cannot read: {error}", path.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let yaml_as = if inputs.iter().any(|p| p.is_dir()) { YamlAs::Set } else { YamlAs::AloneWhenOne };
    let loaded = match resources::load(&read, yaml_as) {
        Ok(loaded) => loaded,
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}");
            }
            eprintln!("{} errors; nothing was deployed. Fix them and deploy again", errors.len());
            return Ok(None);
        }
    };
    for warning in &loaded.warnings {
        eprintln!("{warning}");
    }
    let compiled = output::to_xml_all(&loaded.workflows);
    let mut resources: Vec<Resource> = (loaded.workflows.iter().zip(compiled))
        .map(|(workflow, xml)| (format!("{}.bpmn", workflow.id), xml.into_bytes()))
        .collect();
    for (path, file) in files.iter().zip(read) {
        if has_extension(path, "bpmn") {
            resources.push((resource_name(path), file.bytes));
        }
    }
    Ok(Some(resources))
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e == extension)
}

/// A BPMN file's resource name: its file name (Zeebe reads the type from the extension).
fn resource_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned())
}

/// Prints the processes as a table or as JSON.
fn print(processes: &[DeployedProcess], json: bool) {
    if json {
        let list: Vec<serde_json::Value> = processes
            .iter()
            .map(|p| {
                serde_json::json!({
                    "bpmnProcessId": p.bpmn_process_id,
                    "version": p.version,
                    "processDefinitionKey": p.process_definition_key,
                    "resourceName": p.resource_name,
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return;
    }
    let width = processes.iter().map(|p| p.bpmn_process_id.len()).max().unwrap_or(0).max("PROCESS ID".len());
    println!("{:width$}  {:>7}  {:>20}  RESOURCE", "PROCESS ID", "VERSION", "DEFINITION KEY");
    for p in processes {
        println!(
            "{:width$}  {:>7}  {:>20}  {}",
            p.bpmn_process_id, p.version, p.process_definition_key, p.resource_name
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "metadata:\n  id: hello\nsteps:\n  - id: greet\n    action: log\n    message: hi\n";

    #[test]
    fn yaml_is_compiled_and_bpmn_sent_as_it_is() {
        let dir = tempfile::tempdir().expect("temp dir");
        let xml = output::to_xml(&yaml_to_bpmn::compile_str("a.yaml", WORKFLOW).workflows[0].definitions);
        std::fs::write(dir.path().join("given.bpmn"), &xml).expect("writes");
        std::fs::write(dir.path().join("hello.yaml"), WORKFLOW.replace("hello", "other")).expect("writes");
        let resources = resources(&[dir.path().to_path_buf()]).expect("reads").expect("no errors");
        let names: Vec<&str> = resources.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["other.bpmn", "given.bpmn"]);
        assert_eq!(resources[1].1, xml.into_bytes(), "a BPMN file goes to Zeebe byte for byte");
    }

    #[test]
    fn a_bpmn_file_that_does_not_read_deploys_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("broken.bpmn"), "<definitions/>").expect("writes");
        std::fs::write(dir.path().join("hello.yaml"), WORKFLOW).expect("writes");
        assert_eq!(resources(&[dir.path().to_path_buf()]).expect("reads"), None);
    }
}
