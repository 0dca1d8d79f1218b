//! StopReplicationToReplica: called on a replica, makes it a standalone secret. The primary
//! forgets a region replica; a cross-account primary marks its replica Detached.

use crate::arn;
use crate::call::Call;
use crate::error::{AwsError, AwsResult};
use crate::render::Obj;
use crate::replication::lookup_linked;
use crate::state::{AwsState, Status};
use localsecrets_core::{Access, Cloud, LinkedWrite, Scope};
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let replica = call.describe(&t, Access::Live)?;
    let state = AwsState::of(&replica);
    let here = &call.scope;
    let replica_arn = call.arn(&replica);
    let (primary_scope, primary_target) = if let Some(region) = &state.primary_region {
        (
            Scope::new(Cloud::Aws, here.tenant.clone(), region.clone()),
            arn::Target::Name(replica.name.clone()),
        )
    } else if let Some(p) = &state.cross_account_primary {
        match arn::parse(&p.primary_arn) {
            Some(a) => (Scope::new(Cloud::Aws, a.account, a.region), a.target),
            None => (here.clone(), arn::Target::Name(String::new())),
        }
    } else {
        return Err(AwsError::InvalidRequest(
            "This secret isn't a replica, so there is no replication to stop.".into(),
        ));
    };
    call.service.write_linked(|tx| {
        let mut writes = Vec::new();
        if let Some(mut r) = tx.secret(here, &replica.name)? {
            let mut rs = AwsState::of(&r);
            rs.primary_region = None;
            rs.cross_account_primary = None;
            rs.store(&mut r);
            writes.push(LinkedWrite::Put {
                scope: here.clone(),
                secret: Box::new(r),
            });
        }
        if let Some(mut p) = lookup_linked(tx, &primary_scope, &primary_target)? {
            let mut ps = AwsState::of(&p);
            ps.replicas.retain(|r| r.region != here.region);
            for c in &mut ps.cross_account_replicas {
                if c.replica_arn == replica_arn {
                    c.status = Status::Detached;
                }
            }
            ps.store(&mut p);
            writes.push(LinkedWrite::Put {
                scope: primary_scope.clone(),
                secret: Box::new(p),
            });
        }
        Ok((writes, ()))
    })?;
    Ok(Obj::new().put("ARN", replica_arn).done())
}
