//! `POST …/secrets/{secret_name}/rotate`: rotates now. The new version `vN` gets a generated
//! password in place of the old one (a JSON value keeps its other fields), becomes SYSCURRENT
//! and the old current version SYSPREVIOUS; the rotation is recorded as a task. Shared
//! (`COMMON`) secrets rotate only when they name a `rotation_func_urn`.
//!
//! A secret whose `rotation_func_urn` names a registered user function is rotated by that
//! function instead (one call with a FunctionGraph-style event; it writes the new version
//! through the API); the task then shows SUCCESS or FAILED with the function's error. The
//! scheduler rotates through the same path when `next_rotation_time` comes.
//!
//! Answers the current SDK's flat `{"version_id", "secret_name", "rotation_task_id"}` (the
//! older documented `{"rotate": {…}}` parses to nothing in the SDK).

use crate::call::{check_secret_name, Call};
use crate::error::HwResult;
use crate::records::{self, Task};
use crate::render;
use crate::rotation::rotate;
use localsecrets_api::Response;
use serde_json::json;

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let version_id = rotate(call.svc, call.functions, &call.scope, name)?;
    // The task was written with the rotation, by the observer.
    let task = records::all::<Task>(call.svc, &call.scope, records::TASK)?
        .into_iter()
        .map(|(_, t)| t)
        .rfind(|t| t.secret_name == name && t.version_id == version_id);
    Ok(render::ok(json!({
        "version_id": version_id,
        "secret_name": name,
        "rotation_task_id": task.map(|t| t.task_id),
    })))
}
