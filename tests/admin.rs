//! The admin API over the wire: health (and its alias), reset, clock, export, unknown paths
//! and methods.

use localsecrets_tests::Server;
use serde_json::{json, Value};
use std::path::PathBuf;

fn millis(rfc3339: &Value) -> i64 {
    let s = rfc3339.as_str().expect("a time string");
    // YYYY-MM-DDThh:mm:ss.mmmZ, as the server renders it.
    assert_eq!(s.len(), 24, "{s}");
    assert!(s.ends_with('Z'), "{s}");
    let num = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (num(0, 4), num(5, 7), num(8, 10));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + num(11, 13)) * 60 + num(14, 16)) * 60_000 + num(17, 19) * 1000 + num(20, 23)
}

fn wall_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn health_reports_version_frontends_persistence_and_clock() {
    let s = Server::start();
    let before = wall_millis();
    let r = s.get("/_localsecrets/health");
    let after = wall_millis();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let b = r.json();
    assert_eq!(b["status"], "ok");
    assert_eq!(b["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(b["frontends"], json!(["aws", "alibaba", "huawei"]));
    assert_eq!(b["persistence"], "memory");
    assert_eq!(b["clock"]["offset_seconds"], 0);
    let now = millis(&b["clock"]["now"]);
    assert!(
        (before..=after).contains(&now),
        "{now} not in {before}..={after}"
    );
    let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5, "unexpected fields: {keys:?}");
}

#[test]
fn health_answers_head_without_a_body() {
    let s = Server::start();
    let r = s.call("HEAD", "/_localsecrets/health", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.body.is_empty());
    assert!(r.header("x-request-id").is_some());
    let r = s.call("HEAD", "/_localstack/health", &[], b"");
    assert_eq!(r.status, 200);
}

#[test]
fn localstack_health_alias_gives_the_same_answer() {
    let s = Server::start();
    let mut ours = s.get("/_localsecrets/health").json();
    let r = s.get("/_localstack/health");
    assert_eq!(r.status, 200);
    let mut alias = r.json();
    // Only the clock's reading may differ between two calls.
    ours["clock"]["now"] = Value::Null;
    alias["clock"]["now"] = Value::Null;
    assert_eq!(ours, alias);
}

#[test]
fn reset_all_one_cloud_and_one_tenant() {
    let s = Server::start();
    let r = s.post("/_localsecrets/reset", "");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"status": "ok", "reset": {"cloud": null, "tenant": null}})
    );
    for cloud in ["aws", "alibaba", "huawei", "AWS"] {
        let r = s.post(&format!("/_localsecrets/reset?cloud={cloud}"), "");
        assert_eq!(r.status, 200, "{cloud}");
        assert_eq!(r.json()["reset"]["cloud"], cloud.to_ascii_lowercase());
    }
    let r = s.post("/_localsecrets/reset?cloud=huawei&tenant=proj1", "");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["reset"],
        json!({"cloud": "huawei", "tenant": "proj1"})
    );
}

#[test]
fn reset_refuses_an_unknown_cloud_or_parameter() {
    let s = Server::start();
    let r = s.post("/_localsecrets/reset?cloud=gcp", "");
    assert_eq!(r.status, 400);
    let b = r.json();
    assert_eq!(b["error"], "bad_request");
    let message = b["message"].as_str().unwrap();
    assert!(
        message.contains("gcp") && message.contains("aws, alibaba or huawei"),
        "{message}"
    );

    let r = s.post("/_localsecrets/reset?everything=yes", "");
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("everything"));
}

#[test]
fn moto_reset_alias_resets() {
    let s = Server::start();
    let r = s.post("/moto-api/reset", "");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ok");
    assert_eq!(r.json()["reset"]["cloud"], Value::Null);
    assert_eq!(s.get("/moto-api/reset").status, 405);
}

#[test]
fn reset_leaves_the_clock_alone() {
    let s = Server::start();
    s.post_json("/_localsecrets/clock", &json!({"advance_seconds": 120}));
    assert_eq!(s.post("/_localsecrets/reset", "").status, 200);
    assert_eq!(s.get("/_localsecrets/clock").json()["offset_seconds"], 120);
}

#[test]
fn clock_reads_advances_and_sets() {
    let s = Server::start();
    let r = s.get("/_localsecrets/clock");
    assert_eq!(r.status, 200);
    let start = r.json();
    assert_eq!(start["offset_seconds"], 0);
    let t0 = millis(&start["now"]);

    let r = s.post_json("/_localsecrets/clock", &json!({"advance_seconds": 86_400}));
    assert_eq!(r.status, 200);
    let b = r.json();
    assert_eq!(b["offset_seconds"], 86_400);
    assert!(millis(&b["now"]) >= t0 + 86_400_000);

    let r = s.post_json(
        "/_localsecrets/clock",
        &json!({"set": "2999-06-01T12:00:00Z"}),
    );
    assert_eq!(r.status, 200);
    let b = r.json();
    let now = b["now"].as_str().unwrap();
    assert!(now.starts_with("2999-06-01T12:00:0"), "{now}");
    let offset = b["offset_seconds"].as_i64().unwrap();
    assert!(offset > 86_400, "{offset}");

    // Health and GET report the same clock.
    let h = s.get("/_localsecrets/health").json();
    assert_eq!(h["clock"]["offset_seconds"], offset);
    assert!(h["clock"]["now"]
        .as_str()
        .unwrap()
        .starts_with("2999-06-01T12:"));
    assert_eq!(
        s.get("/_localsecrets/clock").json()["offset_seconds"],
        offset
    );
}

#[test]
fn clock_refuses_backwards_and_malformed_changes() {
    let s = Server::start();
    s.post_json("/_localsecrets/clock", &json!({"advance_seconds": 60}));
    let cases = [
        (json!({"advance_seconds": -5}).to_string(), "forward"),
        (
            json!({"set": "2001-01-01T00:00:00Z"}).to_string(),
            "forward",
        ),
        (json!({"set": "next tuesday"}).to_string(), "RFC 3339"),
        (json!({"advance_seconds": 2.5}).to_string(), "whole number"),
        (
            json!({"advance_seconds": 1, "set": "2999-01-01T00:00:00Z"}).to_string(),
            "not both",
        ),
        (json!({"rewind": 1}).to_string(), "rewind"),
        ("{".to_owned(), "JSON"),
        (String::new(), "empty"),
    ];
    for (body, needle) in cases {
        let r = s.post("/_localsecrets/clock", &body);
        assert_eq!(r.status, 400, "{body}");
        let b = r.json();
        assert_eq!(b["error"], "bad_request", "{body}");
        let message = b["message"].as_str().unwrap();
        assert!(message.contains(needle), "{body}: {message}");
    }
    assert_eq!(s.get("/_localsecrets/clock").json()["offset_seconds"], 60);
}

#[test]
fn unknown_admin_path_is_404_json_and_wrong_method_is_405() {
    let s = Server::start();
    let r = s.get("/_localsecrets/fixtures-that-do-not-exist");
    assert_eq!(r.status, 404);
    let b = r.json();
    assert_eq!(b["error"], "not_found");
    assert!(b["message"]
        .as_str()
        .unwrap()
        .contains("/_localsecrets/health"));

    for (method, path, allow) in [
        ("POST", "/_localsecrets/health", "GET, HEAD"),
        ("GET", "/_localsecrets/reset", "POST"),
        ("DELETE", "/_localsecrets/clock", "GET, POST"),
        ("PUT", "/_localstack/health", "GET, HEAD"),
    ] {
        let r = s.call(method, path, &[("content-type", "application/json")], b"");
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(r.json()["error"], "method_not_allowed");
    }
}

fn aws(s: &Server, op: &str, body: Value) -> localsecrets_tests::http::HttpResponse {
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

#[test]
fn reset_deletes_secrets_of_the_named_cloud_only() {
    let s = Server::start();
    let r = aws(
        &s,
        "CreateSecret",
        json!({"Name": "kept", "SecretString": "v1", "ClientRequestToken": "00000000-0000-4000-8000-000000000001"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let describe = || aws(&s, "DescribeSecret", json!({"SecretId": "kept"}));
    assert_eq!(describe().status, 200);

    for other in ["alibaba", "huawei"] {
        let r = s.post(&format!("/_localsecrets/reset?cloud={other}"), "");
        assert_eq!(r.status, 200);
        assert_eq!(describe().status, 200, "reset of {other} touched AWS");
    }
    assert_eq!(s.post("/_localsecrets/reset?cloud=aws", "").status, 200);
    let gone = describe();
    assert_eq!(gone.status, 400, "{}", gone.text());
    assert_eq!(gone.json()["__type"], "ResourceNotFoundException");

    let r = aws(
        &s,
        "CreateSecret",
        json!({"Name": "again", "SecretString": "v1", "ClientRequestToken": "00000000-0000-4000-8000-000000000002"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.post("/moto-api/reset", "").status, 200);
    let r = aws(&s, "ListSecrets", json!({}));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["SecretList"], json!([]));
}

/// An export larger than one chunk is sent while it is read (chunked, no length), and is the
/// whole state: every secret with its value, in name order, records after them.
#[test]
fn a_large_export_streams_the_whole_state() {
    let s = Server::start();
    let value = "v".repeat(1000);
    let secrets: Vec<Value> = (0..300)
        .map(|i| json!({"cloud": "aws", "name": format!("big/{i:04}"), "versions": [{"value": value}]}))
        .collect();
    let r = s.post_json("/_localsecrets/fixtures", &json!({ "secrets": secrets }));
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.get("/_localsecrets/export?cloud=aws");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("content-length"), None);
    assert!(r.body.len() > 300 * 1000, "{} bytes", r.body.len());
    let doc = r.json();
    let names: Vec<&str> = doc["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let want: Vec<String> = (0..300).map(|i| format!("big/{i:04}")).collect();
    assert_eq!(names, want);
    assert!(doc["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["versions"][0]["value"] == json!(value)));
}

/// One state exports to the same bytes (golden files can be diffed), in a running server and
/// after a restart on the same data; when the export was taken goes in a header instead.
#[test]
fn two_exports_of_one_state_are_the_same_bytes_and_the_time_is_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("state.db");
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let start = || {
        Server::builder()
            .arg("--data")
            .arg(data.to_str().unwrap())
            .arg("--fixtures")
            .arg(fixtures.to_str().unwrap())
            .start()
    };
    let s = start();
    // Made in reverse name order, tags unsorted, a value changed and a label moved.
    for (i, name) in ["rt/z", "rt/m", "rt/a"].into_iter().enumerate() {
        let r = aws(
            &s,
            "CreateSecret",
            json!({"Name": name, "SecretString": "one", "ClientRequestToken": format!("{i:0>32}"),
                   "Tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]}),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = aws(
        &s,
        "PutSecretValue",
        json!({"SecretId": "rt/m", "SecretString": "two", "VersionStages": ["blue"],
               "ClientRequestToken": "9".repeat(32)}),
    );
    assert_eq!(r.status, 200, "{}", r.text());

    let export = |s: &Server| {
        let before = wall_millis();
        let r = s.get("/_localsecrets/export");
        let after = wall_millis();
        assert_eq!(r.status, 200, "{}", r.text());
        let at = r
            .header("x-localsecrets-exported-at")
            .expect("the export time header");
        let at = millis(&json!(at));
        assert!(
            (before..=after).contains(&at),
            "{at} not in {before}..={after}"
        );
        r.body
    };
    let first = export(&s);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = export(&s);
    assert!(first == second, "two exports of one state differ");
    let doc: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(doc["description"], "localsecrets export of all clouds");
    assert!(doc["secrets"].as_array().unwrap().len() > 10);
    assert!(s.terminate().success());

    let s = start();
    assert!(
        export(&s) == first,
        "the export after a restart on the same data differs"
    );
}
