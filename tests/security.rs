//! What a stranger on the network or a web page in the developer's browser can do to a
//! running server: register no commands, pass no admin call without the token when one is
//! set, reach the admin API from no other origin or with a form's content type, and reach
//! nothing through a Host a rebinding page would send.

use localsecrets_tests::http::{send_raw, HttpResponse};
use localsecrets_tests::Server;
use serde_json::{json, Value};
use std::path::Path;

/// One request with exactly these headers (`host` included), so tests choose the Host.
fn raw(s: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    let mut head = format!("{method} {path} HTTP/1.1\r\nconnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    send_raw(s.addr, head.as_bytes(), method == "HEAD").expect("request")
}

fn host(s: &Server) -> String {
    s.addr.to_string()
}

fn aws(s: &Server, op: &str, body: Value) -> HttpResponse {
    s.call(
        "POST",
        "/",
        &[
            ("x-amz-target", &format!("secretsmanager.{op}")),
            ("content-type", "application/x-amz-json-1.1"),
        ],
        body.to_string().as_bytes(),
    )
}

fn create(s: &Server, name: &str, value: &str) -> HttpResponse {
    let token = format!("{name:0>8}-0000-4000-8000-000000000000");
    aws(
        s,
        "CreateSecret",
        json!({"Name": name, "SecretString": value, "ClientRequestToken": token}),
    )
}

fn put_function(s: &Server, id: &str, body: Value) -> HttpResponse {
    s.call(
        "PUT",
        &format!("/_localsecrets/rotation-functions/{id}"),
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
}

fn touch(mark: &Path) -> Value {
    json!({"command": ["sh", "-c", format!("cat >/dev/null; touch {}", mark.display())]})
}

fn secret_count(s: &Server) -> usize {
    aws(s, "ListSecrets", json!({})).json()["SecretList"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn command_functions_are_refused_unless_the_server_allows_them() {
    let s = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let r = put_function(&s, "f", touch(&dir.path().join("m")));
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["error"], "command_functions_disabled");
    assert_eq!(s.get("/_localsecrets/rotation-functions/f").status, 404);
    let r = put_function(&s, "f", json!({"url": "http://127.0.0.1:9/rotate"}));
    assert_eq!(r.status, 200, "{}", r.text());

    for open in [
        Server::builder().arg("--allow-command-functions").start(),
        Server::builder()
            .env("LOCALSECRETS_ALLOW_COMMAND_FUNCTIONS", "true")
            .start(),
    ] {
        let r = put_function(&open, "f", touch(&dir.path().join("m")));
        assert_eq!(r.status, 200, "{}", r.text());
    }
}

#[test]
fn file_commands_run_and_stored_ones_need_the_flag_again() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("state.db");
    let (from_file, stored) = (dir.path().join("file-ran"), dir.path().join("stored-ran"));
    let functions = dir.path().join("functions.json");
    std::fs::write(
        &functions,
        json!({"from-file": touch(&from_file)}).to_string(),
    )
    .unwrap();

    let first = Server::builder()
        .arg("--data")
        .arg(data.to_str().unwrap())
        .arg("--allow-command-functions")
        .start();
    assert_eq!(put_function(&first, "stored", touch(&stored)).status, 200);
    drop(first);

    let s = Server::builder()
        .arg("--data")
        .arg(data.to_str().unwrap())
        .arg("--rotation-functions")
        .arg(functions.to_str().unwrap())
        .start();
    for (name, function) in [("a", "from-file"), ("b", "stored")] {
        let r = create(&s, name, "v1");
        assert_eq!(r.status, 200, "{}", r.text());
        aws(
            &s,
            "RotateSecret",
            json!({
                "SecretId": name,
                "RotationLambdaARN": function,
                "ClientRequestToken": format!("{name:0>8}-0000-4000-8000-000000000001"),
            }),
        );
    }
    assert!(
        from_file.exists(),
        "the --rotation-functions command did not run"
    );
    assert!(!stored.exists(), "a stored command ran without the flag");
    let calls = s.get("/_localsecrets/rotation").json()["function_calls"].clone();
    let refused = calls
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["function"] == "stored")
        .expect("the stored function's call is recorded");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("--allow-command-functions"),
        "{refused}"
    );
}

#[test]
fn the_admin_token_guards_every_admin_endpoint_but_health() {
    let s = Server::builder()
        .arg("--admin-token")
        .arg("t0p-s3cret")
        .start();
    let h = host(&s);
    let json = ("content-type", "application/json");
    let calls: [(&str, &str, &str); 8] = [
        ("POST", "/_localsecrets/reset", ""),
        ("POST", "/moto-api/reset", ""),
        ("GET", "/_localsecrets/export", ""),
        ("GET", "/_localsecrets/clock", ""),
        ("POST", "/_localsecrets/clock", r#"{"advance_seconds": 1}"#),
        ("GET", "/_localsecrets/requests", ""),
        ("GET", "/_localsecrets/rotation-functions", ""),
        ("POST", "/_localsecrets/fixtures", r#"{"secrets": []}"#),
    ];
    for (method, path, body) in calls {
        for auth in [None, Some("Bearer wrong"), Some("t0p-s3cret")] {
            let mut headers = vec![("host", h.as_str()), json];
            headers.extend(auth.map(|a| ("authorization", a)));
            let r = raw(&s, method, path, &headers, body);
            assert_eq!(r.status, 401, "{method} {path} with {auth:?}: {}", r.text());
            assert_eq!(r.json()["error"], "unauthorized");
            assert!(r.header("www-authenticate").is_some());
        }
        let r = raw(
            &s,
            method,
            path,
            &[("host", &h), json, ("authorization", "Bearer t0p-s3cret")],
            body,
        );
        assert_eq!(r.status, 200, "{method} {path}: {}", r.text());
    }
    for path in ["/_localsecrets/health", "/_localstack/health"] {
        assert_eq!(s.get(path).status, 200, "{path}");
    }
    // Cloud APIs need no admin token.
    let r = create(&s, "x", "v");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!s.logs().contains("t0p-s3cret"), "the token was logged");

    let by_env = Server::builder()
        .env("LOCALSECRETS_ADMIN_TOKEN", "from-env")
        .start();
    assert_eq!(by_env.get("/_localsecrets/export").status, 401);
}

#[test]
fn other_origins_and_form_content_types_reach_no_admin_call() {
    let s = Server::start();
    let h = host(&s);
    assert_eq!(create(&s, "kept", "v").status, 200);
    let evil = [
        "https://attacker.example",
        "null",
        &format!("http://localhost:{}", s.addr.port()),
    ];
    for origin in evil {
        for (method, path, ct) in [
            ("POST", "/_localsecrets/reset", "application/json"),
            ("GET", "/_localsecrets/export", "application/json"),
        ] {
            let r = raw(
                &s,
                method,
                path,
                &[("host", &h), ("origin", origin), ("content-type", ct)],
                "",
            );
            assert_eq!(r.status, 403, "{origin} {method} {path}: {}", r.text());
            assert_eq!(r.json()["error"], "cross_origin_refused");
        }
    }
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=b"),
    ] {
        let mut headers = vec![("host", h.as_str())];
        headers.extend(ct.map(|c| ("content-type", c)));
        for path in ["/_localsecrets/reset", "/moto-api/reset"] {
            let r = raw(&s, "POST", path, &headers, "");
            assert_eq!(r.status, 415, "{ct:?} {path}: {}", r.text());
            assert_eq!(r.json()["error"], "unsupported_media_type");
        }
    }
    assert_eq!(secret_count(&s), 1, "a refused reset changed the state");

    // The server's own origin, and JSON, pass.
    let own = format!("http://{h}");
    let r = raw(
        &s,
        "POST",
        "/_localsecrets/reset",
        &[
            ("host", &h),
            ("origin", &own),
            ("content-type", "application/json; charset=utf-8"),
        ],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(secret_count(&s), 0);
}

#[test]
fn a_rebinding_host_reaches_neither_admin_nor_cloud_apis() {
    let s = Server::start();
    assert_eq!(create(&s, "db", "pw").status, 200);
    let port = s.addr.port();
    let evil = format!("rebind.attacker.example:{port}");

    let r = raw(&s, "GET", "/_localsecrets/export", &[("host", &evil)], "");
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["error"], "host_not_allowed");
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("--allowed-host rebind.attacker.example"));
    assert!(!r.text().contains("pw"));

    let get = json!({"SecretId": "db"}).to_string();
    let r = raw(
        &s,
        "POST",
        "/",
        &[
            ("host", &evil),
            ("x-amz-target", "secretsmanager.GetSecretValue"),
            ("content-type", "application/x-amz-json-1.1"),
        ],
        &get,
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["__type"], "AccessDeniedException");
    assert!(!r.text().contains("pw"));

    let r = raw(
        &s,
        "GET",
        "/?Action=GetSecretValue&SecretName=db",
        &[("host", &evil)],
        "",
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["Code"], "Forbidden.NoPermission");

    let r = raw(&s, "GET", "/v1/p1/secrets", &[("host", &evil)], "");
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["error_code"], "APIGW.0302");

    for fine in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "kms.cn-shanghai.aliyuncs.com".to_owned(),
    ] {
        let r = raw(&s, "GET", "/_localsecrets/clock", &[("host", &fine)], "");
        assert_eq!(r.status, 200, "{fine}: {}", r.text());
    }

    let allowed = Server::builder()
        .arg("--allowed-host")
        .arg("rebind.attacker.example")
        .start();
    let r = raw(
        &allowed,
        "GET",
        "/_localsecrets/clock",
        &[("host", &evil)],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
}
