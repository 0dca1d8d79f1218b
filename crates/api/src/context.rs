//! Settings that shape how a request is read: signature checking and the key store used to
//! check signatures.

use std::collections::HashMap;

/// How signatures are treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VerifyMode {
    /// Credentials only pick the tenant.
    #[default]
    Off,
    /// Verify and log mismatches, but answer anyway.
    Lenient,
    /// Reject bad signatures with the cloud's own error.
    Strict,
}

impl VerifyMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "off" => Some(Self::Off),
            "lenient" => Some(Self::Lenient),
            "strict" => Some(Self::Strict),
            _ => None,
        }
    }
}

/// Finds the secret half of an access key.
pub trait Credentials: Send + Sync {
    fn secret_key(&self, access_key_id: &str) -> Option<String>;
}

/// A fixed key table.
#[derive(Clone, Debug, Default)]
pub struct StaticCredentials(pub HashMap<String, String>);

impl Credentials for StaticCredentials {
    fn secret_key(&self, access_key_id: &str) -> Option<String> {
        self.0.get(access_key_id).cloned()
    }
}
