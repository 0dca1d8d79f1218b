//! DeleteSecret: schedules deletion after a recovery window (7–30 days, default 30) or,
//! with ForceDeleteWithoutRecovery, deletes at once — answering as if deleted even when the
//! secret does not exist, as AWS does. Replicated primaries and replicas are refused.

use crate::arn::{self, Target};
use crate::call::Call;
use crate::error::{AwsError, AwsResult};
use crate::render::{ts, Obj};
use crate::state::{AwsState, Status};
use localsecrets_core::Access;
use serde_json::Value;

fn refuse_if_linked(state: &AwsState, name: &str, arn: &str) -> AwsResult<()> {
    let regions: Vec<&str> = state
        .replicas
        .iter()
        .filter(|r| r.status != Status::Failed)
        .map(|r| r.region.as_str())
        .collect();
    if !regions.is_empty() {
        return Err(AwsError::InvalidParameter(format!(
            "You can't delete secret {arn} that still has replica regions [{}].",
            regions.join(", ")
        )));
    }
    if state
        .cross_account_replicas
        .iter()
        .any(|r| r.status == Status::InSync)
    {
        return Err(AwsError::InvalidRequest(format!(
            "You can't delete secret {name} because it has cross-account replicas. \
             Disassociate them with DisassociateCrossAccountReplica first."
        )));
    }
    state.ensure_writable()
}

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let window = i.int("RecoveryWindowInDays", None, None)?;
    let force = i.bool("ForceDeleteWithoutRecovery")?.unwrap_or(false);
    // The window's range first, then the conflict, then the secret, as AWS checks them.
    call.scope.cloud.dialect().recovery_days(window)?;
    if force && window.is_some() {
        return Err(AwsError::InvalidParameter(
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
                .into(),
        ));
    }
    match call.describe_stages(&t, Access::AnyState) {
        Ok(s) => refuse_if_linked(&AwsState::of(&s), &s.name, &call.arn(&s))?,
        Err(e) if force && e == AwsError::not_found() => {
            // Forced deletion of nothing succeeds, naming what was asked for.
            let arn = match &t {
                Target::Complete { name, suffix } => {
                    arn::secret_arn(&call.scope.region, &call.scope.tenant, name, suffix)
                }
                Target::Name(name) => arn::secret_arn(
                    &call.scope.region,
                    &call.scope.tenant,
                    name,
                    &call.service.random().alphanumeric(6),
                ),
            };
            return Ok(Obj::new()
                .put("ARN", arn)
                .put("Name", t.name())
                .put("DeletionDate", ts(call.service.now()))
                .done());
        }
        Err(e) => return Err(e),
    }
    let (s, date) = if force {
        let s = call.service.force_delete(&call.scope, t.as_ref())?;
        (s, call.service.now())
    } else {
        let s = call
            .service
            .schedule_deletion(&call.scope, t.as_ref(), window)?;
        let date = s.deletion.map(|d| d.purge_at).unwrap_or_default();
        (s, date)
    };
    Ok(Obj::new()
        .put("ARN", call.arn(&s))
        .put("Name", s.name.as_str())
        .put("DeletionDate", ts(date))
        .done())
}
