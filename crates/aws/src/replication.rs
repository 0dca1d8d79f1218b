//! Replicas are ordinary secrets in another scope that follow a primary: a region replica
//! (same account, same name and ARN suffix, another region) copies the whole secret; a
//! cross-account replica (another account, same region) copies the versions and labels only.
//! Every change of a primary reaches its replicas inside the transaction that makes it
//! ([`Follow`]).
//! Replicas keep their own access times and never fall due for rotation themselves.

use crate::arn::{self, Target};
use crate::state::{AwsState, Status};
use localsecrets_core::observe::{Change, Observer};
use localsecrets_core::storage::{ReadTx, WriteTx};
use localsecrets_core::{Cloud, CoreError, CoreResult, LinkedReader, Scope, Secret};

/// Finds a secret by target inside a transaction.
pub fn lookup(tx: &dyn ReadTx, scope: &Scope, t: &Target) -> CoreResult<Option<Secret>> {
    matching(tx.secret(scope, t.name())?, t)
}

/// Finds a secret by target in a linked change's view.
pub fn lookup_linked(
    r: &dyn LinkedReader,
    scope: &Scope,
    t: &Target,
) -> CoreResult<Option<Secret>> {
    matching(r.secret(scope, t.name())?, t)
}

fn matching(found: Option<Secret>, t: &Target) -> CoreResult<Option<Secret>> {
    Ok(match t {
        Target::Name(_) => found,
        Target::Complete { suffix, .. } => found.filter(|s| &s.arn_suffix == suffix),
    })
}

fn keep_access_times(copy: &mut Secret, existing: Option<&Secret>) {
    copy.last_accessed = existing.and_then(|e| e.last_accessed);
    for v in &mut copy.versions {
        v.last_accessed = existing
            .and_then(|e| e.version(&v.id))
            .and_then(|ev| ev.last_accessed);
    }
}

/// The primary as it appears in a replica region.
pub fn region_copy(
    primary: &Secret,
    primary_region: &str,
    kms_key_id: Option<String>,
    existing: Option<&Secret>,
) -> Secret {
    let mut copy = primary.clone();
    copy.kms_key_id = kms_key_id;
    copy.rotation.next_rotation = None;
    copy.rotation.history = Default::default();
    AwsState {
        primary_region: Some(primary_region.to_owned()),
        ..Default::default()
    }
    .store(&mut copy);
    keep_access_times(&mut copy, existing);
    copy
}

/// Gives a cross-account replica the primary's versions and labels.
pub fn copy_versions(replica: &mut Secret, primary: &Secret) {
    let existing = replica.clone();
    replica.versions = primary.versions.clone();
    replica.updated = primary.updated;
    let last = replica.last_accessed;
    keep_access_times(replica, Some(&existing));
    replica.last_accessed = last;
}

/// Writes every in-sync replica of `primary` (which lives in `here`) inside `tx`.
pub fn write_replicas(tx: &mut dyn WriteTx, here: &Scope, primary: &Secret) -> CoreResult<()> {
    let state = AwsState::of(primary);
    if !state.is_replicated() {
        return Ok(());
    }
    // Replicas hold every version: a primary changed with only some loaded is read whole
    // (as this transaction has just written it).
    let whole;
    let primary = match primary.loaded {
        Some(_) => {
            whole = tx
                .secret(here, &primary.name)?
                .ok_or_else(|| CoreError::Storage("a changed primary went missing".into()))?;
            &whole
        }
        None => primary,
    };
    for rep in state.replicas.iter().filter(|r| r.status == Status::InSync) {
        let scope = Scope::new(Cloud::Aws, here.tenant.clone(), rep.region.clone());
        let existing = tx.secret(&scope, &primary.name)?;
        let ours = existing.as_ref().is_none_or(|e| {
            AwsState::of(e).primary_region.as_deref() == Some(here.region.as_str())
        });
        if ours {
            let copy = region_copy(
                primary,
                &here.region,
                rep.kms_key_id.clone(),
                existing.as_ref(),
            );
            tx.put_secret(&scope, &copy)?;
        }
    }
    for rep in state
        .cross_account_replicas
        .iter()
        .filter(|r| r.status == Status::InSync)
    {
        let Some(a) = arn::parse(&rep.replica_arn) else {
            continue;
        };
        let scope = Scope::new(Cloud::Aws, a.account, a.region);
        if let Some(mut replica) = lookup(tx, &scope, &a.target)? {
            copy_versions(&mut replica, primary);
            tx.put_secret(&scope, &replica)?;
        }
    }
    Ok(())
}

/// Every change of a primary — a new version put by a caller or made by a rotation (the
/// scheduler's included), or a change of its metadata, labels or rotation state — reaches the
/// replicas in the transaction that makes it.
pub struct Follow;

impl Observer for Follow {
    fn may_change(&self, scope: &Scope, secret: &Secret) -> CoreResult<()> {
        if scope.cloud != Cloud::Aws {
            return Ok(());
        }
        match AwsState::of(secret).refusal() {
            Some(why) => Err(CoreError::Refused(why)),
            None => Ok(()),
        }
    }

    fn changed(
        &self,
        tx: &mut dyn WriteTx,
        scope: &Scope,
        change: &Change<'_>,
        _ctx: &localsecrets_core::Ctx<'_>,
    ) -> CoreResult<()> {
        match change {
            Change::VersionAdded { secret, .. }
            | Change::Rotated { secret, .. }
            | Change::Updated { secret }
                if scope.cloud == Cloud::Aws =>
            {
                write_replicas(tx, scope, secret)
            }
            _ => Ok(()),
        }
    }
}
