//! CreateSecret: a new secret, with its first version when a value is given, and replicas
//! when `AddReplicaRegions` asks for them. A retry with the same token and value answers
//! the original version.

use super::replicate_secret_to_regions::{parse_regions, replicate};
use crate::arn;
use crate::ctx::{token_required, Ctx};
use crate::error::{AwsError, AwsResult};
use crate::json::Len;
use crate::render::{self, Obj};
use crate::state::{AwsState, CrossAccountPrimary, Status};
use localsecrets_core::{NewSecret, NewVersion};
use serde_json::{Map, Value};

fn cross_account_primary(ctx: &Ctx<'_>, primary: &str) -> AwsResult<AwsState> {
    let a = arn::parse(primary).ok_or_else(|| {
        AwsError::InvalidParameter("CrossAccountPrimaryARN isn't a valid secret ARN.".into())
    })?;
    if a.region != ctx.scope.region {
        return Err(AwsError::InvalidParameter(
            "The primary secret must be in the same Region as its cross-account replica.".into(),
        ));
    }
    if a.account == ctx.scope.tenant {
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

pub fn handle(ctx: &Ctx<'_>) -> AwsResult<Value> {
    let i = &ctx.input;
    let name = i.req_str("Name", Len(1, 512))?;
    if !arn::valid_name(&name) {
        return Err(arn::invalid_name());
    }
    let value = super::value(i)?;
    let token = ctx.token(value.is_some().then(token_required))?;
    let description = i.str("Description", Len(0, 2048))?;
    let kms_key_id = i.str("KmsKeyId", Len(0, 2048))?.filter(|k| !k.is_empty());
    let tags = super::tags(i, "Tags")?;
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
        cross_account_primary(ctx, &primary)?.store_in(&mut extra);
    }
    if let Some(regions) = &regions {
        super::replicate_secret_to_regions::check_regions(ctx, regions)?;
    }
    let written = ctx.service.create_secret(
        &ctx.scope,
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
    )?;
    let replication = match regions {
        Some(regions) if !written.replayed => {
            let state = replicate(ctx, &written.secret, regions, force)?;
            Some(render::replication_status(&state))
        }
        _ => None,
    };
    Ok(Obj::new()
        .put("ARN", ctx.arn(&written.secret))
        .put("Name", written.secret.name.as_str())
        .opt("VersionId", written.version_id)
        .opt("ReplicationStatus", replication)
        .done())
}
