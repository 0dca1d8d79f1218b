//! The Alibaba attributes the model does not decide on, kept in `Secret::extra`: a managed
//! secret's `ExtendedConfig`, the two account names of a dual-account secret, the dedicated
//! KMS instance and the account that created the secret.
//!
//! The stored form is the one fixture and export files carry:
//! `{"ExtendedConfig": {..}, "Accounts": ["user", "user_clone"], "DKMSInstanceId": "..",
//! "Creator": "<account>"}`, each key present only when it has a value.

use localsecrets_core::{ExtraChange, Secret};
use serde_json::{json, Map, Value};

pub const EXTENDED_CONFIG: &str = "ExtendedConfig";
pub const ACCOUNTS: &str = "Accounts";
pub const DKMS_INSTANCE: &str = "DKMSInstanceId";
pub const CREATOR: &str = "Creator";

/// Every key this frontend keeps in `extra`.
pub const KEYS: [&str; 4] = [EXTENDED_CONFIG, ACCOUNTS, DKMS_INSTANCE, CREATOR];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlibabaMeta {
    /// The `ExtendedConfig` of a managed secret (`SecretSubType`, `DBInstanceId`,
    /// `CustomData`, …).
    pub extended_config: Option<Map<String, Value>>,
    /// The two account names of a dual-account Rds, Redis or PolarDB secret; a rotation
    /// resets the one that is not current.
    pub accounts: Option<[String; 2]>,
    /// `DKMSInstanceId`: the dedicated KMS instance the secret was created in.
    pub dkms_instance_id: Option<String>,
    /// The account that created the secret (the `Creator` filter of ListSecrets).
    pub creator: Option<String>,
}

impl AlibabaMeta {
    /// The attributes of `s`; a value not in its stored shape reads as absent (fixtures are
    /// checked against the shapes by `import`).
    pub fn read(s: &Secret) -> Self {
        let text = |k: &str| s.extra.get(k).and_then(Value::as_str).map(str::to_owned);
        Self {
            extended_config: s
                .extra
                .get(EXTENDED_CONFIG)
                .and_then(Value::as_object)
                .cloned(),
            accounts: s
                .extra
                .get(ACCOUNTS)
                .and_then(Value::as_array)
                .and_then(|a| match a.as_slice() {
                    [Value::String(a), Value::String(b)] => Some([a.clone(), b.clone()]),
                    _ => None,
                }),
            dkms_instance_id: text(DKMS_INSTANCE),
            creator: text(CREATOR),
        }
    }

    /// Writes every attribute into `extra`: a set one under its key, an absent one removed.
    pub fn store_in(&self, extra: &mut Map<String, Value>) {
        let mut put = |k: &str, v: Option<Value>| ExtraChange::set(k, v).apply_to(extra);
        put(
            EXTENDED_CONFIG,
            self.extended_config.clone().map(Value::Object),
        );
        put(ACCOUNTS, self.accounts.as_ref().map(|a| json!(a)));
        put(
            DKMS_INSTANCE,
            self.dkms_instance_id.clone().map(Value::from),
        );
        put(CREATOR, self.creator.clone().map(Value::from));
    }

    /// The change that sets `ExtendedConfig.CustomData`, leaving the other members of the
    /// stored `ExtendedConfig` as they are.
    pub fn set_custom_data(custom: Map<String, Value>) -> ExtraChange {
        let members = Map::from_iter([("CustomData".to_owned(), Value::Object(custom))]);
        ExtraChange::Merge(EXTENDED_CONFIG.into(), members)
    }

    /// The stored `ExtendedConfig` as JSON text.
    pub fn extended_config_text(&self) -> Option<String> {
        self.extended_config
            .as_ref()
            .map(|c| Value::Object(c.clone()).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::Timestamp;

    fn secret(extra: Value) -> Secret {
        Secret {
            extra: extra.as_object().cloned().unwrap_or_default(),
            ..Secret::new("s", "id", "abcdef", Timestamp::from_secs(0))
        }
    }

    #[test]
    fn reads_and_stores_the_same_json() {
        let stored = json!({
            "ExtendedConfig": {"SecretSubType": "DoubleUsers", "DBInstanceId": "rm-1"},
            "Accounts": ["app", "app_clone"],
            "DKMSInstanceId": "kst-1",
            "Creator": "1000000000000000",
        });
        let m = AlibabaMeta::read(&secret(stored.clone()));
        assert_eq!(m.accounts, Some(["app".to_owned(), "app_clone".to_owned()]));
        assert_eq!(m.dkms_instance_id.as_deref(), Some("kst-1"));
        assert_eq!(m.creator.as_deref(), Some("1000000000000000"));
        let text = m.extended_config_text().expect("an ExtendedConfig");
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            stored["ExtendedConfig"]
        );
        let mut extra = Map::new();
        m.store_in(&mut extra);
        assert_eq!(Value::Object(extra), stored);
    }

    #[test]
    fn absent_and_misshapen_values_read_as_none_and_are_not_stored() {
        let m = AlibabaMeta::read(&secret(json!({
            "ExtendedConfig": "text",
            "Accounts": ["one", "two", "three"],
            "DKMSInstanceId": 7,
        })));
        assert_eq!(m, AlibabaMeta::default());
        let mut extra = Map::from_iter([("Accounts".to_owned(), json!(["a", "b"]))]);
        m.store_in(&mut extra);
        assert!(extra.is_empty());
    }

    #[test]
    fn custom_data_is_merged_into_the_extended_config() {
        let custom = Map::from_iter([("k".to_owned(), json!("v"))]);
        assert_eq!(
            AlibabaMeta::set_custom_data(custom.clone()),
            ExtraChange::Merge(
                "ExtendedConfig".into(),
                Map::from_iter([("CustomData".to_owned(), Value::Object(custom))])
            )
        );
    }
}
