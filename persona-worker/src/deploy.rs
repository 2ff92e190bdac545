//! `persona-worker deploy`: compile YAML workflows (or take BPMN as it is) and deploy them in one
//! deployment.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;

use workers::{ClientError, DeployedProcess, ZeebeClient};
use yaml_to_bpmn::cli::{collect_files, compile_sources};
use yaml_to_bpmn::{Source, output};

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

/// The resources to deploy: every BPMN file as it is and every YAML workflow compiled (together,
/// so calls between them are checked). `None` when a workflow has compile errors, which are
/// printed; an unreadable input is an error.
fn resources(inputs: &[PathBuf]) -> Result<Option<Vec<Resource>>, String> {
    let files = collect_files(inputs, DEPLOYABLE)?;
    if files.is_empty() {
        return Err(
            "no *.yaml, *.yml or *.bpmn file among the inputs; name workflow files or folders holding them".into()
        );
    }
    let (bpmn, yaml): (Vec<&PathBuf>, Vec<&PathBuf>) = files.iter().partition(|p| has_extension(p, "bpmn"));
    let sources = yaml
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .map(|text| Source { name: path.display().to_string(), text })
                .map_err(|error| format!("{}: cannot read: {error}", path.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut resources = Vec::new();
    if !sources.is_empty() {
        let outcome = compile_sources(inputs, &sources);
        let (errors, warnings): (Vec<_>, Vec<_>) = outcome.diagnostics.iter().partition(|d| d.is_error());
        for error in &errors {
            eprintln!("{error}");
        }
        if !errors.is_empty() {
            eprintln!("{} compile errors; nothing was deployed. Fix them and deploy again", errors.len());
            return Ok(None);
        }
        if !warnings.is_empty() {
            eprintln!("{} compile warnings (`yaml-to-bpmn check` lists them)", warnings.len());
        }
        for (workflow, xml) in outcome.workflows.iter().zip(output::to_xml_all(&outcome.workflows)) {
            resources.push((format!("{}.bpmn", workflow.id), xml.into_bytes()));
        }
    }
    for path in bpmn {
        let bytes = std::fs::read(path).map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
        resources.push((resource_name(path), bytes));
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
