//! RotateSecret: stores the rotation configuration given (function, rules) and, unless
//! RotateImmediately is false, runs the four rotation steps at once with the built-in
//! function: a JSON object keeps its other keys and gets a new `password`, anything else
//! becomes a fresh password. When it returns, the new version is AWSCURRENT and the old one
//! AWSPREVIOUS. Without a function (given now or stored) it is refused, and while another
//! rotation's AWSPENDING version is not current as well. A function registered with the
//! server under the RotationLambdaARN rotates instead (see [`crate::rotation`]); with
//! RotateImmediately false it is only tested, with its testSecret step.

use crate::call::Call;
use crate::error::{AwsError, AwsResult, TOKEN_REQUIRED};
use crate::json::{Input, Len};
use crate::render::Obj;
use crate::rotation;
use crate::state::AwsState;
use localsecrets_core::schedule::{Expression, ScheduleError};
use localsecrets_core::{
    rotation as core_rotation, Access, CoreError, CoreResult, PasswordPolicy, Random,
    RotateRequest, RotationChange, Schedule, Secret, SecretValue, Update,
};
use serde_json::Value;

/// Characters the built-in function keeps out of passwords, as AWS's rotation templates do.
const EXCLUDED: &str = "/@\"'\\";

pub fn generate(s: &Secret, random: &Random) -> CoreResult<SecretValue> {
    let password = random.password(&PasswordPolicy {
        exclude_characters: EXCLUDED.into(),
        ..Default::default()
    })?;
    let current = s.holder("AWSCURRENT").map(|v| &v.value);
    Ok(core_rotation::replace_password(
        current, "password", password,
    ))
}

/// The interval of a `rate(N hours|days)` expression, in seconds.
pub fn rate_secs(expression: &str) -> Option<i64> {
    let inner = expression.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let (n, unit) = inner.trim().split_once(' ')?;
    let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
    match unit.trim() {
        "hour" | "hours" => Some(n * 3600),
        "day" | "days" => Some(n * 86_400),
        _ => None,
    }
}

fn invalid(what: &str) -> AwsError {
    AwsError::InvalidParameter(what.to_owned())
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rules {
    pub schedule: Option<Schedule>,
    pub window_secs: Option<i64>,
}

pub fn parse_rules(rules: &Input) -> AwsResult<Rules> {
    let days = rules.int("AutomaticallyAfterDays", Some(1), Some(1000))?;
    let expression = rules.str("ScheduleExpression", Len(1, 256))?;
    let duration = rules.str("Duration", Len(2, 3))?;
    let schedule = match (days, expression) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "You cannot specify both rotation frequency and schedule expression together.",
            ))
        }
        (Some(d), None) => Some(Schedule::Every {
            seconds: d * 86_400,
        }),
        (None, Some(e)) => {
            // Rotation windows open on the hour: a cron schedule's minutes must be 0.
            let checked = Expression::parse(&e).and_then(|x| match x {
                Expression::Cron(_)
                    if e.trim()["cron(".len()..].split_whitespace().next() != Some("0") =>
                {
                    Err(ScheduleError(
                        "the minutes field of a cron() rotation schedule must be 0".into(),
                    ))
                }
                x => Ok(x),
            });
            let ok = match &checked {
                Ok(x) => x
                    .rate_secs()
                    .is_none_or(|secs| (4 * 3600..=1000 * 86_400).contains(&secs)),
                Err(_) => false,
            };
            if !ok {
                let why = checked.err().map(|e| format!(" ({e})")).unwrap_or_default();
                return Err(invalid(&format!(
                    "Invalid ScheduleExpression{why}: use rate(N hours) with N of at least 4, \
                     rate(N days) or cron(0 Hours Day-of-month Month Day-of-week *)."
                )));
            }
            Some(Schedule::Expression { expression: e })
        }
        (None, None) => None,
    };
    let window_secs = match duration {
        Some(d) => {
            let hours = d
                .strip_suffix('h')
                .and_then(|h| h.parse::<i64>().ok())
                .filter(|h| (1..=24).contains(h))
                .ok_or_else(|| invalid("Invalid Duration: use 1h to 24h."))?;
            Some(hours * 3600)
        }
        None => None,
    };
    Ok(Rules {
        schedule,
        window_secs,
    })
}

fn external_metadata(i: &Input) -> AwsResult<Option<Vec<(String, String)>>> {
    let Some(items) = i.objects("ExternalSecretRotationMetadata", Len(0, usize::MAX))? else {
        return Ok(None);
    };
    items
        .iter()
        .map(|m| {
            Ok((
                m.req_str("Key", Len(1, 256))?,
                m.req_str("Value", Len(1, 2048))?,
            ))
        })
        .collect::<AwsResult<Vec<_>>>()
        .map(Some)
}

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let token = call.token(Some(AwsError::InvalidParameter(TOKEN_REQUIRED.into())))?;
    let function = i
        .str("RotationLambdaARN", Len(0, 2048))?
        .filter(|f| !f.is_empty());
    let rules = match i.object("RotationRules")? {
        Some(r) => parse_rules(&r)?,
        None => Rules::default(),
    };
    let metadata = external_metadata(i)?;
    let role = i.str("ExternalSecretRotationRoleArn", Len(20, 2048))?;
    let immediately = i.bool("RotateImmediately")?.unwrap_or(true);
    call.ensure_writable(&t)?;
    if metadata.is_some() || role.is_some() {
        let change = Update {
            extra: vec![AwsState::external_rotation(metadata, role)],
            ..Update::default()
        };
        call.service
            .update_secret(&call.scope, t.as_ref(), &change, None)?;
    }
    // The core computes the next rotation from the schedule (crate::rotation's window rules).
    let configure = RotationChange {
        enabled: Some(true),
        function: function.clone().map(Some),
        schedule: rules.schedule.clone().map(Some),
        window_secs: rules.window_secs.map(Some),
    };
    // A registered user function rotates in four steps, after the configuration is stored;
    // without RotateImmediately it is only tested (see rotation::test_function).
    let current = call.describe(&t, Access::Live)?;
    let registered = function
        .as_deref()
        .or(current.rotation.function.as_deref())
        .and_then(|f| rotation::registered(call.functions, f, &call.scope));
    if let Some(id) = registered {
        // A retry with the pending version's token continues that rotation; a test needs none.
        let pending = core_rotation::in_progress(&current, call.scope.cloud.dialect());
        if pending.is_some_and(|p| !immediately || token.as_deref() != Some(p)) {
            return Err(CoreError::RotationInProgress { name: current.name }.into());
        }
        call.service.rotate(
            &call.scope,
            t.as_ref(),
            RotateRequest {
                version_id: None,
                configure: configure.clone(),
                require_function: true,
                immediately: false,
                generate: &generate,
            },
        )?;
        let (f, scope, r) = (call.functions, &call.scope, t.as_ref());
        let (secret, version_id) = if immediately {
            let (s, v) = rotation::run_function(call.service, f, scope, r, &id, token)?;
            (s, Some(v))
        } else {
            (
                rotation::test_function(call.service, f, scope, r, &id)?,
                None,
            )
        };
        return Ok(Obj::new()
            .put("ARN", call.arn(&secret))
            .put("Name", secret.name.as_str())
            .opt("VersionId", version_id)
            .done());
    }
    let w = call
        .service
        .rotate(
            &call.scope,
            t.as_ref(),
            RotateRequest {
                version_id: token,
                configure: configure.clone(),
                require_function: true,
                immediately,
                generate: &generate,
            },
        )
        .map_err(|e| call.error(e))?;
    Ok(Obj::new()
        .put("ARN", call.arn(&w.secret))
        .put("Name", w.secret.name.as_str())
        .opt("VersionId", w.version_id)
        .done())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_parse_like_aws() {
        let parse = |v: Value| parse_rules(&Input::from_value(v));
        assert_eq!(
            parse(json!({"AutomaticallyAfterDays": 3}))
                .unwrap()
                .schedule,
            Some(Schedule::Every {
                seconds: 3 * 86_400
            })
        );
        let r = parse(json!({"ScheduleExpression": "rate(10 days)", "Duration": "3h"})).unwrap();
        assert_eq!(r.window_secs, Some(3 * 3600));
        assert_eq!(rate_secs("rate(10 days)"), Some(864_000));
        assert_eq!(rate_secs("rate(1 hour)"), Some(3600));
        assert!(parse(json!({"ScheduleExpression": "cron(0 16 1,15 * ? *)"})).is_ok());
        assert!(parse(json!({"ScheduleExpression": "cron(0 16 ? * MON#2 *)"})).is_ok());
        for bad in [
            json!({"AutomaticallyAfterDays": 3, "ScheduleExpression": "rate(3 days)"}),
            json!({"ScheduleExpression": "rate(2 hours)"}),
            json!({"ScheduleExpression": "every day"}),
            json!({"ScheduleExpression": "cron(30 16 1,15 * ? *)"}),
            json!({"ScheduleExpression": "cron(0 16 1,15 * ?)"}),
            json!({"ScheduleExpression": "cron(0 16 1 * MON *)"}),
            json!({"ScheduleExpression": "cron(0 16 1,15 * ? 2030)"}),
            json!({"AutomaticallyAfterDays": 0}),
            json!({"AutomaticallyAfterDays": 1001}),
            json!({"Duration": "25h"}),
            json!({"Duration": "3d"}),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_built_in_function_keeps_json_keys() {
        let random = Random::seeded(1);
        let mut s: Secret = serde_json::from_value(json!({
            "name": "db", "id": "i", "arn_suffix": "AbCdEf", "secret_type": "",
            "created": 0, "updated": 0,
            "versions": [{"id": "v1", "value": {"text": "{\"username\":\"u\",\"password\":\"p\"}"},
                          "created": 0, "labels": ["AWSCURRENT"]}]
        }))
        .unwrap();
        let v = generate(&s, &random).unwrap();
        let parsed: Value = serde_json::from_str(v.as_text().unwrap()).unwrap();
        assert_eq!(parsed["username"], "u");
        let pw = parsed["password"].as_str().unwrap();
        assert_eq!(pw.len(), 32);
        assert!(!pw.chars().any(|c| EXCLUDED.contains(c)));
        s.versions[0].value = SecretValue::Text("plain".into());
        let v = generate(&s, &random).unwrap();
        assert_eq!(v.as_text().unwrap().len(), 32);
    }
}
