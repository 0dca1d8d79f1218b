//! The CSMS tag rules every tag operation applies: key and value shapes, and the per-secret
//! cap refused in CSMS's words.

use crate::error::{HuaweiError, HwResult};
use localsecrets_core::{Cloud, CoreError, Tag};
use serde::Deserialize;

/// One `{"key", "value"}` of a request body, unchecked.
#[derive(Debug, Deserialize)]
pub struct TagItem {
    pub key: Option<String>,
    pub value: Option<String>,
}

fn tag_char(c: char, extra: &str) -> bool {
    c.is_alphanumeric() || (c.is_whitespace() && !c.is_control()) || extra.contains(c)
}

/// Keys: 1 to 128 letters, digits, spaces and `_ . : = + - @`, not starting with `_sys_`,
/// no space at either end.
pub fn check_key(k: &str) -> HwResult<()> {
    let n = k.chars().count();
    let ok = (1..=128).contains(&n)
        && !k.starts_with("_sys_")
        && k.chars().all(|c| tag_char(c, "_.:=+-@"))
        && !k.starts_with(char::is_whitespace)
        && !k.ends_with(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(HuaweiError::invalid(format!(
            "The tag key {k:?} is invalid: 1 to 128 letters, digits, spaces or _ . : = + - @, \
             not starting with _sys_ and without leading or trailing spaces."
        )))
    }
}

/// Values: at most 255 letters, digits, spaces and `_ . : / = + - @`.
pub fn check_value(v: &str) -> HwResult<()> {
    if v.chars().count() <= 255 && v.chars().all(|c| tag_char(c, "_.:/=+-@")) {
        Ok(())
    } else {
        Err(HuaweiError::invalid(format!(
            "The tag value {v:?} is invalid: at most 255 letters, digits, spaces or _ . : / = + - @."
        )))
    }
}

pub fn check_item(t: TagItem) -> HwResult<Tag> {
    let key = t
        .key
        .ok_or_else(|| HuaweiError::invalid("A tag needs a key."))?;
    check_key(&key)?;
    let value = t.value.unwrap_or_default();
    check_value(&value)?;
    Ok(Tag { key, value })
}

/// A cap refusal in CSMS's words (an invalid parameter); anything else as the model says.
pub fn refused(e: CoreError, secret_id: &str) -> HuaweiError {
    match e {
        CoreError::LimitExceeded(_) => HuaweiError::invalid(format!(
            "A secret can have at most {} tags.",
            Cloud::Huawei.dialect().max_tags
        )),
        e => crate::ops::list_secret_tags::by_id(e.into(), secret_id),
    }
}
