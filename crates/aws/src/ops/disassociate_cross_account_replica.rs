//! DisassociateCrossAccountReplica: unlinks a cross-account replica from its primary. The
//! replica keeps its data and shows its link as Detached until StopReplicationToReplica.

use crate::arn::{self, secret_arn};
use crate::call::Call;
use crate::error::{AwsError, AwsResult};
use crate::json::Len;
use crate::render::Obj;
use crate::replication::lookup_linked;
use crate::state::{AwsState, Status};
use localsecrets_core::{Access, Cloud, LinkedWrite, Scope};
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let replica_id = call
        .input
        .req_str("CrossAccountReplicaARN", Len(20, 2048))?;
    let primary = call.describe(&t, Access::Live)?;
    let here = &call.scope;
    let not_linked = || {
        AwsError::ResourceNotFound(
            "The cross-account replica isn't associated with this secret.".into(),
        )
    };
    let a = arn::parse(&replica_id).ok_or_else(not_linked)?;
    let replica_scope = Scope::new(Cloud::Aws, a.account.clone(), a.region.clone());
    // Compare full ARNs: resolve a partial ARN through the replica when it still exists.
    let replica_arn = call
        .service
        .describe(&replica_scope, a.target.as_ref(), Access::AnyState)
        .map(|r| secret_arn(&a.region, &a.account, &r.name, &r.arn_suffix))
        .unwrap_or(replica_id);
    if !AwsState::of(&primary)
        .cross_account_replicas
        .iter()
        .any(|r| r.replica_arn == replica_arn)
    {
        return Err(not_linked());
    }
    call.service.write_linked(|tx| {
        let mut writes = Vec::new();
        if let Some(mut p) = tx.secret(here, &primary.name)? {
            let mut ps = AwsState::of(&p);
            ps.cross_account_replicas
                .retain(|r| r.replica_arn != replica_arn);
            ps.store(&mut p);
            writes.push(LinkedWrite::Put {
                scope: here.clone(),
                secret: Box::new(p),
            });
        }
        if let Some(mut r) = lookup_linked(tx, &replica_scope, &a.target)? {
            let mut rs = AwsState::of(&r);
            if let Some(link) = rs.cross_account_primary.as_mut() {
                link.status = Status::Detached;
            }
            rs.store(&mut r);
            writes.push(LinkedWrite::Put {
                scope: replica_scope.clone(),
                secret: Box::new(r),
            });
        }
        Ok((writes, ()))
    })?;
    Ok(Obj::new()
        .put("ARN", call.arn(&primary))
        .put("CrossAccountReplicaARN", replica_arn)
        .done())
}
