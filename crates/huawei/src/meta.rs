//! The Huawei attributes the model does not decide on, kept in `Secret::extra`: rotation
//! period and configuration, event subscriptions, enterprise project, and when each stage
//! was last moved.

use crate::error::{HuaweiError, HwResult};
use localsecrets_core::{Dialect, ExtraChange, Secret, Timestamp, Version};
use serde_json::{json, Map, Value};

const ROTATION_PERIOD: &str = "rotation_period";
const ROTATION_CONFIG: &str = "rotation_config";
const EVENT_SUBSCRIPTIONS: &str = "event_subscriptions";
const ENTERPRISE_PROJECT: &str = "enterprise_project_id";

pub const DEFAULT_ENTERPRISE_PROJECT: &str = "0";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HuaweiMeta {
    pub rotation_period: Option<String>,
    pub rotation_config: Option<String>,
    pub event_subscriptions: Vec<String>,
    pub enterprise_project_id: String,
}

impl HuaweiMeta {
    pub fn read(s: &Secret) -> Self {
        let text = |k: &str| s.extra.get(k).and_then(Value::as_str).map(str::to_owned);
        Self {
            rotation_period: text(ROTATION_PERIOD),
            rotation_config: text(ROTATION_CONFIG),
            event_subscriptions: s
                .extra
                .get(EVENT_SUBSCRIPTIONS)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            enterprise_project_id: text(ENTERPRISE_PROJECT)
                .unwrap_or_else(|| DEFAULT_ENTERPRISE_PROJECT.to_owned()),
        }
    }

    pub fn store_in(&self, extra: &mut Map<String, Value>) {
        let mut put = |k: &str, v: Option<Value>| ExtraChange::set(k, v).apply_to(extra);
        put(
            ROTATION_PERIOD,
            self.rotation_period.clone().map(Value::from),
        );
        put(
            ROTATION_CONFIG,
            self.rotation_config.clone().map(Value::from),
        );
        put(
            EVENT_SUBSCRIPTIONS,
            (!self.event_subscriptions.is_empty()).then(|| json!(self.event_subscriptions)),
        );
        put(
            ENTERPRISE_PROJECT,
            Some(Value::from(self.enterprise_project_id.clone())),
        );
    }

    /// The change that stores a new rotation period.
    pub fn set_rotation_period(period: &str) -> ExtraChange {
        ExtraChange::Set(ROTATION_PERIOD.into(), Value::from(period))
    }

    /// The change that stores the event subscriptions (none: the key goes).
    pub fn set_event_subscriptions(subs: &[String]) -> ExtraChange {
        let v = if subs.is_empty() {
            Value::Null
        } else {
            json!(subs)
        };
        ExtraChange::Set(EVENT_SUBSCRIPTIONS.into(), v)
    }

    /// `SecretSubType` of the rotation configuration (`SingleUser`, `MultiUser`).
    pub fn sub_type(&self) -> Option<String> {
        let cfg: Value = serde_json::from_str(self.rotation_config.as_deref()?).ok()?;
        cfg.get("SecretSubType")?.as_str().map(str::to_owned)
    }
}

/// Parses a rotation period `<int><d|h|m|s>` into seconds; CSMS allows 6 hours to 365 days.
pub fn parse_period(p: &str) -> HwResult<i64> {
    let bad = || {
        HuaweiError::invalid(format!(
            "The rotation_period {p} is invalid: give a number and a unit d, h, m or s \
             (e.g. 30d or 12h), between 6h and 8760h."
        ))
    };
    let (digits, unit) = p.split_at(p.len().saturating_sub(1));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = digits.parse().map_err(|_| bad())?;
    let unit_secs = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => return Err(bad()),
    };
    let secs = n.checked_mul(unit_secs).ok_or_else(bad)?;
    if !(6 * 3_600..=8_760 * 3_600).contains(&secs) {
        return Err(bad());
    }
    Ok(secs)
}

/// The rotation configuration RDS-FG and GaussDB-FG secrets need:
/// `{"InstanceId": "…", "SecretSubType": "SingleUser" | "MultiUser"}`, at most 1024 characters.
pub fn check_rotation_config(secret_type: &str, config: Option<&str>) -> HwResult<()> {
    let needs = matches!(secret_type, "RDS-FG" | "GaussDB-FG");
    let Some(config) = config else {
        return if needs {
            Err(HuaweiError::invalid(format!(
                "rotation_config is required for {secret_type} secrets: \
                 {{\"InstanceId\":\"…\",\"SecretSubType\":\"SingleUser\"}} or MultiUser."
            )))
        } else {
            Ok(())
        };
    };
    if config.chars().count() > 1024 {
        return Err(HuaweiError::invalid(
            "rotation_config must be at most 1024 characters.",
        ));
    }
    if !needs {
        return Ok(());
    }
    let parsed: Value = serde_json::from_str(config).map_err(|_| {
        HuaweiError::invalid(
            "rotation_config must be a JSON object with InstanceId and SecretSubType.",
        )
    })?;
    let instance = parsed.get("InstanceId").and_then(Value::as_str);
    let sub = parsed.get("SecretSubType").and_then(Value::as_str);
    match (instance, sub) {
        (Some(i), Some("SingleUser" | "MultiUser")) if !i.is_empty() => Ok(()),
        _ => Err(HuaweiError::invalid(
            "rotation_config needs a non-empty InstanceId and a SecretSubType of SingleUser or \
             MultiUser.",
        )),
    }
}

/// When `stage` was last put on `holder`: a recorded move onto this very version, else when
/// the version was made. The previous stage moves when current moves, so it is at least as
/// recent as the current holder.
pub fn stage_time(s: &Secret, d: &Dialect, stage: &str, holder: &Version) -> Timestamp {
    let recorded = s.label_moved_at(stage, &holder.id);
    let mut t = holder.created;
    if stage == d.previous {
        if let Some(current) = s.holder(d.current) {
            t = t.max(current.created);
        }
    }
    recorded.map_or(t, |r| r.max(t))
}

/// The id of the project's default key `csms/default`, fixed per project so every secret
/// created without a key names the same one.
pub fn default_kms_key(project: &str) -> String {
    let h = localsecrets_api::signing::sha256_hex(format!("csms/default/{project}").as_bytes());
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let cases = [
            ("6h", Ok(21_600)),
            ("1d", Ok(86_400)),
            ("24h", Ok(86_400)),
            ("365d", Ok(31_536_000)),
            ("21600s", Ok(21_600)),
            ("5h", Err(())),
            ("366d", Err(())),
            ("d", Err(())),
            ("10", Err(())),
            ("1w", Err(())),
            ("-6h", Err(())),
            ("", Err(())),
            ("99999999999999999999d", Err(())),
        ];
        for (p, want) in cases {
            assert_eq!(parse_period(p).map_err(|_| ()), want, "{p}");
        }
    }

    #[test]
    fn rotation_configs() {
        let ok = r#"{"InstanceId":"i-1","SecretSubType":"MultiUser"}"#;
        assert!(check_rotation_config("RDS-FG", Some(ok)).is_ok());
        assert!(check_rotation_config("GaussDB-FG", None).is_err());
        assert!(check_rotation_config("RDS-FG", Some("{}")).is_err());
        assert!(check_rotation_config(
            "RDS-FG",
            Some(r#"{"InstanceId":"i","SecretSubType":"Triple"}"#)
        )
        .is_err());
        assert!(check_rotation_config("COMMON", None).is_ok());
        assert!(check_rotation_config("COMMON", Some("anything")).is_ok());
        assert!(check_rotation_config("COMMON", Some(&"x".repeat(1025))).is_err());
    }

    #[test]
    fn default_key_is_stable_per_project() {
        let a = default_kms_key("0123456789abcdef0123456789abcdef");
        assert_eq!(a, default_kms_key("0123456789abcdef0123456789abcdef"));
        assert_ne!(a, default_kms_key("fedcba9876543210fedcba9876543210"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }
}
