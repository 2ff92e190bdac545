//! The `pools:` section of a YAML file, read into [`PoolPolicy`]s, each problem reported at its
//! line and column with what to do.
//!
//! ```yaml
//! pools:
//!   - type: qa-test-engineer   # required: a persona type the store knows
//!     min: 2                   # fewest active members (default 2, at least 1)
//!     max: 5                   # most active members (default 5, at least min)
//!     held_per_instance: 1     # held jobs that call for one more member (default 1)
//!     max_tasks: 1             # capacity of each member created (default: the type's)
//!     project: acme/shop       # default: the project the runtime routes for
//! ```

use yaml_to_bpmn::diagnostic::{Diagnostics, Pos};
use yaml_to_bpmn::yaml::{self, Node, Value};

use super::{DEFAULT_HELD_PER_INSTANCE, DEFAULT_MAX, DEFAULT_MIN, PoolPolicy};
use crate::model::Project;

/// The keys a pool entry may have.
const KEYS: [&str; 6] = ["type", "min", "max", "held_per_instance", "max_tasks", "project"];

/// A pools file that cannot be used: every problem, one a line, as `file:line:column: error: ...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PoolFileError(String);

/// Reads the `pools:` section of `text` (the file `file`, named in errors). Pools without a
/// `project` are for `default_project`; `known_types` are the persona types the store holds.
/// Other top-level sections are left to their readers.
pub fn read_pools(
    file: &str,
    text: &str,
    default_project: &Project,
    known_types: &[String],
) -> Result<Vec<PoolPolicy>, PoolFileError> {
    let mut diags = Diagnostics::new(file);
    let blank = text.lines().all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'));
    let pools = match yaml::load(text, &mut diags) {
        _ if blank => {
            diags = Diagnostics::new(file);
            diags.error(Pos::new(1, 1), "the file is empty; give a `pools:` list");
            Vec::new()
        }
        Some(root) => Reader { diags: &mut diags, default_project, known_types }.pools(&root),
        None => Vec::new(),
    };
    if diags.has_errors() {
        let lines: Vec<String> = diags.into_sorted().iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
        return Err(PoolFileError(lines.join("\n")));
    }
    Ok(pools)
}

/// Reads the pools, recording every problem.
struct Reader<'a> {
    diags: &'a mut Diagnostics,
    default_project: &'a Project,
    known_types: &'a [String],
}

impl Reader<'_> {
    fn pools(&mut self, root: &Node) -> Vec<PoolPolicy> {
        let Some(list) = root.get("pools") else {
            self.diags
                .error(root.pos, "no `pools:` section; add `pools:` with a list of `- type: PERSONA-TYPE` entries");
            return Vec::new();
        };
        let Value::Seq(entries) = &list.value else {
            self.diags
                .error(list.pos, format!("`pools:` is {}; make it a list of `- type: ...` entries", list.kind_name()));
            return Vec::new();
        };
        let mut pools: Vec<PoolPolicy> = Vec::new();
        for entry in entries {
            let Some(pool) = self.pool(entry) else { continue };
            let twin =
                pools.iter().any(|p| p.persona_type == pool.persona_type && p.project.key() == pool.project.key());
            if twin {
                self.diags.error(
                    entry.pos,
                    format!(
                        "a second pool of `{}` in {}; keep one entry per type and project",
                        pool.persona_type, pool.project
                    ),
                );
                continue;
            }
            pools.push(pool);
        }
        pools
    }

    /// One entry, or `None` when it has a problem (recorded).
    fn pool(&mut self, entry: &Node) -> Option<PoolPolicy> {
        if !matches!(entry.value, Value::Map(_)) {
            self.diags.error(
                entry.pos,
                format!("a pool is {}; write `- type: PERSONA-TYPE` and its settings", entry.kind_name()),
            );
            return None;
        }
        let mut sound = true;
        for field in entry.entries() {
            if !KEYS.contains(&field.key.as_str()) {
                sound = false;
                self.diags
                    .error(field.key_pos, format!("`{}` is not a pool setting; use {}", field.key, KEYS.join(", ")));
            }
        }
        let persona_type = self.persona_type(entry);
        let project = match entry.get("project") {
            None => Some(self.default_project.clone()),
            Some(node) => match node.as_str().map(str::parse::<Project>) {
                Some(Ok(project)) => Some(project),
                Some(Err(error)) => self.refuse(node, error.to_string()),
                None => self.refuse(node, format!("`project` is {}; write ORGANISATION/PROJECT", node.kind_name())),
            },
        };
        let min = self.count(entry, "min", DEFAULT_MIN);
        let max = self.count(entry, "max", DEFAULT_MAX);
        let held_per_instance = self.count(entry, "held_per_instance", DEFAULT_HELD_PER_INSTANCE);
        let max_tasks = entry.get("max_tasks").map(|_| self.count(entry, "max_tasks", 1));
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            sound = false;
            let at = entry.get("min").map_or(entry.pos, |n| n.pos);
            self.diags.error(at, format!("`min` ({min}) is above `max` ({max}); make `max` at least `min`"));
        }
        let (persona_type, project, min, max, held_per_instance) =
            (persona_type?, project?, min?, max?, held_per_instance?);
        let max_tasks = max_tasks.map_or(Some(None), |n| n.map(Some))?;
        let pool = PoolPolicy { persona_type, project, min, max, held_per_instance, max_tasks };
        sound.then_some(pool)
    }

    fn persona_type(&mut self, entry: &Node) -> Option<String> {
        let Some(node) = entry.get("type") else {
            return self.refuse(entry, "the pool has no `type`; give the persona type of its members".into());
        };
        let Some(id) = node.as_str() else {
            return self.refuse(node, format!("`type` is {}; give a persona type id", node.kind_name()));
        };
        if !self.known_types.iter().any(|known| known == id) {
            return self.refuse(
                node,
                format!("unknown persona type `{id}`; `orchestrator personas types` loads and lists the known ones"),
            );
        }
        Some(id.to_owned())
    }

    /// The whole number under `key` (1 or more), `default` when absent, `None` on a problem.
    fn count(&mut self, entry: &Node, key: &str, default: u32) -> Option<u32> {
        let Some(node) = entry.get(key) else { return Some(default) };
        match node.value {
            Value::Int(n) if n >= 1 => match u32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => self.refuse(node, format!("`{key}` ({n}) is too large")),
            },
            Value::Int(n) => self.refuse(node, format!("`{key}` is {n}; give 1 or more")),
            _ => self.refuse(node, format!("`{key}` is {}; give a whole number, 1 or more", node.kind_name())),
        }
    }

    /// Records `message` at `node`; no value.
    fn refuse<T>(&mut self, node: &Node, message: String) -> Option<T> {
        self.diags.error(node.pos, message);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<PoolPolicy>, PoolFileError> {
        let known = ["qa-test-engineer".to_owned(), "software-architect".to_owned()];
        read_pools("pools.yaml", text, &Project::new("acme", "shop"), &known)
    }

    /// The error of `text`, which must be refused.
    fn refused(text: &str) -> String {
        read(text).expect_err("refused").to_string()
    }

    #[test]
    fn a_pool_takes_the_defaults_it_does_not_set() {
        let pools = read("pools:\n  - type: qa-test-engineer\n  - type: software-architect\n    min: 1\n    max: 3\n    held_per_instance: 4\n    max_tasks: 2\n    project: acme/web\n").expect("read");
        assert_eq!(pools[0], PoolPolicy::new("qa-test-engineer", Project::new("acme", "shop")));
        assert_eq!(
            pools[1],
            PoolPolicy {
                persona_type: "software-architect".into(),
                project: Project::new("acme", "web"),
                min: 1,
                max: 3,
                held_per_instance: 4,
                max_tasks: Some(2),
            }
        );
    }

    #[test]
    fn min_above_max_is_refused_at_min() {
        let error = refused("pools:\n  - type: qa-test-engineer\n    min: 6\n    max: 5\n");
        assert_eq!(error, "pools.yaml:3:10: error: `min` (6) is above `max` (5); make `max` at least `min`");
    }

    #[test]
    fn min_below_one_is_refused_at_its_value() {
        let error = refused("pools:\n  - type: qa-test-engineer\n    min: 0\n");
        assert_eq!(error, "pools.yaml:3:10: error: `min` is 0; give 1 or more");
        let error = refused("pools:\n  - type: qa-test-engineer\n    max: two\n");
        assert_eq!(error, "pools.yaml:3:10: error: `max` is a string; give a whole number, 1 or more");
    }

    #[test]
    fn an_unknown_type_is_refused_at_its_value() {
        let error = refused("pools:\n  - type: qa-tester\n");
        assert!(error.starts_with("pools.yaml:2:11: error: unknown persona type `qa-tester`;"), "{error}");
        assert!(error.contains("orchestrator personas types"), "{error}");
        let error = refused("pools:\n  - min: 2\n");
        assert!(error.starts_with("pools.yaml:2:5: error: the pool has no `type`"), "{error}");
    }

    #[test]
    fn unknown_settings_bad_projects_and_twins_are_refused_where_they_are() {
        let error = refused("pools:\n  - type: qa-test-engineer\n    minimum: 2\n    project: acme\n");
        let lines: Vec<&str> = error.lines().collect();
        assert!(
            lines[0].starts_with("pools.yaml:3:5: error: `minimum` is not a pool setting; use type, min"),
            "{error}"
        );
        assert!(lines[1].starts_with("pools.yaml:4:14: error: `acme` is not a project"), "{error}");
        let error = refused("pools:\n  - type: qa-test-engineer\n  - type: qa-test-engineer\n    project: acme/shop\n");
        assert!(
            error.starts_with("pools.yaml:3:5: error: a second pool of `qa-test-engineer` in acme/shop"),
            "{error}"
        );
    }

    #[test]
    fn a_file_without_a_pools_list_is_refused() {
        let empty = refused("");
        assert_eq!(empty, "pools.yaml:1:1: error: the file is empty; give a `pools:` list");
        assert!(refused("# nothing\n").contains("the file is empty"));
        assert!(refused("prices: {}\n").contains("no `pools:` section"));
        assert!(refused("pools: qa\n").starts_with("pools.yaml:1:8: error: `pools:` is a string; make it a list"));
        assert!(refused("pools:\n  - qa\n").starts_with("pools.yaml:2:5: error: a pool is a string"));
        assert!(refused("pools: [\n").starts_with("pools.yaml:"), "YAML errors are located too");
    }
}
