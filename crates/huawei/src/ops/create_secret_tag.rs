//! `POST /v1/{project_id}/csms/{secret_id}/tags` `{"tag": {"key", "value"}}`: adds a tag (or
//! replaces the value of the key) on the secret with that id. 204, no body.

use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{Access, Secret, SecretRef, Tag};
use serde::Deserialize;

/// A secret carries at most 20 tags.
pub const MAX_TAGS: usize = 20;

#[derive(Debug, Deserialize)]
pub struct TagItem {
    pub key: Option<String>,
    pub value: Option<String>,
}

#[derive(Deserialize)]
struct Body {
    tag: Option<TagItem>,
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

/// Sets each tag (a key has one value), then checks the cap.
pub fn upsert(s: &mut Secret, tags: Vec<Tag>) -> HwResult<()> {
    let all = s.tags.get_or_insert_with(Vec::new);
    for t in tags {
        match all.iter_mut().find(|x| x.key == t.key) {
            Some(x) => x.value = t.value,
            None => all.push(t),
        }
    }
    if all.len() > MAX_TAGS {
        return Err(HuaweiError::invalid(format!(
            "A secret can have at most {MAX_TAGS} tags."
        )));
    }
    Ok(())
}

pub fn handle(call: &Call<'_>, secret_id: &str) -> HwResult<Response> {
    let b: Body = call.body()?;
    let tag = check_item(
        b.tag
            .ok_or_else(|| HuaweiError::invalid("tag is required."))?,
    )?;
    call.modify(SecretRef::Id(secret_id), Access::Live, |s, _| {
        upsert(s, vec![tag])
    })
    .map_err(|e| super::list_secret_tags::by_id(e, secret_id))?;
    Ok(render::no_content())
}
