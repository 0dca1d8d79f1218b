//! Rotation under `/_localsecrets/`:
//! - `GET /rotation`: the next due time, recent scheduled runs and function calls;
//! - `POST /rotation/tick`: runs what is due now and lists it;
//! - `GET /rotation-functions`: the registered functions;
//! - `PUT|GET|DELETE /rotation-functions/{id}`: one function, `{"url": "http://…"}` or
//!   `{"command": ["prog", "arg", …]}`, optionally `"timeout_seconds"`. `{id}` is what a
//!   secret names as its rotation function (percent-encode `/` in it, or not: the rest of the
//!   path is the id).

use super::{error, internal, ok};
use crate::app::App;
use crate::rotation_functions::{check_id, Function, COMMANDS_DISABLED};
use crate::scheduler::Outcome;
use localsecrets_api::{Request, Response};
use serde_json::{json, Value};

const ROTATION: &str = "/_localsecrets/rotation";
const TICK: &str = "/_localsecrets/rotation/tick";
const FUNCTIONS: &str = "/_localsecrets/rotation-functions";

/// Answers the rotation endpoints; `None` for any other path.
pub fn route(app: &App, req: &Request, path: &str) -> Option<Response> {
    let method = req.method.as_str();
    let allowed = |methods: &[&str]| -> Option<Response> {
        Some(
            error(
                405,
                "method_not_allowed",
                &format!(
                    "{path} does not accept {method}; use {}",
                    methods.join(" or ")
                ),
            )
            .header("allow", &methods.join(", ")),
        )
    };
    if path == ROTATION {
        return match method {
            "GET" => Some(status(app)),
            _ => allowed(&["GET"]),
        };
    }
    if path == TICK {
        return match method {
            "POST" => Some(tick(app)),
            _ => allowed(&["POST"]),
        };
    }
    if path == FUNCTIONS {
        return match method {
            "GET" => Some(list(app)),
            _ => allowed(&["GET"]),
        };
    }
    path.strip_prefix(FUNCTIONS)?.strip_prefix('/')?;
    // Decoded segment by segment: an id may hold `/`, sent as is or as `%2F`.
    let id = req.path_segments()[2..].join("/");
    if let Err(e) = check_id(&id) {
        return Some(error(400, "bad_request", &e));
    }
    Some(match method {
        "GET" => match app.functions.get(&id) {
            Some(f) => ok(&entry(&id, &f)),
            None => missing(&id),
        },
        "PUT" => put(app, &id, &req.body),
        "DELETE" => match app.functions.delete(&id) {
            Ok(true) => ok(&json!({ "deleted": id })),
            Ok(false) => missing(&id),
            Err(e) => internal(&e),
        },
        _ => return allowed(&["GET", "PUT", "DELETE"]),
    })
}

fn entry(id: &str, f: &Function) -> Value {
    let mut v = f.to_json();
    v["id"] = json!(id);
    v
}

fn missing(id: &str) -> Response {
    error(
        404,
        "not_found",
        &format!("no rotation function is registered as {id:?}"),
    )
}

fn put(app: &App, id: &str, body: &[u8]) -> Response {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return error(
                400,
                "bad_request",
                &format!(
                    "body is not valid JSON ({e}): expected {{\"url\": \"http://…\"}} or \
                     {{\"command\": [\"program\", \"arg\", …]}}"
                ),
            )
        }
    };
    let f = match Function::parse(&value) {
        Ok(f) => f,
        Err(e) => return error(400, "bad_request", &e),
    };
    if !app.functions.admits(&f) {
        return error(403, "command_functions_disabled", COMMANDS_DISABLED);
    }
    match app.functions.put(id, f.clone()) {
        Ok(()) => ok(&entry(id, &f)),
        Err(e) => internal(&e),
    }
}

fn list(app: &App) -> Response {
    let functions: Vec<Value> = app
        .functions
        .list()
        .iter()
        .map(|(id, f)| entry(id, f))
        .collect();
    ok(&json!({
        "functions": functions,
        "default_timeout_seconds": app.functions.default_timeout().as_secs(),
        "endpoint": app.functions.endpoint(),
    }))
}

fn status(app: &App) -> Response {
    let next = match app.service.next_due() {
        Ok(t) => t,
        Err(e) => return internal(&e),
    };
    ok(&json!({
        "now": app.service.now().to_rfc3339(),
        "next_due": next.map(|t| t.to_rfc3339()),
        "recent": app.scheduler.outcomes().iter().map(Outcome::to_json).collect::<Vec<_>>(),
        "function_calls": app.functions.calls().iter().map(|c| c.to_json()).collect::<Vec<_>>(),
    }))
}

fn tick(app: &App) -> Response {
    match app.scheduler.run_due(app) {
        Ok(ran) => ok(&json!({
            "now": app.service.now().to_rfc3339(),
            "ran": ran.iter().map(Outcome::to_json).collect::<Vec<_>>(),
        })),
        Err(e) => internal(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{app, call};
    use localsecrets_core::{Cloud, NewSecret, NewVersion, Scope, SecretValue};
    use serde_json::json;

    #[test]
    fn command_functions_need_the_flag() {
        let mut app = app();
        let path = "/_localsecrets/rotation-functions/f";
        let (s, v) = call(&app, "PUT", path, r#"{"command": ["sh", "-c", "id"]}"#);
        assert_eq!(
            (s, v["error"].as_str()),
            (403, Some("command_functions_disabled"))
        );
        assert!(v["message"]
            .as_str()
            .unwrap()
            .contains("--allow-command-functions"));
        assert_eq!(call(&app, "GET", path, "").0, 404);
        let (s, _) = call(&app, "PUT", path, r#"{"url": "http://127.0.0.1:9/"}"#);
        assert_eq!(s, 200);
        with_commands(&mut app);
        let (s, v) = call(&app, "PUT", path, r#"{"command": ["sh", "-c", "id"]}"#);
        assert_eq!((s, &v["command"]), (200, &json!(["sh", "-c", "id"])));
    }

    fn with_commands(app: &mut crate::App) {
        app.functions = std::sync::Arc::new(
            crate::rotation_functions::Registry::load(
                app.service.clone(),
                std::time::Duration::from_secs(30),
            )
            .unwrap()
            .allow_commands(true),
        );
    }

    #[test]
    fn functions_are_registered_listed_and_removed() {
        let mut app = app();
        with_commands(&mut app);
        let (s, v) = call(&app, "GET", "/_localsecrets/rotation-functions", "");
        assert_eq!(s, 200);
        assert_eq!(v["functions"], json!([]));
        assert_eq!(v["default_timeout_seconds"], 30);
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:rotator";
        let (s, v) = call(
            &app,
            "PUT",
            &format!("/_localsecrets/rotation-functions/{arn}"),
            r#"{"command": ["python3", "rotate.py"], "timeout_seconds": 5}"#,
        );
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["id"], arn);
        // A secret name with a slash, percent-encoded or not, is one id.
        let (s, _) = call(
            &app,
            "PUT",
            "/_localsecrets/rotation-functions/app%2Fdb",
            r#"{"url": "http://127.0.0.1:9/rotate"}"#,
        );
        assert_eq!(s, 200);
        let (s, v) = call(&app, "GET", "/_localsecrets/rotation-functions/app/db", "");
        assert_eq!((s, &v["url"]), (200, &json!("http://127.0.0.1:9/rotate")));
        let (_, v) = call(&app, "GET", "/_localsecrets/rotation-functions", "");
        let ids: Vec<&str> = v["functions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["app/db", arn]);
        let (s, _) = call(
            &app,
            "DELETE",
            "/_localsecrets/rotation-functions/app/db",
            "",
        );
        assert_eq!(s, 200);
        let (s, v) = call(
            &app,
            "DELETE",
            "/_localsecrets/rotation-functions/app/db",
            "",
        );
        assert_eq!((s, v["error"].as_str()), (404, Some("not_found")));
        let (s, _) = call(&app, "GET", "/_localsecrets/rotation-functions/app/db", "");
        assert_eq!(s, 404);
    }

    #[test]
    fn bad_registrations_are_refused_without_a_change() {
        let app = app();
        for (body, needle) in [
            ("", "not valid JSON"),
            ("{", "not valid JSON"),
            ("[]", "expected"),
            (r#"{"url": "https://x"}"#, "http://"),
            (r#"{"command": []}"#, "non-empty"),
            (r#"{"command": ["x"], "env": {}}"#, "unknown field"),
        ] {
            let (s, v) = call(&app, "PUT", "/_localsecrets/rotation-functions/f", body);
            assert_eq!(s, 400, "{body}");
            assert!(
                v["message"].as_str().unwrap().contains(needle),
                "{body}: {v}"
            );
        }
        let (_, v) = call(&app, "GET", "/_localsecrets/rotation-functions", "");
        assert_eq!(v["functions"], json!([]));
        let (s, _) = call(&app, "POST", "/_localsecrets/rotation-functions/f", "{}");
        assert_eq!(s, 405);
        let (s, _) = call(&app, "GET", "/_localsecrets/rotation/tick", "");
        assert_eq!(s, 405);
    }

    #[test]
    fn tick_and_clock_moves_purge_what_fell_due() {
        let app = app();
        let scope = Scope::new(Cloud::Aws, "000000000000", "us-east-1");
        for name in ["a", "b"] {
            app.service
                .create_secret(
                    &scope,
                    NewSecret {
                        name: name.into(),
                        version: NewVersion {
                            value: Some(SecretValue::Text("v".into())),
                            ..Default::default()
                        },
                        ..Default::default()
                    },
                )
                .unwrap();
        }
        let r = localsecrets_core::SecretRef::Name;
        app.service
            .schedule_deletion(&scope, r("a"), Some(7))
            .unwrap();
        app.service
            .schedule_deletion(&scope, r("b"), Some(9))
            .unwrap();
        let (s, v) = call(&app, "POST", "/_localsecrets/rotation/tick", "");
        assert_eq!((s, v["ran"].clone()), (200, json!([])));
        let (_, v) = call(&app, "GET", "/_localsecrets/rotation", "");
        assert!(v["next_due"].as_str().is_some());
        let (s, v) = call(
            &app,
            "POST",
            "/_localsecrets/clock",
            &json!({"advance_seconds": 7 * 86_400 + 1}).to_string(),
        );
        assert_eq!(s, 200);
        let ran = v["ran"].as_array().unwrap();
        assert_eq!(ran.len(), 1, "{v}");
        assert_eq!(
            (
                ran[0]["kind"].as_str(),
                ran[0]["secret"].as_str(),
                ran[0]["ok"].as_bool()
            ),
            (Some("purge"), Some("a"), Some(true))
        );
        assert_eq!(app.service.list(&scope).unwrap().len(), 1);
        let (_, v) = call(&app, "GET", "/_localsecrets/rotation", "");
        assert_eq!(v["recent"].as_array().unwrap().len(), 1);
    }
}
