//! Work items: create and update (JSON Patch documents), comment, get.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AzureDevOps, NewWorkItem, WorkItem, WorkItemComment, WorkItemUpdate};
use crate::error::ForgeError;
use crate::input::require;

/// The comments API exists as a preview only.
const COMMENTS_API_VERSION: &str = "7.1-preview.4";

/// A work item on the wire.
#[derive(Deserialize)]
struct WireWorkItem {
    id: u64,
    #[serde(default)]
    rev: u64,
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
    #[serde(default, rename = "_links")]
    links: Option<Value>,
}

/// A JSON Patch document of `add` operations (which set a field whether or not it had a value).
#[derive(Default)]
struct Patch(Vec<Value>);

impl Patch {
    fn field(&mut self, name: &str, value: impl Into<Value>) {
        self.0.push(json!({ "op": "add", "path": format!("/fields/{name}"), "value": value.into() }));
    }

    fn optional(&mut self, name: &str, value: Option<&String>) {
        if let Some(value) = value {
            self.field(name, value.as_str());
        }
    }
}

impl AzureDevOps {
    /// Creates a work item of the given type.
    pub async fn create_work_item(&self, item: &NewWorkItem) -> Result<WorkItem, ForgeError> {
        let kind = format!("${}", item.work_item_type.trim());
        let request = self.request(
            format!("create {} '{}'", item.work_item_type, item.title),
            Method::POST,
            super::API_VERSION,
            &["wit", "workitems", &kind],
        );
        require(&item.work_item_type, "work item type", &request.operation)?;
        require(&item.title, "title", &request.operation)?;
        let mut patch = Patch::default();
        patch.field("System.Title", item.title.as_str());
        patch.optional("System.Description", item.description.as_ref());
        patch.optional("System.AssignedTo", item.assigned_to.as_ref());
        if !item.tags.is_empty() {
            patch.field("System.Tags", item.tags.join("; "));
        }
        patch.optional("System.AreaPath", item.area_path.as_ref());
        patch.optional("System.IterationPath", item.iteration_path.as_ref());
        for (name, value) in &item.fields {
            patch.field(name, value.clone());
        }
        if let Some(parent) = item.parent {
            let mut parent_url = self.base.clone();
            if let Ok(mut segments) = parent_url.path_segments_mut() {
                segments
                    .pop_if_empty()
                    .extend([self.organization.as_str(), "_apis", "wit", "workItems"])
                    .push(&parent.to_string());
            }
            patch.0.push(json!({
                "op": "add",
                "path": "/relations/-",
                "value": { "rel": "System.LinkTypes.Hierarchy-Reverse", "url": parent_url.as_str() }
            }));
        }
        self.send_work_item(request.json_patch(Value::Array(patch.0))).await
    }

    /// Changes a work item's state or fields.
    pub async fn update_work_item(&self, id: u64, update: &WorkItemUpdate) -> Result<WorkItem, ForgeError> {
        let request = self.request(
            format!("update work item {id}"),
            Method::PATCH,
            super::API_VERSION,
            &["wit", "workitems", &id.to_string()],
        );
        let mut patch = Patch::default();
        patch.optional("System.Title", update.title.as_ref());
        patch.optional("System.State", update.state.as_ref());
        patch.optional("System.Reason", update.reason.as_ref());
        patch.optional("System.Description", update.description.as_ref());
        patch.optional("System.AssignedTo", update.assigned_to.as_ref());
        if let Some(tags) = &update.tags {
            patch.field("System.Tags", tags.join("; "));
        }
        for (name, value) in &update.fields {
            patch.field(name, value.clone());
        }
        if patch.0.is_empty() {
            return Err(ForgeError::InvalidInput {
                operation: request.operation,
                message: "nothing to change; give a state, title or another field".into(),
            });
        }
        self.send_work_item(request.json_patch(Value::Array(patch.0))).await
    }

    /// One work item with all its fields.
    pub async fn get_work_item(&self, id: u64) -> Result<WorkItem, ForgeError> {
        let request = self.request(
            format!("get work item {id}"),
            Method::GET,
            super::API_VERSION,
            &["wit", "workitems", &id.to_string()],
        );
        self.send_work_item(request).await
    }

    /// Adds a comment to a work item's discussion.
    pub async fn add_work_item_comment(&self, id: u64, text: &str) -> Result<WorkItemComment, ForgeError> {
        let request = self.request(
            format!("comment on work item {id}"),
            Method::POST,
            COMMENTS_API_VERSION,
            &["wit", "workItems", &id.to_string(), "comments"],
        );
        require(text, "comment text", &request.operation)?;
        self.transport.send(&request.json(json!({ "text": text }))).await
    }

    async fn send_work_item(&self, request: crate::transport::Request) -> Result<WorkItem, ForgeError> {
        let wire: WireWorkItem = self.transport.send(&request).await?;
        let html = wire.links.as_ref().and_then(|links| links.pointer("/html/href")).and_then(Value::as_str);
        let url = match html {
            Some(url) => url.to_owned(),
            None => self.project_url(&["_workitems", "edit", &wire.id.to_string()]).to_string(),
        };
        let text = |name: &str| wire.fields.get(name).and_then(Value::as_str).map(str::to_owned);
        Ok(WorkItem {
            id: wire.id,
            rev: wire.rev,
            url,
            state: text("System.State"),
            title: text("System.Title"),
            work_item_type: text("System.WorkItemType"),
            fields: wire.fields.clone(),
        })
    }
}
