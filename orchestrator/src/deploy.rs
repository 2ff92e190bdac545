//! `deploy`: compile YAML workflows, read BPMN files, and deploy them all in one engine
//! command, so an error anywhere deploys nothing.

use std::path::PathBuf;

use engine::{Deployment, EngineCore};
use yaml_to_bpmn::cli::collect_files;
use yaml_to_bpmn::resources::{NOT_UTF8, Resource, YamlAs};

use crate::failure::{Failure, Result};

/// The models found below the paths, ready to deploy.
pub struct Models {
    /// (resource name, model) per workflow or BPMN file.
    pub resources: Vec<(String, bpmn::Definitions)>,
    /// Compiler warnings and the repairs made to read BPMN files (`file:line:col: warning: ...`).
    pub warnings: Vec<String>,
    /// (file name, contents) of every file read, for a `serve` that compiles them itself.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Reads and compiles the YAML and BPMN files named or found below the folders named
/// ([`yaml_to_bpmn::resources`]). Any compile or read error fails the whole set, with every error
/// located.
pub fn load(paths: &[PathBuf]) -> Result<Models> {
    let files = collect_files(paths, &["yaml", "yml", "bpmn"]).map_err(Failure::Usage)?;
    if files.is_empty() {
        return Err(Failure::Usage(
            "no .yaml, .yml or .bpmn file found in the paths given; name workflow files or folders that hold them"
                .into(),
        ));
    }
    let mut read = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| Failure::Usage(format!("{name}: cannot read: {e}")))?;
        read.push(Resource { name, bytes });
    }
    let yaml_as = if paths.iter().any(|p| p.is_dir()) { YamlAs::Set } else { YamlAs::AloneWhenOne };
    match yaml_to_bpmn::resources::load(&read, yaml_as) {
        Ok(mut loaded) => {
            let warnings = std::mem::take(&mut loaded.warnings);
            let files = read.into_iter().map(|r| (r.name, r.bytes)).collect();
            Ok(Models { resources: loaded.definitions(), warnings, files })
        }
        Err(errors) => Err(Failure::Usage(format!(
            "{}\nnothing was deployed: fix the {} error(s) above and deploy again",
            errors.join("\n"),
            errors.len()
        ))),
    }
}

/// The files as `POST /api/deployments` takes them (`{"resources": [{name, content}]}`), for a
/// `serve` that deploys them; a file that is not UTF-8 text is a usage failure naming it.
pub fn request(models: &Models) -> Result<serde_json::Value> {
    let resources = models
        .files
        .iter()
        .map(|(name, bytes)| {
            let content = std::str::from_utf8(bytes).map_err(|_| {
                Failure::Usage(format!("{name}:1:1: error: {NOT_UTF8}; a running serve takes text only"))
            })?;
            Ok(serde_json::json!({ "name": name, "content": content }))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(serde_json::json!({ "resources": resources }))
}

/// Deploys the models in one command (all or nothing).
pub fn deploy(core: &mut EngineCore, models: &Models) -> Result<Deployment> {
    let resources: Vec<(&str, &bpmn::Definitions)> = models.resources.iter().map(|(n, d)| (n.as_str(), d)).collect();
    core.deploy_models(&resources).map_err(|e| match e {
        engine::EngineError::InvalidArgument(message) => Failure::Usage(format!(
            "the engine refused the models:\n{message}\nnothing was deployed: fix the models and deploy again"
        )),
        other => Failure::engine(other, "deploy again"),
    })
}
