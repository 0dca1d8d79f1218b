//! One seedable source for everything random the model makes: version ids, ARN suffixes,
//! generated passwords and credentials. A fixed seed makes whole test runs reproducible.

use crate::CoreError;
use parking_lot::Mutex;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const LOWERCASE: &str = "abcdefghijklmnopqrstuvwxyz";
pub const UPPERCASE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const DIGITS: &str = "0123456789";
/// The punctuation set AWS, Alibaba and Huawei all document for generated passwords.
pub const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

#[derive(Debug)]
pub struct Random {
    rng: Mutex<ChaCha8Rng>,
}

/// The union of the three clouds' password options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub length: usize,
    pub exclude_characters: String,
    pub exclude_lowercase: bool,
    pub exclude_uppercase: bool,
    pub exclude_numbers: bool,
    pub exclude_punctuation: bool,
    pub include_space: bool,
    pub require_each_included_type: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            length: 32,
            exclude_characters: String::new(),
            exclude_lowercase: false,
            exclude_uppercase: false,
            exclude_numbers: false,
            exclude_punctuation: false,
            include_space: false,
            require_each_included_type: true,
        }
    }
}

impl Random {
    pub fn from_entropy() -> Self {
        Self {
            rng: Mutex::new(ChaCha8Rng::from_entropy()),
        }
    }

    pub fn seeded(seed: u64) -> Self {
        Self {
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
        }
    }

    /// A random (v4) UUID in its hyphenated lowercase form.
    pub fn uuid(&self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.lock().fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// `n` characters from `[A-Za-z0-9]`, as in AWS ARN suffixes.
    pub fn alphanumeric(&self, n: usize) -> String {
        let alphabet: Vec<char> = format!("{LOWERCASE}{UPPERCASE}{DIGITS}").chars().collect();
        self.pick(&alphabet, n)
    }

    /// `n` characters from `alphabet`.
    pub fn pick(&self, alphabet: &[char], n: usize) -> String {
        let mut rng = self.rng.lock();
        (0..n)
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
            .collect()
    }

    pub fn bytes(&self, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        self.rng.lock().fill_bytes(&mut v);
        v
    }

    pub fn below(&self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        self.rng.lock().gen_range(0..n)
    }

    /// A password following `policy`; refuses policies that leave nothing to draw from or
    /// that require more classes than the length allows.
    pub fn password(&self, policy: &PasswordPolicy) -> Result<String, CoreError> {
        if policy.length == 0 || policy.length > 4096 {
            return Err(CoreError::InvalidParameter(
                "password length must be between 1 and 4096".into(),
            ));
        }
        let keep = |set: &str| -> Vec<char> {
            set.chars()
                .filter(|c| !policy.exclude_characters.contains(*c))
                .collect()
        };
        let mut classes: Vec<Vec<char>> = Vec::new();
        if !policy.exclude_lowercase {
            classes.push(keep(LOWERCASE));
        }
        if !policy.exclude_uppercase {
            classes.push(keep(UPPERCASE));
        }
        if !policy.exclude_numbers {
            classes.push(keep(DIGITS));
        }
        if !policy.exclude_punctuation {
            classes.push(keep(PUNCTUATION));
        }
        if policy.include_space {
            classes.push(keep(" "));
        }
        classes.retain(|c| !c.is_empty());
        if classes.is_empty() {
            return Err(CoreError::InvalidParameter(
                "the password policy excludes every character".into(),
            ));
        }
        if policy.require_each_included_type && classes.len() > policy.length {
            return Err(CoreError::InvalidParameter(format!(
                "a password of length {} cannot include all {} required character types",
                policy.length,
                classes.len()
            )));
        }
        let all: Vec<char> = classes.iter().flatten().copied().collect();
        let mut rng = self.rng.lock();
        let mut out: Vec<char> = (0..policy.length)
            .map(|_| all[rng.gen_range(0..all.len())])
            .collect();
        if policy.require_each_included_type {
            // Put one character of each class at distinct random positions.
            let mut positions: Vec<usize> = (0..policy.length).collect();
            for class in &classes {
                let idx = rng.gen_range(0..positions.len());
                let pos = positions.swap_remove(idx);
                out[pos] = class[rng.gen_range(0..class.len())];
            }
        }
        Ok(out.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_sources_repeat() {
        let (a, b) = (Random::seeded(7), Random::seeded(7));
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.alphanumeric(6), b.alphanumeric(6));
        assert_ne!(a.uuid(), a.uuid());
    }

    #[test]
    fn uuid_is_v4() {
        let u = Random::seeded(1).uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn suffix_is_alphanumeric() {
        let s = Random::seeded(3).alphanumeric(6);
        assert_eq!(s.len(), 6);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn password_policies() {
        type Check = fn(&str) -> bool;
        let r = Random::seeded(11);
        let cases: Vec<(PasswordPolicy, Check)> = vec![
            (PasswordPolicy::default(), |p| {
                p.len() == 32
                    && p.chars().any(|c| c.is_ascii_lowercase())
                    && p.chars().any(|c| c.is_ascii_uppercase())
                    && p.chars().any(|c| c.is_ascii_digit())
                    && p.chars().any(|c| PUNCTUATION.contains(c))
            }),
            (
                PasswordPolicy {
                    length: 64,
                    exclude_punctuation: true,
                    exclude_characters: "abcABC012".into(),
                    ..Default::default()
                },
                |p| {
                    p.len() == 64
                        && p.chars().all(|c| c.is_ascii_alphanumeric())
                        && !p.chars().any(|c| "abcABC012".contains(c))
                },
            ),
            (
                PasswordPolicy {
                    length: 4,
                    exclude_lowercase: true,
                    exclude_uppercase: true,
                    exclude_punctuation: true,
                    include_space: true,
                    ..Default::default()
                },
                |p| p.len() == 4 && p.contains(' ') && p.chars().any(|c| c.is_ascii_digit()),
            ),
        ];
        for (policy, ok) in cases {
            for _ in 0..50 {
                let p = r.password(&policy).unwrap();
                assert!(ok(&p), "{policy:?} gave {p:?}");
            }
        }
    }

    #[test]
    fn impossible_policies_are_refused() {
        let r = Random::seeded(1);
        let none = PasswordPolicy {
            exclude_lowercase: true,
            exclude_uppercase: true,
            exclude_numbers: true,
            exclude_punctuation: true,
            ..Default::default()
        };
        assert!(r.password(&none).is_err());
        let short = PasswordPolicy {
            length: 3,
            ..Default::default()
        };
        assert!(r.password(&short).is_err());
        let zero = PasswordPolicy {
            length: 0,
            ..Default::default()
        };
        assert!(r.password(&zero).is_err());
    }
}
