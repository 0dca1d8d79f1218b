//! Rotation as a state machine over a secret: begin (admitted by the rate limit, refused
//! while another rotation's pending version is not current), step, finish (pending becomes
//! current), fail (labels left where they are, as AWS documents) or cancel.

use crate::labels::{self, move_label};
use crate::schedule;
use crate::{
    CoreError, CoreResult, Dialect, RotationState, RotationStep, Schedule, Secret, SecretValue,
    Timestamp,
};

/// The id of the version that a rotation in progress is building: the pending label sits on
/// a version other than the current one.
pub fn in_progress<'a>(secret: &'a Secret, d: &Dialect) -> Option<&'a str> {
    let pending = secret.holder_id(d.pending)?;
    (Some(pending) != secret.holder_id(d.current)).then_some(pending)
}

/// Whether a rotation asking for `version_id` repeats one already done: the version exists
/// and no rotation is still building it. Both clouds document such a retry as a success that
/// changes nothing, so it is answered before [`begin`], neither rotating nor counting against
/// the rate limit; a version still being built is resumed through `begin` instead.
pub fn is_retry(secret: &Secret, d: &Dialect, version_id: &str) -> bool {
    was_rotated(secret, version_id) && in_progress(secret, d) != Some(version_id)
}

/// Whether `version_id` is a version of the secret or one a counted rotation built.
pub fn was_rotated(secret: &Secret, version_id: &str) -> bool {
    secret.version(version_id).is_some()
        || secret.rotation.recent_ids.iter().any(|id| id == version_id)
}

/// Starts a rotation that will build version `version_id`.
pub fn begin(secret: &mut Secret, d: &Dialect, now: Timestamp, version_id: &str) -> CoreResult<()> {
    if let Some(pending) = in_progress(secret, d) {
        if pending != version_id {
            return Err(CoreError::RotationInProgress {
                name: secret.name.clone(),
            });
        }
    }
    if let Some(limit) = d.rotation_limit {
        let r = &mut secret.rotation;
        if !r.history.try_admit(now, limit) {
            return Err(CoreError::Throttled {
                max: limit.max,
                window_secs: limit.window_secs,
            });
        }
        // One id per event the window still holds.
        r.recent_ids.push(version_id.to_owned());
        let stale = r.recent_ids.len().saturating_sub(r.history.events().len());
        r.recent_ids.drain(..stale);
    }
    secret.rotation.state = RotationState::InProgress {
        version_id: version_id.to_owned(),
        step: RotationStep::CreateSecret,
        started: now,
    };
    Ok(())
}

/// Records that the rotation reached `step`.
pub fn step(secret: &mut Secret, version_id: &str, to: RotationStep) -> CoreResult<()> {
    match &mut secret.rotation.state {
        RotationState::InProgress {
            version_id: v,
            step,
            ..
        } if v == version_id => {
            *step = to;
            Ok(())
        }
        _ => Err(CoreError::InvalidParameter(format!(
            "no rotation to version {version_id} is in progress"
        ))),
    }
}

/// Makes the pending version current (the old current becomes previous), takes the pending
/// label off it and schedules the next rotation.
pub fn finish(
    secret: &mut Secret,
    d: &Dialect,
    now: Timestamp,
    version_id: &str,
) -> CoreResult<()> {
    if secret.version(version_id).is_none() {
        return Err(CoreError::VersionNotFound {
            version_id: version_id.to_owned(),
        });
    }
    move_label(secret, d, d.current, version_id)?;
    if let Some(v) = secret.version_mut(version_id) {
        v.labels.retain(|l| l != d.pending);
    }
    labels::evict(secret, d)?;
    secret.rotation.state = RotationState::Idle;
    secret.rotation.last_rotated = Some(now);
    secret.rotation.next_rotation = next_after(secret, now);
    Ok(())
}

/// Marks the rotation failed at `at_step`; versions and labels stay as they are.
pub fn fail(
    secret: &mut Secret,
    now: Timestamp,
    version_id: &str,
    at_step: RotationStep,
    error: &str,
) {
    secret.rotation.state = RotationState::Failed {
        version_id: version_id.to_owned(),
        step: at_step,
        error: error.to_owned(),
        at: now,
    };
}

/// Turns automatic rotation off. Labels are left as they are, as AWS does: a pending version
/// stays pending until the caller moves or removes the label.
pub fn cancel(secret: &mut Secret) {
    secret.rotation.enabled = false;
    secret.rotation.next_rotation = None;
    secret.rotation.state = RotationState::Idle;
}

/// When the next rotation falls due after a rotation at `from` (which is also now).
pub fn next_after(secret: &Secret, from: Timestamp) -> Option<Timestamp> {
    next_due(secret, Some(from), from)
}

/// When the next rotation falls due, given the last rotation (if any) and now: intervals and
/// rates count from the last rotation, cron schedules from now (see [`crate::schedule`]).
/// Without a schedule a stored time still ahead is kept.
pub fn next_due(secret: &Secret, last: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
    if !secret.rotation.enabled {
        return None;
    }
    let stored = secret.rotation.next_rotation.filter(|t| *t > now);
    match &secret.rotation.schedule {
        Some(Schedule::Every { seconds }) => Some(last.unwrap_or(now).plus_secs(*seconds)),
        Some(Schedule::Expression { expression }) => {
            match schedule::Expression::parse(expression) {
                Ok(e) => e.next_after(last, now),
                Err(_) => stored,
            }
        }
        None => stored,
    }
}

/// The built-in rotation's new value: a JSON object keeps its other keys and gets a new
/// value under `field`; anything else becomes the new password itself.
pub fn replace_password(
    current: Option<&SecretValue>,
    field: &str,
    password: String,
) -> SecretValue {
    if let Some(SecretValue::Text(text)) = current {
        if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str(text) {
            map.insert(field.to_owned(), serde_json::Value::String(password));
            return SecretValue::Text(serde_json::Value::Object(map).to_string());
        }
    }
    SecretValue::Text(password)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::{ALIBABA, AWS};
    use crate::labels::add_version;
    use crate::{Rotation, Version};

    fn secret_with_current() -> Secret {
        Secret {
            rotation: Rotation {
                enabled: true,
                schedule: Some(Schedule::Every { seconds: 86_400 }),
                ..Default::default()
            },
            versions: vec![Version::new(
                "v1",
                SecretValue::Text("old".into()),
                Timestamp::from_secs(0),
                vec!["AWSCURRENT".into()],
            )],
            ..Secret::new("db", "id", "abcdef", Timestamp::from_secs(0))
        }
    }

    fn pending(s: &mut Secret, id: &str) {
        let v = Version::new(
            id,
            SecretValue::Text("new".into()),
            Timestamp::from_secs(1),
            vec![],
        );
        add_version(s, &AWS, v, &["AWSPENDING".into()]).unwrap();
    }

    #[test]
    fn begin_step_finish() {
        let mut s = secret_with_current();
        let now = Timestamp::from_secs(1000);
        begin(&mut s, &AWS, now, "v2").unwrap();
        pending(&mut s, "v2");
        assert_eq!(in_progress(&s, &AWS), Some("v2"));
        for st in RotationStep::ALL {
            step(&mut s, "v2", st).unwrap();
        }
        assert!(step(&mut s, "other", RotationStep::SetSecret).is_err());
        finish(&mut s, &AWS, now, "v2").unwrap();
        assert_eq!(s.holder_id("AWSCURRENT"), Some("v2"));
        assert_eq!(s.holder_id("AWSPREVIOUS"), Some("v1"));
        assert_eq!(s.holder_id("AWSPENDING"), None);
        assert_eq!(s.rotation.state, RotationState::Idle);
        assert_eq!(s.rotation.last_rotated, Some(now));
        assert_eq!(s.rotation.next_rotation, Some(now.plus_secs(86_400)));
        assert_eq!(in_progress(&s, &AWS), None);
    }

    #[test]
    fn a_second_rotation_is_refused_while_one_is_pending() {
        let mut s = secret_with_current();
        let now = Timestamp::from_secs(1000);
        begin(&mut s, &AWS, now, "v2").unwrap();
        pending(&mut s, "v2");
        assert_eq!(
            begin(&mut s, &AWS, now, "v3"),
            Err(CoreError::RotationInProgress { name: "db".into() })
        );
        // Re-entering the same rotation is allowed (a retried call).
        begin(&mut s, &AWS, now, "v2").unwrap();
    }

    #[test]
    fn failure_leaves_labels_and_blocks_the_next_rotation() {
        let mut s = secret_with_current();
        let now = Timestamp::from_secs(1000);
        begin(&mut s, &AWS, now, "v2").unwrap();
        pending(&mut s, "v2");
        fail(&mut s, now, "v2", RotationStep::TestSecret, "boom");
        assert_eq!(s.holder_id("AWSCURRENT"), Some("v1"));
        assert_eq!(s.holder_id("AWSPENDING"), Some("v2"));
        assert!(matches!(
            s.rotation.state,
            RotationState::Failed {
                step: RotationStep::TestSecret,
                ..
            }
        ));
        assert!(begin(&mut s, &AWS, now, "v3").is_err());
    }

    #[test]
    fn cancel_turns_rotation_off_and_keeps_labels() {
        let mut s = secret_with_current();
        begin(&mut s, &AWS, Timestamp::from_secs(5), "v2").unwrap();
        pending(&mut s, "v2");
        cancel(&mut s);
        assert!(!s.rotation.enabled);
        assert_eq!(s.rotation.state, RotationState::Idle);
        assert_eq!(s.holder_id("AWSPENDING"), Some("v2"));
        assert_eq!(s.rotation.next_rotation, None);
    }

    #[test]
    fn pending_on_the_current_version_is_not_in_progress() {
        let mut s = secret_with_current();
        s.versions[0].labels.push("AWSPENDING".into());
        assert_eq!(in_progress(&s, &AWS), None);
        begin(&mut s, &AWS, Timestamp::from_secs(1), "v2").unwrap();
    }

    #[test]
    fn the_dialect_rate_limit_applies() {
        let mut s = secret_with_current();
        let now = Timestamp::from_secs(10_000);
        for i in 0..50 {
            begin(&mut s, &ALIBABA, now.plus_secs(i), &format!("r{i}")).unwrap();
            s.rotation.state = RotationState::Idle;
        }
        assert_eq!(
            begin(&mut s, &ALIBABA, now.plus_secs(60), "r51"),
            Err(CoreError::Throttled {
                max: 50,
                window_secs: 3600
            })
        );
        begin(&mut s, &ALIBABA, now.plus_secs(3600), "r52").unwrap();
    }

    #[test]
    fn a_retry_is_told_apart_before_the_rate_limit() {
        let mut s = secret_with_current();
        let now = Timestamp::from_secs(10_000);
        for i in 0..50 {
            begin(&mut s, &ALIBABA, now, &format!("r{i}")).unwrap();
            s.rotation.state = RotationState::Idle;
        }
        // At the limit: the existing version is a retry, a new one would be throttled.
        assert!(is_retry(&s, &ALIBABA, "v1"));
        assert!(!is_retry(&s, &ALIBABA, "new"));
        assert!(begin(&mut s, &ALIBABA, now, "new").is_err());
        // A version a rotation is still building is not done: it is resumed, not retried.
        let mut s = secret_with_current();
        begin(&mut s, &AWS, now, "v2").unwrap();
        pending(&mut s, "v2");
        assert!(!is_retry(&s, &AWS, "v2"));
        assert!(is_retry(&s, &AWS, "v1"));
    }

    #[test]
    fn next_rotation_follows_the_schedule() {
        let mut s = secret_with_current();
        let last = Timestamp::parse_rfc3339("2024-01-20T10:00:00Z").unwrap();
        let now = last.plus_secs(3600);
        assert_eq!(next_due(&s, Some(last), now), Some(last.plus_secs(86_400)));
        assert_eq!(next_due(&s, None, now), Some(now.plus_secs(86_400)));
        s.rotation.schedule = Some(Schedule::Expression {
            expression: "cron(0 16 1,15 * ? *)".into(),
        });
        let want = Timestamp::parse_rfc3339("2024-02-01T16:00:00Z");
        assert_eq!(next_due(&s, Some(last), now), want);
        s.rotation.schedule = Some(Schedule::Expression {
            expression: "rate(2 days)".into(),
        });
        let want = Timestamp::parse_rfc3339("2024-01-22T00:00:00Z");
        assert_eq!(next_after(&s, last), want);
        // An expression the model cannot read keeps a stored time that is still ahead.
        s.rotation.schedule = Some(Schedule::Expression {
            expression: "sometimes".into(),
        });
        s.rotation.next_rotation = Some(now.plus_secs(5));
        assert_eq!(next_due(&s, Some(last), now), Some(now.plus_secs(5)));
        s.rotation.enabled = false;
        assert_eq!(next_due(&s, Some(last), now), None);
    }

    #[test]
    fn replacing_passwords() {
        let json = SecretValue::Text(r#"{"username":"u","password":"p","port":5432}"#.into());
        let out = replace_password(Some(&json), "password", "NEW".into());
        let v: serde_json::Value = serde_json::from_str(out.as_text().unwrap()).unwrap();
        assert_eq!(v["password"], "NEW");
        assert_eq!(v["username"], "u");
        assert_eq!(v["port"], 5432);
        assert_eq!(
            replace_password(
                Some(&SecretValue::Text("plain".into())),
                "password",
                "X".into()
            ),
            SecretValue::Text("X".into())
        );
        assert_eq!(
            replace_password(None, "password", "Y".into()),
            SecretValue::Text("Y".into())
        );
    }
}
