//! Tag rules shared by CreateSecret and the tag operations: keys of 1 to 128 characters,
//! values up to 256 (the service model's), the cap per secret from the dialect.

use crate::error::AwsResult;
use crate::json::{Input, Len};
use localsecrets_core::Tag;

/// A `Tags` list of `{Key, Value}`.
pub fn parse(input: &Input, field: &str) -> AwsResult<Option<Vec<Tag>>> {
    let Some(items) = input.objects(field, Len(0, usize::MAX))? else {
        return Ok(None);
    };
    items
        .iter()
        .map(|t| {
            Ok(Tag {
                key: t.req_str("Key", Len(1, 128))?,
                value: t.str("Value", Len(0, 256))?.unwrap_or_default(),
            })
        })
        .collect::<AwsResult<Vec<_>>>()
        .map(Some)
}
