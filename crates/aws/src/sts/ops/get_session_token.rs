//! GetSessionToken: temporary credentials of the caller's own account. `SerialNumber` and
//! `TokenCode` (MFA) are accepted and not checked.

use crate::query::QueryError;
use crate::sts::{credentials, credentials_xml, error, Call, Checks};

/// `durationSecondsType` in the service model; 12 hours when not given.
const DURATION: (i64, i64) = (900, 129_600);
const DEFAULT_DURATION: i64 = 43_200;

pub fn handle(call: &Call<'_>) -> Result<Vec<String>, QueryError> {
    let mut checks = Checks::default();
    let duration = checks.integer(call.params, "DurationSeconds", "durationSeconds", DURATION);
    checks.finish()?;
    if call.caller.temporary {
        return Err(error(
            403,
            "AccessDenied",
            "Cannot call GetSessionToken with session credentials",
        ));
    }
    let minted = credentials::mint(call.service.random(), &call.caller.account, None);
    let expires = call
        .service
        .now()
        .plus_secs(duration.unwrap_or(DEFAULT_DURATION));
    Ok(vec![credentials_xml(&minted, expires)])
}
