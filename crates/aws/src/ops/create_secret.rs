//! CreateSecret: a new secret, with its first version when a value is given, and replicas
//! when `AddReplicaRegions` asks for them. A retry with the same token and value answers
//! the original version.

use super::replicate_secret_to_regions::{parse_regions, replicate};
use crate::arn;
use crate::call::{token_required, Call};
use crate::error::{AwsError, AwsResult};
use crate::json::Len;
use crate::render::{self, Obj};
use crate::state::{AwsState, CrossAccountPrimary, Status};
use localsecrets_core::{NewSecret, NewVersion};
use serde_json::{Map, Value};

fn cross_account_primary(call: &Call<'_>, primary: &str) -> AwsResult<AwsState> {
    let a = arn::parse(primary).ok_or_else(|| {
        AwsError::InvalidParameter("CrossAccountPrimaryARN isn't a valid secret ARN.".into())
    })?;
    if a.region != call.scope.region {
        return Err(AwsError::InvalidParameter(
            "The primary secret must be in the same Region as its cross-account replica.".into(),
        ));
    }
    if a.account == call.scope.tenant {
        return Err(AwsError::InvalidParameter(
            "The primary secret of a cross-account replica must be in another account.".into(),
        ));
    }
    Ok(AwsState {
        cross_account_primary: Some(CrossAccountPrimary {
            primary_arn: primary.to_owned(),
            status: Status::Pending,
        }),
        ..Default::default()
    })
}

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let name = i.req_str("Name", Len(1, 512))?;
    if !arn::valid_name(&name) {
        return Err(arn::invalid_name());
    }
    let value = super::value(i)?;
    let token = call.token(value.is_some().then(token_required))?;
    let description = i.str("Description", Len(0, 2048))?;
    let kms_key_id = i.str("KmsKeyId", Len(0, 2048))?.filter(|k| !k.is_empty());
    let tags = crate::tags::parse(i, "Tags")?;
    let regions = parse_regions(i)?;
    let force = i.bool("ForceOverwriteReplicaSecret")?.unwrap_or(false);
    let secret_type = i.str("Type", Len(0, 256))?;
    let mut extra = Map::new();
    if let Some(primary) = i.str("CrossAccountPrimaryARN", Len(20, 2048))? {
        if regions.is_some() {
            return Err(AwsError::InvalidParameter(
                "A cross-account replica can't also be replicated to other Regions.".into(),
            ));
        }
        cross_account_primary(call, &primary)?.store_in(&mut extra);
    }
    if let Some(regions) = &regions {
        super::replicate_secret_to_regions::check_regions(call, regions)?;
    }
    let written = call
        .service
        .create_secret(
            &call.scope,
            NewSecret {
                name,
                secret_type,
                description,
                kms_key_id,
                tags,
                policy: None,
                rotation: Default::default(),
                extra,
                version: NewVersion {
                    id: token,
                    value,
                    labels: None,
                    expires: None,
                },
            },
        )
        .map_err(|e| call.error(e))?;
    let replication = match regions {
        Some(regions) if !written.replayed => {
            let state = replicate(call, &written.secret, regions, force)?;
            Some(render::replication_status(&state))
        }
        _ => None,
    };
    Ok(Obj::new()
        .put("ARN", call.arn(&written.secret))
        .put("Name", written.secret.name.as_str())
        .opt("VersionId", written.version_id)
        .opt("ReplicationStatus", replication)
        .done())
}
