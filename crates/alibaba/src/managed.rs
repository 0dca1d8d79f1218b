//! Secret types and what differs between them: the name rules, the `ExtendedConfig` keys each
//! managed type requires, the `SecretData` it is created from, the current-account form it
//! reads back as, and the credential a rotation generates.
//!
//! A managed secret's version holds its read form (`{"AccountName":..,"AccountPassword":..}`,
//! `{"AccessKeyId":..,"AccessKeySecret":..,"GenerateTimestamp":..}`, the ECS login), so reads
//! need no translation. Dual-account types keep their two account names in
//! [`AlibabaMeta::accounts`] (`extra["Accounts"]`); a rotation resets the account that is
//! not current and makes it current.

use crate::error::{AliResult, AlibabaError};
use crate::meta::AlibabaMeta;
use localsecrets_core::random::{DIGITS, LOWERCASE, PUNCTUATION, UPPERCASE};
use localsecrets_core::{
    CoreError, CoreResult, PasswordPolicy, Random, Secret, SecretValue, Timestamp,
};
use serde_json::{json, Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretType {
    Generic,
    Rds,
    Redis,
    PolarDb,
    RamCredentials,
    Ecs,
}

impl SecretType {
    pub const ALL: [SecretType; 6] = [
        Self::Generic,
        Self::Rds,
        Self::Redis,
        Self::PolarDb,
        Self::RamCredentials,
        Self::Ecs,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Generic => "Generic",
            Self::Rds => "Rds",
            Self::Redis => "Redis",
            Self::PolarDb => "PolarDB",
            Self::RamCredentials => "RAMCredentials",
            Self::Ecs => "ECS",
        }
    }

    /// Case-insensitive: the documentation spells the RDS type both `Rds` and `RDS`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }

    pub fn of(secret: &Secret) -> Self {
        Self::parse(&secret.secret_type).unwrap_or(Self::Generic)
    }

    pub const fn is_managed(self) -> bool {
        !matches!(self, Self::Generic)
    }

    /// The `ExtendedConfig` keys the type requires and the values `SecretSubType` may take.
    const fn config_rules(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Self::Generic => (&[], &[]),
            Self::Rds => (
                &["SecretSubType", "DBInstanceId"],
                &["SingleUser", "DoubleUsers"],
            ),
            Self::Redis => (
                &[
                    "SecretSubType",
                    "AccountName",
                    "CloneAccountName",
                    "AccountPrivilege",
                    "InstanceId",
                    "RegionId",
                ],
                &["DoubleUsers"],
            ),
            Self::PolarDb => (
                &[
                    "SecretSubType",
                    "RegionId",
                    "DBClusterId",
                    "DBType",
                    "AccountName",
                ],
                &["DoubleUsers"],
            ),
            Self::RamCredentials => (&["SecretSubType", "UserName"], &["RamUserAccessKey"]),
            Self::Ecs => (
                &["SecretSubType", "RegionId", "InstanceId"],
                &["Password", "SSHKey"],
            ),
        }
    }
}

/// `text` (default) or `binary` (the value is base64 text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataType {
    Text,
    Binary,
}

impl DataType {
    pub fn parse(s: Option<&str>) -> AliResult<Self> {
        match s {
            None => Ok(Self::Text),
            Some(t) if t.eq_ignore_ascii_case("text") => Ok(Self::Text),
            Some(t) if t.eq_ignore_ascii_case("binary") => Ok(Self::Binary),
            Some(t) => Err(AlibabaError::invalid(format!(
                "The parameter SecretDataType must be text or binary, not \"{t}\"."
            ))),
        }
    }
}

pub const MAX_SECRET_DATA: usize = 30_720;

/// A caller's `SecretData` as a stored value.
pub fn value_from(data: &str, ty: DataType) -> AliResult<SecretValue> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    if data.len() > MAX_SECRET_DATA {
        return Err(AlibabaError::invalid(format!(
            "The parameter SecretData is too long: at most {MAX_SECRET_DATA} bytes."
        )));
    }
    match ty {
        DataType::Text => Ok(SecretValue::Text(data.to_owned())),
        DataType::Binary => STANDARD
            .decode(data.trim())
            .map(SecretValue::Binary)
            .map_err(|_| {
                AlibabaError::invalid(
                    "The parameter SecretData must be base64 text when SecretDataType is binary.",
                )
            }),
    }
}

/// `SecretData` and `SecretDataType` as the API shows a stored value.
pub fn data_of(value: &SecretValue) -> (String, &'static str) {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    match value {
        SecretValue::Text(s) => (s.clone(), "text"),
        SecretValue::Binary(b) => (STANDARD.encode(b), "binary"),
    }
}

/// Checks a secret name against the type's rules; `$Auto` names a RAM secret after its user.
pub fn check_name(
    ty: SecretType,
    name: &str,
    config: Option<&Map<String, Value>>,
) -> AliResult<String> {
    let name = if ty == SecretType::RamCredentials && name == "$Auto" {
        let user = config
            .and_then(|c| c.get("UserName"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        format!("acs/ram/user/{user}")
    } else {
        name.to_owned()
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_/+=.@-".contains(c);
    if name.is_empty() || name.len() > 192 || !name.chars().all(allowed) {
        return Err(AlibabaError::invalid(format!(
            "The parameter SecretName \"{name}\" is invalid: use 1 to 192 letters, digits and _ / + = . @ - characters."
        )));
    }
    let rule = match ty {
        SecretType::Ecs if !name.starts_with("acs/ecs/") => {
            Some("an ECS secret name must start with acs/ecs/")
        }
        SecretType::RamCredentials if !name.starts_with("acs/ram/user/") => {
            Some("a RAMCredentials secret name must be $Auto or start with acs/ram/user/")
        }
        SecretType::Generic | SecretType::Rds | SecretType::Redis | SecretType::PolarDb
            if name.starts_with("acs/") =>
        {
            Some("names starting with acs/ are reserved for managed ECS and RAM secrets")
        }
        _ => None,
    };
    match rule {
        Some(r) => Err(AlibabaError::invalid(format!(
            "The parameter SecretName \"{name}\" is invalid: {r}."
        ))),
        None => Ok(name),
    }
}

/// Validates `ExtendedConfig` for the type. Generic secrets ignore it; managed types need
/// their keys.
pub fn check_extended_config(
    ty: SecretType,
    config: Option<Value>,
) -> AliResult<Option<Map<String, Value>>> {
    if !ty.is_managed() {
        return Ok(None);
    }
    let t = ty.as_str();
    let config = match config {
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(AlibabaError::invalid(
                "The parameter ExtendedConfig must be a JSON object.",
            ))
        }
        None => {
            return Err(AlibabaError::invalid(format!(
                "The parameter ExtendedConfig is required for {t} secrets."
            )))
        }
    };
    let (required, subtypes) = ty.config_rules();
    for key in required {
        match config.get(*key) {
            Some(Value::String(s)) if !s.is_empty() => {}
            _ => {
                return Err(AlibabaError::invalid(format!(
                "The parameter ExtendedConfig must set {key} (a non-empty string) for {t} secrets."
            )))
            }
        }
    }
    let sub = config
        .get("SecretSubType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !subtypes.contains(&sub) {
        return Err(AlibabaError::invalid(format!(
            "ExtendedConfig.SecretSubType \"{sub}\" is invalid for {t} secrets: use {}.",
            subtypes.join(" or ")
        )));
    }
    if ty == SecretType::PolarDb {
        let db = config
            .get("DBType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if db != "MySQL" && db != "PostgreSQL" {
            return Err(AlibabaError::invalid(format!(
                "ExtendedConfig.DBType \"{db}\" is invalid: use MySQL or PostgreSQL."
            )));
        }
    }
    match config.get("CustomData") {
        None | Some(Value::Object(_)) => {}
        Some(_) => {
            return Err(AlibabaError::invalid(
                "ExtendedConfig.CustomData must be a JSON object.",
            ))
        }
    }
    Ok(Some(config))
}

fn field<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn bad_data(ty: SecretType, form: &str) -> AlibabaError {
    AlibabaError::invalid(format!(
        "The parameter SecretData is invalid for {} secrets: use {form}.",
        ty.as_str()
    ))
}

fn account(name: &str, password: &str) -> SecretValue {
    SecretValue::Text(json!({"AccountName": name, "AccountPassword": password}).to_string())
}

/// Database passwords: every class, with the special characters RDS, Redis and PolarDB accept.
pub fn database_password(random: &Random) -> CoreResult<String> {
    const ALLOWED: &str = "!@#$%^&*()_+-=";
    random.password(&PasswordPolicy {
        length: 24,
        exclude_characters: PUNCTUATION
            .chars()
            .filter(|c| !ALLOWED.contains(*c))
            .collect(),
        ..Default::default()
    })
}

/// A RAM access key pair in Alibaba's shapes: `LTAI` + 20 characters, and a 30-character secret.
pub fn access_key_pair(random: &Random) -> (String, String) {
    let alnum: Vec<char> = format!("{LOWERCASE}{UPPERCASE}{DIGITS}").chars().collect();
    (
        format!("LTAI{}", random.pick(&alnum, 20)),
        random.pick(&alnum, 30),
    )
}

/// The first version of a managed secret, and for dual-account types the two account names.
pub fn initial_value(
    ty: SecretType,
    data: &str,
    data_type: DataType,
    config: &Map<String, Value>,
    random: &Random,
    now: Timestamp,
) -> AliResult<(SecretValue, Option<[String; 2]>)> {
    if data_type != DataType::Text {
        return Err(AlibabaError::invalid(format!(
            "SecretDataType must be text for {} secrets.",
            ty.as_str()
        )));
    }
    let parsed: Option<Map<String, Value>> = serde_json::from_str(data).ok();
    let sub = field(config, "SecretSubType").unwrap_or_default();
    match ty {
        SecretType::Generic => Ok((SecretValue::Text(data.to_owned()), None)),
        SecretType::Rds => {
            let form = r#"{"Accounts":[{"AccountName":"..","AccountPassword":".."}]}"#;
            let accounts = parsed
                .as_ref()
                .and_then(|m| m.get("Accounts"))
                .and_then(Value::as_array)
                .ok_or_else(|| bad_data(ty, form))?;
            let pairs: Vec<(&str, &str)> = accounts
                .iter()
                .filter_map(Value::as_object)
                .filter_map(|a| Some((field(a, "AccountName")?, field(a, "AccountPassword")?)))
                .collect();
            let max = if sub == "DoubleUsers" { 2 } else { 1 };
            if pairs.is_empty() || pairs.len() != accounts.len() || pairs.len() > max {
                return Err(bad_data(ty, form));
            }
            let (name, password) = pairs[0];
            let accounts = (sub == "DoubleUsers").then(|| {
                let clone = pairs
                    .get(1)
                    .map_or_else(|| format!("{name}_clone"), |p| p.0.to_owned());
                [name.to_owned(), clone]
            });
            Ok((account(name, password), accounts))
        }
        SecretType::Redis | SecretType::PolarDb => {
            if data != "$Auto" {
                return Err(bad_data(ty, "$Auto (the service generates the password)"));
            }
            let name = field(config, "AccountName").unwrap_or_default();
            let clone = field(config, "CloneAccountName")
                .map_or_else(|| format!("{name}_clone"), str::to_owned);
            Ok((
                account(name, &database_password(random)?),
                Some([name.to_owned(), clone]),
            ))
        }
        SecretType::RamCredentials => {
            let form = r#"{"AccessKeys":[{"AccessKeyId":"..","AccessKeySecret":".."}]}"#;
            let key = parsed
                .as_ref()
                .and_then(|m| m.get("AccessKeys"))
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(Value::as_object)
                .ok_or_else(|| bad_data(ty, form))?;
            let (Some(id), Some(secret)) =
                (field(key, "AccessKeyId"), field(key, "AccessKeySecret"))
            else {
                return Err(bad_data(ty, form));
            };
            Ok((ram_value(id, secret, now), None))
        }
        SecretType::Ecs => {
            let form = if sub == "SSHKey" {
                r#"{"UserName":"..","PublicKey":"..","PrivateKey":".."}"#
            } else {
                r#"{"UserName":"..","Password":".."}"#
            };
            let m = parsed.ok_or_else(|| bad_data(ty, form))?;
            let user = field(&m, "UserName").ok_or_else(|| bad_data(ty, form))?;
            let value = if sub == "SSHKey" {
                let (Some(public), Some(private)) =
                    (field(&m, "PublicKey"), field(&m, "PrivateKey"))
                else {
                    return Err(bad_data(ty, form));
                };
                json!({"UserName": user, "PublicKey": public, "PrivateKey": private})
            } else {
                let password = field(&m, "Password").ok_or_else(|| bad_data(ty, form))?;
                json!({"UserName": user, "Password": password})
            };
            Ok((SecretValue::Text(value.to_string()), None))
        }
    }
}

fn ram_value(id: &str, secret: &str, now: Timestamp) -> SecretValue {
    SecretValue::Text(
        json!({"AccessKeyId": id, "AccessKeySecret": secret, "GenerateTimestamp": now.to_iso_seconds()})
            .to_string(),
    )
}

fn current_json(secret: &Secret) -> Map<String, Value> {
    secret
        .holder("ACSCurrent")
        .and_then(|v| v.value.as_text())
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

/// The value a rotation of a managed secret creates: a new password for the database types
/// (for dual-account ones on the account that is not current) and ECS passwords, a new
/// access key pair for RAM secrets.
pub fn rotated_value(secret: &Secret, random: &Random, now: Timestamp) -> CoreResult<SecretValue> {
    let ty = SecretType::of(secret);
    let unsupported = |what: &str| CoreError::UnsupportedSecretType {
        secret_type: what.to_owned(),
        operation: "RotateSecret".into(),
    };
    let current = current_json(secret);
    let text = |k: &str| {
        current
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match ty {
        SecretType::Generic => Err(unsupported("Generic")),
        SecretType::Rds | SecretType::Redis | SecretType::PolarDb => {
            let now_name = text("AccountName");
            let name = match AlibabaMeta::read(secret).accounts {
                Some([a, b]) if a == now_name => b,
                Some([a, _]) => a,
                None => now_name,
            };
            Ok(account(&name, &database_password(random)?))
        }
        SecretType::RamCredentials => {
            let (id, key) = access_key_pair(random);
            Ok(ram_value(&id, &key, now))
        }
        SecretType::Ecs => {
            if current.contains_key("PrivateKey") {
                return Err(unsupported("ECS SSHKey"));
            }
            let password = database_password(random)?;
            Ok(SecretValue::Text(
                json!({"UserName": text("UserName"), "Password": password}).to_string(),
            ))
        }
    }
}

/// `RotationInterval`: `<n>d|h|m|s`, from 6 hours to 8760 hours; answers seconds.
pub fn parse_interval(s: &str) -> AliResult<i64> {
    let bad = || {
        AlibabaError::invalid(format!(
            "The parameter RotationInterval \"{s}\" is invalid: use <n>d, <n>h, <n>m or <n>s from 6h to 8760h, e.g. 7d."
        ))
    };
    let t = s.trim();
    let unit = t.chars().last().ok_or_else(bad)?;
    let mult = match unit {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return Err(bad()),
    };
    let n: i64 = t[..t.len() - 1].parse().map_err(|_| bad())?;
    let secs = n.checked_mul(mult).ok_or_else(bad)?;
    if !(6 * 3_600..=8_760 * 3_600).contains(&secs) {
        return Err(bad());
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    #[test]
    fn managed_types_are_the_ones_the_dialect_rotates() {
        let d = localsecrets_core::Cloud::Alibaba.dialect();
        for t in SecretType::ALL {
            assert_eq!(d.rotates_itself(t.as_str()), t.is_managed(), "{t:?}");
        }
    }

    use super::*;
    use crate::error::Code;
    use localsecrets_core::Version;

    fn cfg(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn intervals() {
        let cases = [
            ("7d", Some(604_800)),
            ("6h", Some(21_600)),
            ("360m", Some(21_600)),
            ("31536000s", Some(31_536_000)),
            ("5h", None),
            ("366d", None),
            ("7", None),
            ("d", None),
            ("-7d", None),
            ("7w", None),
            ("99999999999999999d", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_interval(input).ok(), want, "{input}");
        }
    }

    #[test]
    fn names_follow_the_type_rules() {
        let ok = [
            (SecretType::Generic, "app/db-password"),
            (SecretType::Ecs, "acs/ecs/i-123/root"),
            (SecretType::RamCredentials, "acs/ram/user/alice"),
        ];
        for (ty, name) in ok {
            assert_eq!(check_name(ty, name, None).unwrap(), name);
        }
        let bad = [
            (SecretType::Generic, "acs/x"),
            (SecretType::Rds, "acs/rds"),
            (SecretType::Ecs, "ecs-secret"),
            (SecretType::Generic, "has space"),
            (SecretType::Generic, ""),
            (SecretType::RamCredentials, "alice"),
        ];
        for (ty, name) in bad {
            assert_eq!(
                check_name(ty, name, None).unwrap_err().code,
                Code::InvalidParameter,
                "{name}"
            );
        }
        let long = "a".repeat(193);
        assert!(check_name(SecretType::Generic, &long, None).is_err());
        let c = cfg(json!({"UserName": "alice"}));
        assert_eq!(
            check_name(SecretType::RamCredentials, "$Auto", Some(&c)).unwrap(),
            "acs/ram/user/alice"
        );
    }

    #[test]
    fn extended_config_rules() {
        assert_eq!(
            check_extended_config(SecretType::Generic, Some(json!({"x": 1}))).unwrap(),
            None
        );
        let rds = json!({"SecretSubType": "SingleUser", "DBInstanceId": "rm-1"});
        assert!(check_extended_config(SecretType::Rds, Some(rds))
            .unwrap()
            .is_some());
        let cases = [
            (SecretType::Rds, None),
            (SecretType::Rds, Some(json!([1]))),
            (
                SecretType::Rds,
                Some(json!({"SecretSubType": "SingleUser"})),
            ),
            (
                SecretType::Rds,
                Some(json!({"SecretSubType": "Triple", "DBInstanceId": "rm-1"})),
            ),
            (
                SecretType::PolarDb,
                Some(
                    json!({"SecretSubType": "DoubleUsers", "RegionId": "r", "DBClusterId": "c", "DBType": "Oracle", "AccountName": "a"}),
                ),
            ),
            (
                SecretType::Ecs,
                Some(
                    json!({"SecretSubType": "Password", "RegionId": "r", "InstanceId": "i", "CustomData": "x"}),
                ),
            ),
        ];
        for (ty, c) in cases {
            assert_eq!(
                check_extended_config(ty, c.clone()).unwrap_err().code,
                Code::InvalidParameter,
                "{ty:?} {c:?}"
            );
        }
    }

    fn secret_with(ty: SecretType, value: SecretValue, accounts: Option<[String; 2]>) -> Secret {
        let mut extra = Map::new();
        AlibabaMeta {
            accounts,
            ..AlibabaMeta::default()
        }
        .store_in(&mut extra);
        Secret {
            secret_type: ty.as_str().into(),
            extra,
            versions: vec![Version::new(
                "v1",
                value,
                Timestamp::from_secs(0),
                vec!["ACSCurrent".into()],
            )],
            ..Secret::new("s", "id", "abcdef", Timestamp::from_secs(0))
        }
    }

    fn parse(v: &SecretValue) -> Value {
        serde_json::from_str(v.as_text().unwrap()).unwrap()
    }

    #[test]
    fn creation_and_rotation_per_type() {
        let r = Random::seeded(5);
        let now = Timestamp::from_secs(1_700_000_000);
        // RDS dual accounts: the clone account takes over on rotation, then back.
        let c = cfg(json!({"SecretSubType": "DoubleUsers", "DBInstanceId": "rm-1"}));
        let (v, acc) = initial_value(
            SecretType::Rds,
            r#"{"Accounts":[{"AccountName":"app","AccountPassword":"pw"}]}"#,
            DataType::Text,
            &c,
            &r,
            now,
        )
        .unwrap();
        assert_eq!(
            parse(&v),
            json!({"AccountName": "app", "AccountPassword": "pw"})
        );
        assert_eq!(acc, Some(["app".to_owned(), "app_clone".to_owned()]));
        let s = secret_with(SecretType::Rds, v, acc.clone());
        let next = parse(&rotated_value(&s, &r, now).unwrap());
        assert_eq!(next["AccountName"], "app_clone");
        assert_ne!(next["AccountPassword"], "pw");
        let s2 = secret_with(SecretType::Rds, SecretValue::Text(next.to_string()), acc);
        assert_eq!(
            parse(&rotated_value(&s2, &r, now).unwrap())["AccountName"],
            "app"
        );
        // RDS single user keeps the account.
        let s = secret_with(
            SecretType::Rds,
            SecretValue::Text(json!({"AccountName": "u", "AccountPassword": "p"}).to_string()),
            None,
        );
        assert_eq!(
            parse(&rotated_value(&s, &r, now).unwrap())["AccountName"],
            "u"
        );
        // Redis generates its first password.
        let c = cfg(
            json!({"SecretSubType": "DoubleUsers", "AccountName": "r", "CloneAccountName": "r_clone",
            "AccountPrivilege": "RoleReadWrite", "InstanceId": "r-1", "RegionId": "cn-hangzhou"}),
        );
        let (v, acc) =
            initial_value(SecretType::Redis, "$Auto", DataType::Text, &c, &r, now).unwrap();
        let p = parse(&v);
        assert_eq!(p["AccountName"], "r");
        assert_eq!(p["AccountPassword"].as_str().unwrap().len(), 24);
        assert_eq!(acc, Some(["r".to_owned(), "r_clone".to_owned()]));
        assert!(initial_value(SecretType::Redis, "{}", DataType::Text, &c, &r, now).is_err());
        // RAM: a new key pair in Alibaba's shape.
        let c = cfg(json!({"SecretSubType": "RamUserAccessKey", "UserName": "alice"}));
        let (v, _) = initial_value(
            SecretType::RamCredentials,
            r#"{"AccessKeys":[{"AccessKeyId":"LTAIold","AccessKeySecret":"s"}]}"#,
            DataType::Text,
            &c,
            &r,
            now,
        )
        .unwrap();
        assert_eq!(parse(&v)["GenerateTimestamp"], "2023-11-14T22:13:20Z");
        let s = secret_with(SecretType::RamCredentials, v, None);
        let k = parse(&rotated_value(&s, &r, now).unwrap());
        let id = k["AccessKeyId"].as_str().unwrap();
        assert!(id.starts_with("LTAI") && id.len() == 24, "{id}");
        assert_eq!(k["AccessKeySecret"].as_str().unwrap().len(), 30);
        // ECS passwords rotate; SSH keys are refused rather than faked.
        let s = secret_with(
            SecretType::Ecs,
            SecretValue::Text(json!({"UserName": "root", "Password": "x"}).to_string()),
            None,
        );
        let e = parse(&rotated_value(&s, &r, now).unwrap());
        assert_eq!(e["UserName"], "root");
        assert_ne!(e["Password"], "x");
        let s = secret_with(
            SecretType::Ecs,
            SecretValue::Text(
                json!({"UserName": "root", "PublicKey": "a", "PrivateKey": "b"}).to_string(),
            ),
            None,
        );
        assert!(matches!(
            rotated_value(&s, &r, now),
            Err(CoreError::UnsupportedSecretType { .. })
        ));
        // Generic secrets never rotate here.
        let s = secret_with(SecretType::Generic, SecretValue::Text("x".into()), None);
        assert!(rotated_value(&s, &r, now).is_err());
        // Managed types are text only.
        assert!(initial_value(SecretType::Redis, "$Auto", DataType::Binary, &c, &r, now).is_err());
    }

    #[test]
    fn binary_values_are_base64() {
        assert_eq!(
            value_from("AAEC", DataType::Binary).unwrap(),
            SecretValue::Binary(vec![0, 1, 2])
        );
        assert!(value_from("not base64!", DataType::Binary).is_err());
        assert_eq!(
            data_of(&SecretValue::Binary(vec![0, 1, 2])),
            ("AAEC".into(), "binary")
        );
        assert!(value_from(&"x".repeat(MAX_SECRET_DATA + 1), DataType::Text).is_err());
    }

    #[test]
    fn database_passwords_use_only_allowed_specials() {
        let r = Random::seeded(9);
        for _ in 0..50 {
            let p = database_password(&r).unwrap();
            assert_eq!(p.len(), 24);
            assert!(
                p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!@#$%^&*()_+-=".contains(c)),
                "{p}"
            );
        }
    }
}
