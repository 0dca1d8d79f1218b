//! ReplicateSecretToRegions: copies a primary secret to other regions of the same account.
//! A region that already holds another secret of that name fails (status Failed) unless
//! ForceOverwriteReplicaSecret is set.

use crate::call::Call;
use crate::error::{AwsError, AwsResult};
use crate::json::{Input, Len};
use crate::render::{self, Obj};
use crate::replication::region_copy;
use crate::state::{AwsState, RegionReplica, Status};
use localsecrets_core::{Access, Cloud, CoreError, LinkedWrite, Scope, Secret};
use serde_json::Value;

pub type Regions = Vec<(String, Option<String>)>;

pub fn valid_region(r: &str) -> bool {
    // The model's pattern `^([a-z]+-)+\d+$`.
    let Some((head, digits)) = r.rsplit_once('-') else {
        return false;
    };
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && head
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

/// `AddReplicaRegions`: `{Region, KmsKeyId}` entries.
pub fn parse_regions(i: &Input) -> AwsResult<Option<Regions>> {
    let Some(items) = i.objects("AddReplicaRegions", Len(1, usize::MAX))? else {
        return Ok(None);
    };
    items
        .iter()
        .map(|r| {
            let region = r.req_str("Region", Len(1, 128))?;
            if !valid_region(&region) {
                return Err(AwsError::Validation(format!(
                    "1 validation error detected: Value '{region}' at '{}' failed to satisfy \
                     constraint: Member must satisfy regular expression pattern: \
                     ^([a-z]+-)+\\d+$",
                    r.at("Region")
                )));
            }
            let kms = r.str("KmsKeyId", Len(0, 2048))?.filter(|k| !k.is_empty());
            Ok((region, kms))
        })
        .collect::<AwsResult<Vec<_>>>()
        .map(Some)
}

/// Refuses the primary's own region and repeated regions.
pub fn check_regions(call: &Call<'_>, regions: &Regions) -> AwsResult<()> {
    for (n, (region, _)) in regions.iter().enumerate() {
        if *region == call.scope.region {
            return Err(AwsError::InvalidParameter("Invalid replica region.".into()));
        }
        if regions[..n].iter().any(|(r, _)| r == region) {
            return Err(AwsError::InvalidParameter(format!(
                "The Region {region} appears more than once."
            )));
        }
    }
    Ok(())
}

/// Writes the replicas and records them on the primary, in one transaction.
pub fn replicate(
    call: &Call<'_>,
    primary: &Secret,
    regions: Regions,
    force: bool,
) -> AwsResult<AwsState> {
    let here = &call.scope;
    let state = call.service.write_linked(|tx| {
        let mut writes = Vec::new();
        let mut p = tx
            .secret(here, &primary.name)?
            .ok_or_else(|| CoreError::SecretNotFound {
                name: primary.name.clone(),
            })?;
        let mut state = AwsState::of(&p);
        for (region, kms_key_id) in &regions {
            let scope = Scope::new(Cloud::Aws, here.tenant.clone(), region.clone());
            let existing = tx.secret(&scope, &p.name)?;
            let ours = existing.as_ref().is_some_and(|e| {
                AwsState::of(e).primary_region.as_deref() == Some(here.region.as_str())
            });
            let entry = if existing.is_some() && !ours && !force {
                RegionReplica {
                    region: region.clone(),
                    kms_key_id: kms_key_id.clone(),
                    status: Status::Failed,
                    status_message: Some(
                        "Replication failed: a secret with this name already exists in the \
                         destination Region."
                            .into(),
                    ),
                }
            } else {
                let copy = region_copy(&p, &here.region, kms_key_id.clone(), existing.as_ref());
                writes.push(LinkedWrite::Put {
                    scope,
                    secret: Box::new(copy),
                });
                RegionReplica {
                    region: region.clone(),
                    kms_key_id: kms_key_id.clone(),
                    status: Status::InSync,
                    status_message: None,
                }
            };
            match state.replicas.iter_mut().find(|r| r.region == *region) {
                Some(r) => *r = entry,
                None => state.replicas.push(entry),
            }
        }
        state.store(&mut p);
        writes.push(LinkedWrite::Put {
            scope: here.clone(),
            secret: Box::new(p),
        });
        Ok((writes, state))
    })?;
    Ok(state)
}

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let regions = parse_regions(i)?.ok_or_else(|| {
        AwsError::Validation(
            "1 validation error detected: Value null at 'addReplicaRegions' failed to satisfy \
             constraint: Member must not be null"
                .into(),
        )
    })?;
    let force = i.bool("ForceOverwriteReplicaSecret")?.unwrap_or(false);
    let primary = call.describe(&t, Access::Live)?;
    let state = AwsState::of(&primary);
    state.ensure_writable()?;
    if state.cross_account_primary.is_some() {
        return Err(AwsError::InvalidRequest(
            "A cross-account replica can't be replicated to other Regions.".into(),
        ));
    }
    check_regions(call, &regions)?;
    let state = replicate(call, &primary, regions, force)?;
    Ok(Obj::new()
        .put("ARN", call.arn(&primary))
        .put("ReplicationStatus", render::replication_status(&state))
        .done())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_follow_the_model_pattern() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-10",
        ] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in [
            "",
            "us-east",
            "US-EAST-1",
            "-1",
            "us--east-1",
            "us-east-1a",
            "1",
        ] {
            assert!(!valid_region(bad), "{bad}");
        }
    }
}
