//! AssumeRole: temporary credentials of the role's account, so later calls with them work in
//! that account (cross-account paths). Any role of any account may be assumed: there is no
//! IAM here, so `Policy`, `PolicyArns`, `Tags`, `ExternalId` and MFA members are accepted and
//! not enforced.

use crate::query::{leaf, node, QueryError};
use crate::sts::credentials::{self, is_name_char, AssumedRole, RoleArn};
use crate::sts::{credentials_xml, validation, Call, Checks};

/// `roleDurationSecondsType` in the service model; an hour when not given.
const DURATION: (i64, i64) = (900, 43_200);
const DEFAULT_DURATION: i64 = 3_600;
/// The longest session of a role assumed with an assumed role's credentials.
const CHAINED_DURATION: i64 = 3_600;
const NAME_PATTERN: &str = r"[\w+=,.@-]*";

pub fn handle(call: &Call<'_>) -> Result<Vec<String>, QueryError> {
    let p = call.params;
    let mut checks = Checks::default();
    let arn = checks.required(p, "RoleArn", "roleArn");
    if let Some(arn) = arn {
        checks.length(arn, "roleArn", 20, 2048);
    }
    let session = checks.required(p, "RoleSessionName", "roleSessionName");
    if let Some(s) = session {
        checks.length(s, "roleSessionName", 2, 64);
        checks.pattern(
            s,
            "roleSessionName",
            NAME_PATTERN,
            s.chars().all(is_name_char),
        );
    }
    let duration = checks.integer(p, "DurationSeconds", "durationSeconds", DURATION);
    let source = p.get("SourceIdentity");
    if let Some(s) = source {
        checks.length(s, "sourceIdentity", 2, 64);
        checks.pattern(
            s,
            "sourceIdentity",
            NAME_PATTERN,
            s.chars().all(is_name_char),
        );
    }
    checks.finish()?;
    // Both are present: finish() refuses a missing one.
    let (arn, session) = (arn.unwrap_or_default(), session.unwrap_or_default());
    let role = RoleArn::parse(arn).ok_or_else(|| validation("Request ARN is invalid"))?;
    let duration = duration.unwrap_or(DEFAULT_DURATION);
    if call.caller.role.is_some() && duration > CHAINED_DURATION {
        return Err(validation(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed \
             by role chaining.",
        ));
    }
    let assumed = AssumedRole {
        role,
        session_name: session.to_owned(),
    };
    let minted = credentials::mint(call.service.random(), &assumed.role.account, Some(&assumed));
    let expires = call.service.now().plus_secs(duration);
    let mut result = vec![
        credentials_xml(&minted, expires),
        node(
            "AssumedRoleUser",
            &[
                leaf("AssumedRoleId", &assumed.assumed_role_id()),
                leaf("Arn", &assumed.arn()),
            ],
        ),
    ];
    if let Some(source) = source {
        result.push(leaf("SourceIdentity", source));
    }
    Ok(result)
}
