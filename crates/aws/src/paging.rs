//! Opaque `NextToken`s bound to the request they continue (operation, secret, filters,
//! sort), so a token that was tampered with or belongs to another listing is an
//! `InvalidNextTokenException` instead of a wrong page. Secret listings carry the position
//! after which the next page starts (the store seeks to it on an index, and a secret created
//! or deleted meanwhile shifts nothing); short lists held in hand (versions, policies) carry
//! an offset.

use crate::error::{AwsError, AwsResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use localsecrets_core::Position;

/// FNV-1a: a stable fingerprint across runs and restarts.
fn fingerprint(context: &str) -> u64 {
    context.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn encode(offset: usize, context: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("ls1:{offset}:{:016x}", fingerprint(context)))
}

fn invalid() -> AwsError {
    AwsError::InvalidNextToken("The NextToken value is invalid.".into())
}

fn decode(token: &str, context: &str) -> AwsResult<usize> {
    let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let mut parts = text.split(':');
    let (Some("ls1"), Some(offset), Some(fp), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    if fp != format!("{:016x}", fingerprint(context)) {
        return Err(invalid());
    }
    offset.parse().map_err(|_| invalid())
}

/// The token for a listing that resumes after `p`.
pub fn position_token(p: &Position, context: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "ls2:{}:{:016x}:{}",
        p.key,
        fingerprint(context),
        p.name
    ))
}

/// The position a token of [`position_token`] names, if it belongs to this listing.
pub fn position(token: &str, context: &str) -> AwsResult<Position> {
    let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let mut parts = text.splitn(4, ':');
    let (Some("ls2"), Some(key), Some(fp), Some(name)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    if fp != format!("{:016x}", fingerprint(context)) {
        return Err(invalid());
    }
    Ok(Position {
        key: key.parse().map_err(|_| invalid())?,
        name: name.to_owned(),
    })
}

/// One page of `items`: at most `max` starting where `token` left off, and the token for
/// the rest (none on the last page).
pub fn page<T>(
    items: Vec<T>,
    max: usize,
    token: Option<&str>,
    context: &str,
) -> AwsResult<(Vec<T>, Option<String>)> {
    let start = match token {
        Some(t) => decode(t, context)?,
        None => 0,
    };
    if start > items.len() {
        return Err(invalid());
    }
    let end = start.saturating_add(max.max(1)).min(items.len());
    let next = (end < items.len()).then(|| encode(end, context));
    Ok((
        items.into_iter().skip(start).take(end - start).collect(),
        next,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_through_everything_once() {
        let items: Vec<u32> = (0..7).collect();
        let mut seen = vec![];
        let mut token = None;
        loop {
            let (page, next) = page(items.clone(), 3, token.as_deref(), "call").unwrap();
            seen.extend(page);
            match next {
                Some(n) => token = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    fn pos(name: &str) -> Position {
        Position {
            key: -5,
            name: name.into(),
        }
    }

    #[test]
    fn positions_round_trip_through_tokens() {
        for p in [
            pos("a:b:c"),
            pos(""),
            pos("é/ü"),
            Position {
                key: i64::MIN,
                name: "x".into(),
            },
        ] {
            assert_eq!(position(&position_token(&p, "ctx"), "ctx").unwrap(), p);
        }
    }

    #[test]
    fn foreign_or_broken_tokens_are_refused() {
        let (_, next) = page((0..5).collect::<Vec<_>>(), 2, None, "a").unwrap();
        let next = next.unwrap();
        for (token, call) in [
            (next.as_str(), "b"),
            ("garbage!", "a"),
            ("", "a"),
            (&URL_SAFE_NO_PAD.encode("ls1:99:0"), "a"),
        ] {
            assert_eq!(
                page(vec![1, 2, 3], 2, Some(token), call).unwrap_err(),
                invalid()
            );
        }
        for (token, call) in [
            (position_token(&pos("a:b"), "b"), "a"),
            (
                URL_SAFE_NO_PAD.encode(format!("ls2:x:{:016x}:n", fingerprint("a"))),
                "a",
            ),
            (encode(1, "a"), "a"),
        ] {
            assert_eq!(position(&token, call).unwrap_err(), invalid());
        }
        // A valid token past the end (items went away) is refused too.
        let far = encode(10, "a");
        assert!(page(vec![1], 2, Some(&far), "a").is_err());
    }
}
