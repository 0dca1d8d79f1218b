//! One file per CSMS operation: parse the request, call the core service, render the answer.
//! Operations the emulator does not implement answer a clear CSMS error ([`unsupported`]).

use crate::call::{parse_int, Call};
use crate::error::{HuaweiError, HwResult};
use crate::router::Op;
use localsecrets_api::Response;
use serde::{Deserialize, Deserializer};

pub mod batch_create_or_delete_tags;
pub mod batch_import_secrets;
pub mod create_agency;
pub mod create_secret;
pub mod create_secret_event;
pub mod create_secret_tag;
pub mod create_secret_version;
pub mod delete_secret;
pub mod delete_secret_event;
pub mod delete_secret_for_schedule;
pub mod delete_secret_stage;
pub mod delete_secret_tag;
pub mod download_secret_blob;
pub mod generate_random_password;
pub mod list_notification_records;
pub mod list_project_secrets_tags;
pub mod list_resource_instances;
pub mod list_secret_events;
pub mod list_secret_tags;
pub mod list_secret_task;
pub mod list_secret_versions;
pub mod list_secrets;
pub mod restore_secret;
pub mod rotate_secret;
pub mod show_agency;
pub mod show_secret;
pub mod show_secret_event;
pub mod show_secret_stage;
pub mod show_secret_version;
pub mod show_secrets_config;
pub mod unsupported;
pub mod update_secret;
pub mod update_secret_event;
pub mod update_secret_stage;
pub mod update_secrets_config;
pub mod update_version;
pub mod upload_secret_blob;

pub fn dispatch(call: &Call<'_>, op: &Op) -> HwResult<Response> {
    match op {
        Op::ShowAgency => show_agency::handle(call),
        Op::CreateAgency => create_agency::handle(call),
        Op::ShowSecretFunctionTemplates
        | Op::ListUsers
        | Op::UpdateUserPassword
        | Op::ShowUserDetail { .. }
        | Op::ListGrants
        | Op::CreateGrants
        | Op::UpdateGrant
        | Op::DeleteGrant
        | Op::CheckSecrets => unsupported::handle(op),

        Op::ListSecretEvents => list_secret_events::handle(call),
        Op::CreateSecretEvent => create_secret_event::handle(call),
        Op::ShowSecretEvent { event } => show_secret_event::handle(call, event),
        Op::UpdateSecretEvent { event } => update_secret_event::handle(call, event),
        Op::DeleteSecretEvent { event } => delete_secret_event::handle(call, event),
        Op::ListNotificationRecords => list_notification_records::handle(call),
        Op::GenerateRandomPassword => generate_random_password::handle(call),
        Op::ListProjectSecretsTags => list_project_secrets_tags::handle(call),
        Op::ListSecretTask => list_secret_task::handle(call),
        Op::ListResourceInstances => list_resource_instances::handle(call),
        Op::ListSecretTags { secret_id } => list_secret_tags::handle(call, secret_id),
        Op::CreateSecretTag { secret_id } => create_secret_tag::handle(call, secret_id),
        Op::BatchCreateOrDeleteTags { secret_id } => {
            batch_create_or_delete_tags::handle(call, secret_id)
        }
        Op::DeleteSecretTag { secret_id, key } => delete_secret_tag::handle(call, secret_id, key),

        Op::ListSecrets => list_secrets::handle(call),
        Op::CreateSecret => create_secret::handle(call),
        Op::BatchImportSecrets => batch_import_secrets::handle(call),
        Op::ShowSecretsConfig => show_secrets_config::handle(call),
        Op::UpdateSecretsConfig => update_secrets_config::handle(call),
        Op::UploadSecretBlob => upload_secret_blob::handle(call),
        Op::ShowSecret { name } => show_secret::handle(call, name),
        Op::UpdateSecret { name } => update_secret::handle(call, name),
        Op::DeleteSecret { name } => delete_secret::handle(call, name),
        Op::DownloadSecretBlob { name } => download_secret_blob::handle(call, name),
        Op::RotateSecret { name } => rotate_secret::handle(call, name),
        Op::RestoreSecret { name } => restore_secret::handle(call, name),
        Op::DeleteSecretForSchedule { name } => delete_secret_for_schedule::handle(call, name),
        Op::ShowSecretStage { name, stage } => show_secret_stage::handle(call, name, stage),
        Op::UpdateSecretStage { name, stage } => update_secret_stage::handle(call, name, stage),
        Op::DeleteSecretStage { name, stage } => delete_secret_stage::handle(call, name, stage),
        Op::ListSecretVersions { name } => list_secret_versions::handle(call, name),
        Op::CreateSecretVersion { name } => create_secret_version::handle(call, name),
        Op::ShowSecretVersion { name, version } => show_secret_version::handle(call, name, version),
        Op::UpdateVersion { name, version } => update_version::handle(call, name, version),
    }
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 1000;

/// The `limit` query parameter (default 50).
pub fn limit(call: &Call<'_>) -> HwResult<usize> {
    Ok(call
        .query_int("limit", 1..=MAX_LIMIT)?
        .unwrap_or(DEFAULT_LIMIT) as usize)
}

/// One page of `items` after `marker` (the id of the last item of the previous page). When the
/// marker names no item and the list is ordered by id, the page starts at the first id after
/// it; otherwise an unknown marker is refused.
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

pub fn page<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    marker: Option<&str>,
    limit: usize,
    ordered_by_id: bool,
) -> HwResult<Page<T>> {
    let start = match marker.filter(|m| !m.is_empty()) {
        None => 0,
        Some(m) => match items.iter().position(|x| id(x) == m) {
            Some(p) => p + 1,
            None if ordered_by_id => items.iter().position(|x| id(x) > m).unwrap_or(items.len()),
            None => {
                return Err(HuaweiError::invalid(format!(
                    "The marker {m} does not name an item of this list."
                )))
            }
        },
    };
    let more = items.len() > start + limit;
    let items: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next = if more {
        items.last().map(|x| id(x).to_owned())
    } else {
        None
    };
    Ok(Page { items, next })
}

/// An integer the SDK may send as a string (`"limit": "10"`).
pub fn int_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Int(i64),
        Text(String),
    }
    match Option::<Either>::deserialize(d)? {
        None => Ok(None),
        Some(Either::Int(n)) => Ok(Some(n)),
        Some(Either::Text(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not an integer"))),
    }
}

/// Checks an integer from a body against a range.
pub fn in_range(name: &str, v: i64, range: std::ops::RangeInclusive<i64>) -> HwResult<i64> {
    parse_int(name, &v.to_string(), range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let p = page(items.clone(), |s| s, None, 2, true).unwrap();
        assert_eq!(
            (p.items.clone(), p.next.clone()),
            (vec!["a".to_string(), "b".into()], Some("b".into()))
        );
        let p = page(items.clone(), |s| s, Some("b"), 2, true).unwrap();
        assert_eq!(p.items, vec!["c".to_string(), "d".into()]);
        let p = page(items.clone(), |s| s, Some("d"), 2, true).unwrap();
        assert_eq!((p.items, p.next), (vec!["e".to_string()], None));
        // A deleted marker continues after its place in the order.
        let p = page(items.clone(), |s| s, Some("bb"), 2, true).unwrap();
        assert_eq!(p.items, vec!["c".to_string(), "d".into()]);
        assert!(page(items.clone(), |s| s, Some("bb"), 2, false).is_err());
        let p = page(items, |s| s, None, 5, true).unwrap();
        assert_eq!((p.items.len(), p.next), (5, None));
    }
}
