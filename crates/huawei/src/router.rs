//! Routes on the raw path: split on `/` first, then percent-decode each segment, so a secret
//! named `a b/c` (sent as `a%20b%2Fc`) stays one segment. Project-level operations live under
//! `/v1/{project_id}/…`, account-level ones under `/v1/csms/…`.

use crate::error::{ErrorKind, HuaweiError, HwResult};
use percent_encoding::percent_decode_str;

/// One CSMS operation with the values its path carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    ShowAgency,
    CreateAgency,
    ShowSecretFunctionTemplates,
    ListUsers,
    UpdateUserPassword,
    ShowUserDetail { user_id: String },

    ListSecretEvents,
    CreateSecretEvent,
    ShowSecretEvent { event: String },
    UpdateSecretEvent { event: String },
    DeleteSecretEvent { event: String },
    GenerateRandomPassword,
    ListGrants,
    CreateGrants,
    UpdateGrant,
    DeleteGrant,
    ListNotificationRecords,
    ListProjectSecretsTags,
    ListSecretTask,
    ListResourceInstances,
    ListSecretTags { secret_id: String },
    CreateSecretTag { secret_id: String },
    BatchCreateOrDeleteTags { secret_id: String },
    DeleteSecretTag { secret_id: String, key: String },

    ListSecrets,
    CreateSecret,
    BatchImportSecrets,
    CheckSecrets,
    ShowSecretsConfig,
    UpdateSecretsConfig,
    UploadSecretBlob,
    ShowSecret { name: String },
    UpdateSecret { name: String },
    DeleteSecret { name: String },
    DownloadSecretBlob { name: String },
    RotateSecret { name: String },
    RestoreSecret { name: String },
    DeleteSecretForSchedule { name: String },
    ShowSecretStage { name: String, stage: String },
    UpdateSecretStage { name: String, stage: String },
    DeleteSecretStage { name: String, stage: String },
    ListSecretVersions { name: String },
    CreateSecretVersion { name: String },
    ShowSecretVersion { name: String, version: String },
    UpdateVersion { name: String, version: String },
}

impl Op {
    /// The API name Huawei documents (and the request journal shows).
    pub fn name(&self) -> &'static str {
        match self {
            Op::ShowAgency => "ShowAgency",
            Op::CreateAgency => "CreateAgency",
            Op::ShowSecretFunctionTemplates => "ShowSecretFunctionTemplates",
            Op::ListUsers => "ListUsers",
            Op::UpdateUserPassword => "UpdateUserPassword",
            Op::ShowUserDetail { .. } => "ShowUserDetail",
            Op::ListSecretEvents => "ListSecretEvents",
            Op::CreateSecretEvent => "CreateSecretEvent",
            Op::ShowSecretEvent { .. } => "ShowSecretEvent",
            Op::UpdateSecretEvent { .. } => "UpdateSecretEvent",
            Op::DeleteSecretEvent { .. } => "DeleteSecretEvent",
            Op::GenerateRandomPassword => "GenerateRandomPassword",
            Op::ListGrants => "ListGrants",
            Op::CreateGrants => "CreateGrants",
            Op::UpdateGrant => "UpdateGrant",
            Op::DeleteGrant => "DeleteGrant",
            Op::ListNotificationRecords => "ListNotificationRecords",
            Op::ListProjectSecretsTags => "ListProjectSecretsTags",
            Op::ListSecretTask => "ListSecretTask",
            Op::ListResourceInstances => "ListResourceInstances",
            Op::ListSecretTags { .. } => "ListSecretTags",
            Op::CreateSecretTag { .. } => "CreateSecretTag",
            Op::BatchCreateOrDeleteTags { .. } => "BatchCreateOrDeleteTags",
            Op::DeleteSecretTag { .. } => "DeleteSecretTag",
            Op::ListSecrets => "ListSecrets",
            Op::CreateSecret => "CreateSecret",
            Op::BatchImportSecrets => "BatchImportSecrets",
            Op::CheckSecrets => "CheckSecrets",
            Op::ShowSecretsConfig => "ShowSecretsConfig",
            Op::UpdateSecretsConfig => "UpdateSecretsConfig",
            Op::UploadSecretBlob => "UploadSecretBlob",
            Op::ShowSecret { .. } => "ShowSecret",
            Op::UpdateSecret { .. } => "UpdateSecret",
            Op::DeleteSecret { .. } => "DeleteSecret",
            Op::DownloadSecretBlob { .. } => "DownloadSecretBlob",
            Op::RotateSecret { .. } => "RotateSecret",
            Op::RestoreSecret { .. } => "RestoreSecret",
            Op::DeleteSecretForSchedule { .. } => "DeleteSecretForSchedule",
            Op::ShowSecretStage { .. } => "ShowSecretStage",
            Op::UpdateSecretStage { .. } => "UpdateSecretStage",
            Op::DeleteSecretStage { .. } => "DeleteSecretStage",
            Op::ListSecretVersions { .. } => "ListSecretVersions",
            Op::CreateSecretVersion { .. } => "CreateSecretVersion",
            Op::ShowSecretVersion { .. } => "ShowSecretVersion",
            Op::UpdateVersion { .. } => "UpdateVersion",
        }
    }
}

/// Where a request is addressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `/v1/csms/…`: the account, not a project.
    Account,
    Project(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routed {
    pub target: Target,
    pub op: Op,
}

/// What the SDK leaves in the path when no project id was configured.
const PLACEHOLDER: &str = "{project_id}";

fn route_not_found(method: &str, path: &str) -> HuaweiError {
    HuaweiError::new(
        ErrorKind::RouteNotFound,
        format!(
            "The API does not exist or has not been published in the environment: {method} {path}"
        ),
    )
}

/// Splits the raw path and percent-decodes each segment. A trailing `/` is tolerated; an
/// empty segment inside the path is not a route.
pub fn segments(raw_path: &str) -> HwResult<Option<Vec<String>>> {
    let Some(rest) = raw_path.strip_prefix('/') else {
        return Ok(None);
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut out = Vec::new();
    for seg in rest.split('/') {
        if seg.is_empty() {
            return Ok(None);
        }
        let decoded = percent_decode_str(seg).decode_utf8().map_err(|_| {
            HuaweiError::invalid(format!(
                "The path segment {seg} is not valid UTF-8 once percent-decoded."
            ))
        })?;
        out.push(decoded.into_owned());
    }
    Ok(Some(out))
}

/// The route of a request, its project id not yet checked.
pub fn match_route(method: &str, raw_path: &str) -> HwResult<Option<Routed>> {
    let Some(segs) = segments(raw_path)? else {
        return Ok(None);
    };
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let (target, op) = match s.as_slice() {
        ["v1", "csms", rest @ ..] => (Target::Account, account_op(method, rest)),
        ["v1", project, rest @ ..] => (
            Target::Project((*project).to_owned()),
            project_op(method, rest),
        ),
        _ => (Target::Account, None),
    };
    Ok(op.map(|op| Routed { target, op }))
}

/// The route of a request: an unknown route is the gateway's 404, then the project id must
/// be one IAM could have issued.
pub fn route(method: &str, raw_path: &str) -> HwResult<Routed> {
    let routed = match_route(method, raw_path)?.ok_or_else(|| route_not_found(method, raw_path))?;
    if let Target::Project(p) = &routed.target {
        check_project(p)?;
    }
    Ok(routed)
}

/// Project ids are the 32 characters IAM hands out.
pub fn check_project(p: &str) -> HwResult<()> {
    if p == PLACEHOLDER {
        return Err(HuaweiError::new(
            ErrorKind::MissingProjectId,
            "The project id is missing: the path carries the SDK's {project_id} placeholder. \
             Give the project id to the credentials, e.g. BasicCredentials(ak, sk, project_id), \
             or set HUAWEICLOUD_SDK_PROJECT_ID.",
        ));
    }
    if p.len() != 32 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(HuaweiError::invalid(format!(
            "The project id {p} is invalid: it must be 32 letters or digits, as IAM returns it."
        )));
    }
    Ok(())
}

fn account_op(method: &str, rest: &[&str]) -> Option<Op> {
    Some(match (method, rest) {
        ("GET", ["agencies"]) => Op::ShowAgency,
        ("POST", ["agencies"]) => Op::CreateAgency,
        ("GET", ["function-templates"]) => Op::ShowSecretFunctionTemplates,
        ("GET", ["users"]) => Op::ListUsers,
        ("POST", ["users", "change-password"]) => Op::UpdateUserPassword,
        ("GET", ["users", id]) => Op::ShowUserDetail {
            user_id: (*id).to_owned(),
        },
        _ => return None,
    })
}

fn project_op(method: &str, rest: &[&str]) -> Option<Op> {
    let own = |s: &&str| (*s).to_owned();
    Some(match (method, rest) {
        ("GET", ["csms", "events"]) => Op::ListSecretEvents,
        ("POST", ["csms", "events"]) => Op::CreateSecretEvent,
        ("GET", ["csms", "events", e]) => Op::ShowSecretEvent { event: own(e) },
        ("PUT", ["csms", "events", e]) => Op::UpdateSecretEvent { event: own(e) },
        ("DELETE", ["csms", "events", e]) => Op::DeleteSecretEvent { event: own(e) },
        ("POST", ["csms", "generate-password"]) => Op::GenerateRandomPassword,
        ("GET", ["csms", "grants"]) => Op::ListGrants,
        ("POST", ["csms", "grants"]) => Op::CreateGrants,
        ("PUT", ["csms", "grants"]) => Op::UpdateGrant,
        ("DELETE", ["csms", "grants"]) => Op::DeleteGrant,
        ("GET", ["csms", "notification-records"]) => Op::ListNotificationRecords,
        ("GET", ["csms", "tags"]) => Op::ListProjectSecretsTags,
        ("GET", ["csms", "tasks"]) => Op::ListSecretTask,
        ("POST", ["csms", "resource_instances", "action"]) => Op::ListResourceInstances,
        ("GET", ["csms", id, "tags"]) => Op::ListSecretTags { secret_id: own(id) },
        ("POST", ["csms", id, "tags"]) => Op::CreateSecretTag { secret_id: own(id) },
        ("POST", ["csms", id, "tags", "action"]) => {
            Op::BatchCreateOrDeleteTags { secret_id: own(id) }
        }
        ("DELETE", ["csms", id, "tags", key]) => Op::DeleteSecretTag {
            secret_id: own(id),
            key: own(key),
        },

        ("GET", ["secrets"]) => Op::ListSecrets,
        ("POST", ["secrets"]) => Op::CreateSecret,
        ("POST", ["secrets", "batch-import"]) => Op::BatchImportSecrets,
        ("POST", ["secrets", "checker", "check"]) => Op::CheckSecrets,
        ("GET", ["secrets", "checker", "config"]) => Op::ShowSecretsConfig,
        ("POST", ["secrets", "checker", "config"]) => Op::UpdateSecretsConfig,
        ("POST", ["secrets", "restore"]) => Op::UploadSecretBlob,
        ("GET", ["secrets", n]) => Op::ShowSecret { name: own(n) },
        ("PUT", ["secrets", n]) => Op::UpdateSecret { name: own(n) },
        ("DELETE", ["secrets", n]) => Op::DeleteSecret { name: own(n) },
        ("POST", ["secrets", n, "backup"]) => Op::DownloadSecretBlob { name: own(n) },
        ("POST", ["secrets", n, "rotate"]) => Op::RotateSecret { name: own(n) },
        ("POST", ["secrets", n, "scheduled-deleted-tasks", "cancel"]) => {
            Op::RestoreSecret { name: own(n) }
        }
        ("POST", ["secrets", n, "scheduled-deleted-tasks", "create"]) => {
            Op::DeleteSecretForSchedule { name: own(n) }
        }
        ("GET", ["secrets", n, "stages", st]) => Op::ShowSecretStage {
            name: own(n),
            stage: own(st),
        },
        ("PUT", ["secrets", n, "stages", st]) => Op::UpdateSecretStage {
            name: own(n),
            stage: own(st),
        },
        ("DELETE", ["secrets", n, "stages", st]) => Op::DeleteSecretStage {
            name: own(n),
            stage: own(st),
        },
        ("GET", ["secrets", n, "versions"]) => Op::ListSecretVersions { name: own(n) },
        ("POST", ["secrets", n, "versions"]) => Op::CreateSecretVersion { name: own(n) },
        ("GET", ["secrets", n, "versions", v]) => Op::ShowSecretVersion {
            name: own(n),
            version: own(v),
        },
        ("PUT", ["secrets", n, "versions", v]) => Op::UpdateVersion {
            name: own(n),
            version: own(v),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_api::WireError;

    const P: &str = "0123456789abcdef0123456789abcdef";

    fn op(method: &str, path: &str) -> Op {
        route(method, path).unwrap().op
    }

    #[test]
    fn every_documented_route() {
        let p = format!("/v1/{P}");
        let n = || "db".to_owned();
        let cases: Vec<(&str, String, Op)> = vec![
            ("GET", "/v1/csms/agencies".into(), Op::ShowAgency),
            ("POST", "/v1/csms/agencies".into(), Op::CreateAgency),
            (
                "GET",
                "/v1/csms/function-templates".into(),
                Op::ShowSecretFunctionTemplates,
            ),
            ("GET", "/v1/csms/users".into(), Op::ListUsers),
            (
                "POST",
                "/v1/csms/users/change-password".into(),
                Op::UpdateUserPassword,
            ),
            (
                "GET",
                "/v1/csms/users/u1".into(),
                Op::ShowUserDetail {
                    user_id: "u1".into(),
                },
            ),
            ("GET", format!("{p}/csms/events"), Op::ListSecretEvents),
            ("POST", format!("{p}/csms/events"), Op::CreateSecretEvent),
            (
                "GET",
                format!("{p}/csms/events/ev1"),
                Op::ShowSecretEvent {
                    event: "ev1".into(),
                },
            ),
            (
                "PUT",
                format!("{p}/csms/events/ev1"),
                Op::UpdateSecretEvent {
                    event: "ev1".into(),
                },
            ),
            (
                "DELETE",
                format!("{p}/csms/events/ev1"),
                Op::DeleteSecretEvent {
                    event: "ev1".into(),
                },
            ),
            (
                "POST",
                format!("{p}/csms/generate-password"),
                Op::GenerateRandomPassword,
            ),
            ("GET", format!("{p}/csms/grants"), Op::ListGrants),
            ("POST", format!("{p}/csms/grants"), Op::CreateGrants),
            ("PUT", format!("{p}/csms/grants"), Op::UpdateGrant),
            ("DELETE", format!("{p}/csms/grants"), Op::DeleteGrant),
            (
                "GET",
                format!("{p}/csms/notification-records"),
                Op::ListNotificationRecords,
            ),
            ("GET", format!("{p}/csms/tags"), Op::ListProjectSecretsTags),
            ("GET", format!("{p}/csms/tasks"), Op::ListSecretTask),
            (
                "POST",
                format!("{p}/csms/resource_instances/action"),
                Op::ListResourceInstances,
            ),
            (
                "GET",
                format!("{p}/csms/id-1/tags"),
                Op::ListSecretTags {
                    secret_id: "id-1".into(),
                },
            ),
            (
                "POST",
                format!("{p}/csms/id-1/tags"),
                Op::CreateSecretTag {
                    secret_id: "id-1".into(),
                },
            ),
            (
                "POST",
                format!("{p}/csms/id-1/tags/action"),
                Op::BatchCreateOrDeleteTags {
                    secret_id: "id-1".into(),
                },
            ),
            (
                "DELETE",
                format!("{p}/csms/id-1/tags/k%201"),
                Op::DeleteSecretTag {
                    secret_id: "id-1".into(),
                    key: "k 1".into(),
                },
            ),
            ("GET", format!("{p}/secrets"), Op::ListSecrets),
            ("POST", format!("{p}/secrets"), Op::CreateSecret),
            (
                "POST",
                format!("{p}/secrets/batch-import"),
                Op::BatchImportSecrets,
            ),
            (
                "POST",
                format!("{p}/secrets/checker/check"),
                Op::CheckSecrets,
            ),
            (
                "GET",
                format!("{p}/secrets/checker/config"),
                Op::ShowSecretsConfig,
            ),
            (
                "POST",
                format!("{p}/secrets/checker/config"),
                Op::UpdateSecretsConfig,
            ),
            ("POST", format!("{p}/secrets/restore"), Op::UploadSecretBlob),
            (
                "GET",
                format!("{p}/secrets/db"),
                Op::ShowSecret { name: n() },
            ),
            (
                "PUT",
                format!("{p}/secrets/db"),
                Op::UpdateSecret { name: n() },
            ),
            (
                "DELETE",
                format!("{p}/secrets/db"),
                Op::DeleteSecret { name: n() },
            ),
            (
                "POST",
                format!("{p}/secrets/db/backup"),
                Op::DownloadSecretBlob { name: n() },
            ),
            (
                "POST",
                format!("{p}/secrets/db/rotate"),
                Op::RotateSecret { name: n() },
            ),
            (
                "POST",
                format!("{p}/secrets/db/scheduled-deleted-tasks/cancel"),
                Op::RestoreSecret { name: n() },
            ),
            (
                "POST",
                format!("{p}/secrets/db/scheduled-deleted-tasks/create"),
                Op::DeleteSecretForSchedule { name: n() },
            ),
            (
                "GET",
                format!("{p}/secrets/db/stages/blue"),
                Op::ShowSecretStage {
                    name: n(),
                    stage: "blue".into(),
                },
            ),
            (
                "PUT",
                format!("{p}/secrets/db/stages/blue"),
                Op::UpdateSecretStage {
                    name: n(),
                    stage: "blue".into(),
                },
            ),
            (
                "DELETE",
                format!("{p}/secrets/db/stages/blue"),
                Op::DeleteSecretStage {
                    name: n(),
                    stage: "blue".into(),
                },
            ),
            (
                "GET",
                format!("{p}/secrets/db/versions"),
                Op::ListSecretVersions { name: n() },
            ),
            (
                "POST",
                format!("{p}/secrets/db/versions"),
                Op::CreateSecretVersion { name: n() },
            ),
            (
                "GET",
                format!("{p}/secrets/db/versions/latest"),
                Op::ShowSecretVersion {
                    name: n(),
                    version: "latest".into(),
                },
            ),
            (
                "PUT",
                format!("{p}/secrets/db/versions/v2"),
                Op::UpdateVersion {
                    name: n(),
                    version: "v2".into(),
                },
            ),
        ];
        // 45 operations in huaweicloudsdkcsms 3.1.219.
        assert_eq!(cases.len(), 45);
        for (method, path, want) in cases {
            assert_eq!(op(method, &path), want, "{method} {path}");
        }
    }

    #[test]
    fn literal_segments_win_over_parameters() {
        let p = format!("/v1/{P}");
        // An event named "tags", a secret named "restore".
        assert_eq!(
            op("GET", &format!("{p}/csms/events/tags")),
            Op::ShowSecretEvent {
                event: "tags".into()
            }
        );
        assert_eq!(
            op("GET", &format!("{p}/secrets/restore")),
            Op::ShowSecret {
                name: "restore".into()
            }
        );
        assert_eq!(
            op("POST", &format!("{p}/secrets/restore")),
            Op::UploadSecretBlob
        );
    }

    #[test]
    fn unknown_routes_are_gateway_404s() {
        let p = format!("/v1/{P}");
        for (method, path) in [
            ("GET", format!("{p}/nothing")),
            ("PATCH", format!("{p}/secrets/db")),
            ("POST", format!("{p}/secrets/db")),
            ("GET", format!("{p}/secrets//versions")),
            ("GET", "/v1/csms/nothing".to_owned()),
            ("GET", "/v1".to_owned()),
            ("GET", "/v2/x/secrets".to_owned()),
            ("POST", format!("{p}/csms/other_instances/action")),
        ] {
            let e = route(method, &path).unwrap_err();
            assert_eq!(
                (e.status(), e.code()),
                (404, "APIGW.0101"),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn a_trailing_slash_is_tolerated() {
        assert_eq!(op("GET", &format!("/v1/{P}/secrets/")), Op::ListSecrets);
    }

    #[test]
    fn project_ids_are_checked_after_the_route() {
        let e = route("GET", "/v1/%7Bproject_id%7D/secrets").unwrap_err();
        assert_eq!(e.kind, ErrorKind::MissingProjectId);
        assert_eq!((e.status(), e.code()), (400, "CSMS.0003"));
        assert!(e.message.contains("HUAWEICLOUD_SDK_PROJECT_ID"));
        let e = route("GET", "/v1/p1/secrets").unwrap_err();
        assert_eq!((e.status(), e.code()), (400, "CSMS.0002"));
        // An unknown route under a bad project is still a 404.
        let e = route("GET", "/v1/p1/nothing").unwrap_err();
        assert_eq!(e.status(), 404);
    }

    #[test]
    fn segments_are_decoded_after_splitting() {
        assert_eq!(
            op("GET", &format!("/v1/{P}/secrets/a%20b%2Fc/versions/v%201")),
            Op::ShowSecretVersion {
                name: "a b/c".into(),
                version: "v 1".into()
            }
        );
        let e = route("GET", &format!("/v1/{P}/secrets/%FF")).unwrap_err();
        assert_eq!(e.code(), "CSMS.0002");
    }
}
