//! `GET /_localsecrets/clock` and `POST /_localsecrets/clock` with `{"advance_seconds": N}`
//! or `{"set": "<RFC 3339>"}`. The clock only moves forward; its offset is stored so it
//! survives a restart with `--data`. Whatever falls due on the way (scheduled rotations,
//! purges) runs at its own time, in order, before the answer, which lists it under `ran`.

use super::{error, internal, ok};
use crate::app::App;
use crate::scheduler::{Move, Outcome};
use localsecrets_api::{Request, Response};
use localsecrets_core::Timestamp;
use serde_json::{json, Value};

/// 9999-12-31T23:59:59Z: the last instant every cloud's time format can render.
const LATEST: Timestamp = Timestamp::from_secs(253_402_300_799);

pub fn state(app: &App) -> Value {
    let clock = app.service.clock();
    json!({
        "now": clock.now().to_rfc3339(),
        "offset_seconds": clock.offset_millis().div_euclid(1000),
    })
}

pub fn get(app: &App) -> Response {
    ok(&state(app))
}

enum Change {
    Advance(i64),
    Set(Timestamp),
}

pub fn post(app: &App, req: &Request) -> Response {
    let change = match parse(&req.body) {
        Ok(c) => c,
        Err(message) => return error(400, "bad_request", &message),
    };
    let _serial = app.clock_change.lock();
    let clock = app.service.clock();
    let by = match change {
        Change::Advance(secs) if secs < 0 => {
            return error(
                400,
                "bad_request",
                "the clock only moves forward: advance_seconds must be >= 0",
            )
        }
        Change::Advance(secs) => {
            let to = clock
                .now()
                .millis()
                .saturating_add(secs.saturating_mul(1000));
            if to > LATEST.millis() {
                return error(
                    400,
                    "bad_request",
                    &format!("advance_seconds {secs} would move the clock past {LATEST}"),
                );
            }
            Move::By(secs * 1000)
        }
        Change::Set(to) if to > LATEST => {
            return error(
                400,
                "bad_request",
                &format!("set must not be later than {LATEST}"),
            )
        }
        Change::Set(to) => {
            let now = clock.now();
            if to < now {
                return error(
                    400,
                    "bad_request",
                    &format!("the clock only moves forward: {to} is before the current time {now}"),
                );
            }
            Move::To(to)
        }
    };
    // Everything that falls due on the way runs, in due-time order, before the answer.
    let ran = match app.scheduler.advance(app, by) {
        Ok(ran) => ran,
        Err(e) => return internal(&e),
    };
    if let Err(e) = app.persist_clock() {
        return internal(&e);
    }
    tracing::info!(now = %clock.now(), offset_ms = clock.offset_millis(), ran = ran.len(), "clock moved");
    let mut body = state(app);
    body["ran"] = ran.iter().map(Outcome::to_json).collect();
    ok(&body)
}

fn parse(body: &[u8]) -> Result<Change, String> {
    const SHAPE: &str = r#"expected a JSON object with either "advance_seconds": <whole seconds> or "set": "<RFC 3339 time>""#;
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        if body.iter().all(u8::is_ascii_whitespace) {
            format!("empty body: {SHAPE}")
        } else {
            format!("body is not valid JSON ({e}): {SHAPE}")
        }
    })?;
    let Value::Object(map) = value else {
        return Err(SHAPE.into());
    };
    if let Some(key) = map.keys().find(|k| *k != "advance_seconds" && *k != "set") {
        return Err(format!("unknown field {key:?}: {SHAPE}"));
    }
    match (map.get("advance_seconds"), map.get("set")) {
        (Some(n), None) => n
            .as_i64()
            .map(Change::Advance)
            .ok_or_else(|| format!("advance_seconds must be a whole number of seconds, got {n}")),
        (None, Some(Value::String(s))) => {
            Timestamp::parse_rfc3339(s).map(Change::Set).ok_or_else(|| {
                format!("set must be an RFC 3339 time such as 2030-01-02T03:04:05Z, got {s:?}")
            })
        }
        (None, Some(other)) => Err(format!(
            "set must be an RFC 3339 time string such as 2030-01-02T03:04:05Z, got {other}"
        )),
        (Some(_), Some(_)) => Err(format!("give advance_seconds or set, not both: {SHAPE}")),
        (None, None) => Err(SHAPE.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{app, call};
    use super::*;
    use crate::app::CLOCK_OFFSET_SETTING;

    fn stored(app: &App) -> Option<String> {
        app.service.setting(CLOCK_OFFSET_SETTING).unwrap()
    }

    #[test]
    fn advance_and_set_move_forward_and_persist() {
        let app = app();
        let (status, body) = call(&app, "GET", "/_localsecrets/clock", "");
        assert_eq!(status, 200);
        assert_eq!(body["offset_seconds"], 0);
        assert_eq!(stored(&app), None);

        let (status, body) = call(
            &app,
            "POST",
            "/_localsecrets/clock",
            r#"{"advance_seconds": 3600}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(body["offset_seconds"], 3600);
        assert_eq!(stored(&app).as_deref(), Some("3600000"));

        let (status, body) = call(
            &app,
            "POST",
            "/_localsecrets/clock",
            r#"{"set": "2999-01-01T00:00:00Z"}"#,
        );
        assert_eq!(status, 200);
        assert!(body["now"]
            .as_str()
            .unwrap()
            .starts_with("2999-01-01T00:00:0"));
        let offset = stored(&app).unwrap().parse::<i64>().unwrap();
        assert_eq!(
            offset.div_euclid(1000),
            body["offset_seconds"].as_i64().unwrap()
        );
        assert!(offset > 3600 * 1000);
    }

    #[test]
    fn refuses_backwards_and_malformed_without_moving() {
        let app = app();
        call(
            &app,
            "POST",
            "/_localsecrets/clock",
            r#"{"advance_seconds": 60}"#,
        );
        for (body, needle) in [
            (r#"{"advance_seconds": -1}"#, "forward"),
            (r#"{"set": "2000-01-01T00:00:00Z"}"#, "forward"),
            (r#"{"set": "yesterday"}"#, "RFC 3339"),
            (r#"{"set": 5}"#, "RFC 3339"),
            (r#"{"advance_seconds": 1.5}"#, "whole number"),
            (r#"{"advance_seconds": "10"}"#, "whole number"),
            (
                r#"{"advance_seconds": 1, "set": "2999-01-01T00:00:00Z"}"#,
                "not both",
            ),
            (r#"{"advance": 1}"#, "unknown field"),
            (r#"{}"#, "advance_seconds"),
            (r#"[1]"#, "advance_seconds"),
            ("", "empty body"),
            ("{", "not valid JSON"),
            (r#"{"advance_seconds": 9223372036854775807}"#, "past"),
        ] {
            let (status, v) = call(&app, "POST", "/_localsecrets/clock", body);
            assert_eq!(status, 400, "{body}");
            assert_eq!(v["error"], "bad_request");
            let message = v["message"].as_str().unwrap();
            assert!(message.contains(needle), "{body}: {message}");
        }
        let (_, v) = call(&app, "GET", "/_localsecrets/clock", "");
        assert_eq!(v["offset_seconds"], 60);
        assert_eq!(stored(&app).as_deref(), Some("60000"));
    }
}
