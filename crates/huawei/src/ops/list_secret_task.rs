//! `GET /v1/{project_id}/csms/tasks?secret_name&status&task_id&limit&marker`: rotation tasks,
//! oldest first. `task_id` cannot be combined with the other filters.

use super::{limit, page};
use crate::call::{check_secret_name, Call};
use crate::error::{HuaweiError, HwResult};
use crate::records::{self, Task};
use crate::render;
use localsecrets_api::Response;
use serde_json::json;

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let limit = limit(call)?;
    let marker = call.query("marker").filter(|m| !m.is_empty());
    let secret_name = call.query("secret_name").filter(|m| !m.is_empty());
    let status = call.query("status").filter(|m| !m.is_empty());
    let task_id = call.query("task_id").filter(|m| !m.is_empty());
    if task_id.is_some() && (secret_name.is_some() || status.is_some() || marker.is_some()) {
        return Err(HuaweiError::invalid(
            "task_id cannot be combined with secret_name, status or marker.",
        ));
    }
    if let Some(n) = &secret_name {
        check_secret_name(n)?;
    }
    if let Some(s) = &status {
        if s != "SUCCESS" && s != "FAILED" {
            return Err(HuaweiError::invalid(format!(
                "The status {s} is invalid: use SUCCESS or FAILED."
            )));
        }
    }
    let tasks: Vec<Task> = records::all::<Task>(call.svc, &call.scope, records::TASK)?
        .into_iter()
        .map(|(_, t)| t)
        .filter(|t| secret_name.as_ref().is_none_or(|n| &t.secret_name == n))
        .filter(|t| status.as_ref().is_none_or(|s| &t.task_status == s))
        .filter(|t| task_id.as_ref().is_none_or(|id| &t.task_id == id))
        .collect();
    let total = tasks.len();
    let p = page(tasks, |t| &t.task_id, marker.as_deref(), limit, false)?;
    Ok(render::ok(json!({
        "total": total,
        "tasks": p.items.iter().map(Task::wire).collect::<Vec<_>>(),
        "next_marker": p.next,
    })))
}
