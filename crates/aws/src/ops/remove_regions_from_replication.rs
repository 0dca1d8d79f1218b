//! RemoveRegionsFromReplication: deletes the replicas in the given regions and forgets them
//! on the primary, in one transaction.

use crate::call::Call;
use crate::error::AwsResult;
use crate::json::Len;
use crate::render::{self, Obj};
use crate::state::AwsState;
use localsecrets_core::{Access, Cloud, CoreError, LinkedWrite, Scope};
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let regions =
        call.input
            .req_str_list("RemoveReplicaRegions", Len(1, usize::MAX), Len(1, 128))?;
    let primary = call.describe(&t, Access::Live)?;
    AwsState::of(&primary).ensure_writable()?;
    let here = &call.scope;
    let state = call.service.write_linked(|tx| {
        let mut writes = Vec::new();
        let mut p = tx
            .secret(here, &primary.name)?
            .ok_or_else(|| CoreError::SecretNotFound {
                name: primary.name.clone(),
            })?;
        let mut state = AwsState::of(&p);
        for region in &regions {
            let scope = Scope::new(Cloud::Aws, here.tenant.clone(), region.clone());
            let ours = tx.secret(&scope, &p.name)?.is_some_and(|e| {
                AwsState::of(&e).primary_region.as_deref() == Some(here.region.as_str())
            });
            if ours {
                writes.push(LinkedWrite::Delete {
                    scope,
                    name: p.name.clone(),
                });
            }
            state.replicas.retain(|r| r.region != *region);
        }
        state.store(&mut p);
        writes.push(LinkedWrite::Put {
            scope: here.clone(),
            secret: Box::new(p),
        });
        Ok((writes, state))
    })?;
    Ok(Obj::new()
        .put("ARN", call.arn(&primary))
        .put("ReplicationStatus", render::replication_status(&state))
        .done())
}
