//! AssociateCrossAccountReplica: links a primary to a replica secret that another account
//! created with CrossAccountPrimaryARN naming this primary, and copies the versions over.
//! Idempotent for the same replica; a primary has at most one cross-account replica.

use crate::arn::{self, secret_arn};
use crate::call::Call;
use crate::error::{AwsError, AwsResult};
use crate::json::Len;
use crate::render::Obj;
use crate::replication::copy_versions;
use crate::state::{AwsState, CrossAccountReplica, Status};
use localsecrets_core::{Access, Cloud, CoreError, LinkedWrite, Scope};
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let replica_id = i.req_str("CrossAccountReplicaARN", Len(20, 2048))?;
    i.enum_str("ReplicaRestriction", &["SameOrg", "NoRestriction"])?;
    let role = i.str("ReplicationRoleARN", Len(20, 2048))?;
    let primary = call.describe(&t, Access::Live)?;
    let pstate = AwsState::of(&primary);
    pstate.ensure_writable()?;
    let here = &call.scope;
    let a = arn::parse(&replica_id).ok_or_else(|| {
        AwsError::InvalidParameter("CrossAccountReplicaARN isn't a valid secret ARN.".into())
    })?;
    if a.region != here.region {
        return Err(AwsError::InvalidParameter(
            "The replica secret must be in the same Region as the primary secret.".into(),
        ));
    }
    if a.account == here.tenant {
        return Err(AwsError::InvalidParameter(
            "The replica secret must be in another account.".into(),
        ));
    }
    let replica_scope = Scope::new(Cloud::Aws, a.account.clone(), a.region.clone());
    let replica = call
        .service
        .describe(&replica_scope, a.target.as_ref(), Access::Live)?;
    let primary_arn = call.arn(&primary);
    let linked = AwsState::of(&replica)
        .cross_account_primary
        .is_some_and(|p| p.primary_arn == primary_arn);
    if !linked {
        return Err(AwsError::InvalidRequest(
            "The replica secret wasn't created as a cross-account replica of this primary \
             secret (CrossAccountPrimaryARN)."
                .into(),
        ));
    }
    let replica_arn = secret_arn(&a.region, &a.account, &replica.name, &replica.arn_suffix);
    if pstate
        .cross_account_replicas
        .iter()
        .any(|r| r.replica_arn != replica_arn && r.status == Status::InSync)
    {
        return Err(AwsError::LimitExceeded(
            "A primary secret can have at most one cross-account replica.".into(),
        ));
    }
    call.service.write_linked(|tx| {
        let missing = |name: &str| CoreError::SecretNotFound {
            name: name.to_owned(),
        };
        let mut p = tx
            .secret(here, &primary.name)?
            .ok_or_else(|| missing(&primary.name))?;
        let mut r = tx
            .secret(&replica_scope, &replica.name)?
            .ok_or_else(|| missing(&replica.name))?;
        copy_versions(&mut r, &p);
        let mut rs = AwsState::of(&r);
        if let Some(link) = rs.cross_account_primary.as_mut() {
            link.status = Status::InSync;
        }
        rs.store(&mut r);
        let mut ps = AwsState::of(&p);
        ps.cross_account_replicas
            .retain(|x| x.replica_arn != replica_arn);
        ps.cross_account_replicas.push(CrossAccountReplica {
            replica_arn: replica_arn.clone(),
            role_arn: role.clone(),
            status: Status::InSync,
        });
        ps.store(&mut p);
        let writes = vec![
            LinkedWrite::Put {
                scope: replica_scope.clone(),
                secret: Box::new(r),
            },
            LinkedWrite::Put {
                scope: here.clone(),
                secret: Box::new(p),
            },
        ];
        Ok((writes, ()))
    })?;
    Ok(Obj::new()
        .put("ARN", primary_arn)
        .put("CrossAccountReplicaARN", replica_arn)
        .put("ReplicationStatus", Status::InSync.as_str())
        .done())
}
