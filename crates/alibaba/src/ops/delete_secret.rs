//! DeleteSecret: schedules deletion after RecoveryWindowInDays (7-30, default 30), or deletes
//! at once with ForceDeleteWithoutRecovery=true (also during the window).

use crate::call::Call;
use crate::error::AliResult;
use crate::params::Params;
use crate::render::Obj;
use crate::view;
use localsecrets_core::SecretRef;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    let r = SecretRef::Name(name);
    if p.bool("ForceDeleteWithoutRecovery")?.unwrap_or(false) {
        let now = call.now();
        let gone = call.service.force_delete(&call.scope, r)?;
        return Ok(Obj::new()
            .str("SecretName", gone.name)
            .str("PlannedDeleteTime", view::time(now)));
    }
    let days = p.int("RecoveryWindowInDays", i64::MIN..=i64::MAX)?;
    let s = call.service.schedule_deletion(&call.scope, r, days)?;
    Ok(Obj::new().str("SecretName", &s.name).opt_str(
        "PlannedDeleteTime",
        s.deletion.map(|d| view::time(d.purge_at)),
    ))
}
