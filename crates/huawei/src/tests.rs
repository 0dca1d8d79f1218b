//! The frontend end to end on an in-memory store: the SDK's captured requests replayed, golden
//! bodies, and the behaviours the CSMS operations promise.

use super::*;
use serde_json::{json, Value};
use std::path::PathBuf;

const P: &str = "0123456789abcdef0123456789abcdef";
const OTHER: &str = "fedcba9876543210fedcba9876543210";

fn frontend() -> HuaweiFrontend {
    HuaweiFrontend::new(Arc::new(Service::in_memory(7)), HuaweiConfig::default())
}

struct Reply {
    status: u16,
    body: Option<Value>,
    raw: Response,
}

impl Reply {
    fn code(&self) -> &str {
        self.body
            .as_ref()
            .and_then(|b| b["error_code"].as_str())
            .unwrap_or("")
    }

    fn json(&self) -> &Value {
        self.body.as_ref().expect("a JSON body")
    }
}

fn send(fe: &HuaweiFrontend, method: &str, target: &str, body: Option<Value>) -> Reply {
    let mut req = Request::new(method, target)
        .with_header("Host", "127.0.0.1:4566")
        .with_header("Content-Type", "application/json;charset=UTF-8");
    if let Some(b) = body {
        req = req.with_body(b.to_string());
    }
    req.request_id = "req-test".into();
    let raw = fe.handle(&req);
    assert_eq!(
        raw.header_value("X-Request-Id"),
        Some("req-test"),
        "{method} {target}"
    );
    Reply {
        status: raw.status,
        body: raw.json_body(),
        raw,
    }
}

fn at(project: &str, path: &str) -> String {
    format!("/v1/{project}{path}")
}

fn p(path: &str) -> String {
    at(P, path)
}

fn ok(r: Reply) -> Value {
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body.unwrap()
}

fn create(fe: &HuaweiFrontend, body: Value) -> Value {
    ok(send(fe, "POST", &p("/secrets"), Some(body)))["secret"].clone()
}

// ---------------------------------------------------------------------------------------
// Captured SDK requests

fn captures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/captures")
}

fn capture(name: &str) -> Value {
    let path = captures_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("capture {} is required: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The requests of one phase (`success` / `error`) of a capture, as the server would see them.
fn captured_requests(c: &Value, phase: &str) -> Vec<Request> {
    c[phase]["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let mut req =
                Request::new(r["method"].as_str().unwrap(), r["target"].as_str().unwrap());
            for h in r["headers"].as_array().unwrap() {
                req = req.with_header(h[0].as_str().unwrap(), h[1].as_str().unwrap());
            }
            req.body = r["body"].as_str().unwrap_or("").as_bytes().to_vec().into();
            req.request_id = "hw-req-0001".into();
            req
        })
        .collect()
}

const CAPTURES: [&str; 10] = [
    "huawei-csms-sdk__create_secret.json",
    "huawei-csms-sdk__create_secret_error_apigw.json",
    "huawei-csms-sdk__delete_secret.json",
    "huawei-csms-sdk__list_secrets.json",
    "huawei-csms-sdk__list_secrets_no_project_id.json",
    "huawei-csms-sdk__rotate_secret.json",
    "huawei-csms-sdk__rotate_secret_error_500.json",
    "huawei-csms-sdk__rotate_secret_old_wrapped_shape.json",
    "huawei-csms-sdk__show_secret_version.json",
    "huawei-csms-sdk__show_secret_version_escaped_name.json",
];

#[test]
fn every_captured_request_routes_and_parses() {
    let mut seen = 0;
    for name in CAPTURES {
        let c = capture(name);
        for phase in ["success", "error"] {
            for req in captured_requests(&c, phase) {
                seen += 1;
                let signed = identity::parse(&req).unwrap().unwrap();
                assert_eq!(signed.access_key, "HWPROBEAK0000000000", "{name}");
                let routed = router::route(&req.method, &req.raw_path);
                if name.contains("no_project_id") {
                    let e = routed.unwrap_err();
                    assert_eq!(e.kind, error::ErrorKind::MissingProjectId);
                    continue;
                }
                let routed = routed.unwrap();
                assert_eq!(routed.target, router::Target::Project(P.into()), "{name}");
                let want = match name.split("__").nth(1).unwrap() {
                    n if n.starts_with("create_secret") => "CreateSecret",
                    n if n.starts_with("delete_secret") => "DeleteSecret",
                    n if n.starts_with("list_secrets") => "ListSecrets",
                    n if n.starts_with("rotate_secret") => "RotateSecret",
                    n if n.starts_with("show_secret_version") => "ShowSecretVersion",
                    n => panic!("unexpected capture {n}"),
                };
                assert_eq!(routed.op.name(), want, "{name}");
            }
        }
    }
    assert_eq!(seen, 14);
    // The schemeless capture documents a request that never arrived.
    let c = capture("huawei-csms-sdk__list_secrets_schemeless_endpoint.json");
    assert_eq!(c["requests_seen_by_plain_http_stub"], 0);
}

#[test]
fn the_escaped_capture_decodes_each_segment() {
    let c = capture("huawei-csms-sdk__show_secret_version_escaped_name.json");
    let req = &captured_requests(&c, "success")[0];
    assert_eq!(
        req.raw_path,
        format!("/v1/{P}/secrets/a%20b%2Fc/versions/v%201")
    );
    assert_eq!(
        router::route(&req.method, &req.raw_path).unwrap().op,
        router::Op::ShowSecretVersion {
            name: "a b/c".into(),
            version: "v 1".into()
        }
    );
    // "a b/c" is no valid secret name: a clear 400.
    let r = frontend().handle(req);
    assert_eq!(r.status, 400);
    let body = r.json_body().unwrap();
    assert_eq!(body["error_code"], "CSMS.0002");
    assert!(body["error_msg"].as_str().unwrap().contains("a b/c"));
}

#[test]
fn captured_requests_replayed_in_order() {
    let fe = frontend();
    let one = |name: &str, phase: &str| captured_requests(&capture(name), phase).remove(0);

    let create = one("huawei-csms-sdk__create_secret.json", "success");
    let r = fe.handle(&create);
    assert_eq!(r.status, 200);
    assert_eq!(r.header_value("X-Request-Id"), Some("hw-req-0001"));
    let secret = &r.json_body().unwrap()["secret"];
    assert_eq!(secret["name"], "probe-secret");
    assert_eq!(secret["description"], "probe");
    assert_eq!(secret["secret_type"], "COMMON");
    assert_eq!(secret["state"], "ENABLED");
    assert_eq!(secret["enterprise_project_id"], "0");
    // The same request again: the name is taken.
    let again = fe.handle(&create);
    assert_eq!(again.status, 400);
    assert_eq!(again.json_body().unwrap()["error_code"], "CSMS.0201");

    // list_secrets?event_name=ev1&limit=10&marker=probe-a: no secret subscribes to ev1.
    let list = fe.handle(&one("huawei-csms-sdk__list_secrets.json", "success"));
    assert_eq!(list.status, 200);
    let body = list.json_body().unwrap();
    assert_eq!(body["secrets"], json!([]));
    assert_eq!(body["page_info"]["previous_marker"], "probe-a");

    let show = fe.handle(&one("huawei-csms-sdk__show_secret_version.json", "success"));
    assert_eq!(show.status, 200);
    let v = &show.json_body().unwrap()["version"];
    assert_eq!(
        v["secret_string"],
        r#"{"user":"root","passwd":"p@ss w/ord"}"#
    );
    assert_eq!(v["version_metadata"]["id"], "v1");
    assert_eq!(
        v["version_metadata"]["version_stages"],
        json!(["SYSCURRENT"])
    );

    // A COMMON secret without a rotation function does not rotate.
    let rotate = fe.handle(&one("huawei-csms-sdk__rotate_secret.json", "success"));
    assert_eq!(rotate.status, 400);
    let e = rotate.json_body().unwrap();
    assert_eq!(e["error_code"], "CSMS.0003");
    assert!(e["error_msg"]
        .as_str()
        .unwrap()
        .contains("rotation_func_urn"));

    let delete = fe.handle(&one("huawei-csms-sdk__delete_secret.json", "success"));
    assert_eq!((delete.status, delete.body.len()), (204, 0));
    assert_eq!(delete.header_value("X-Request-Id"), Some("hw-req-0001"));

    let gone = fe.handle(&one("huawei-csms-sdk__rotate_secret.json", "error"));
    assert_eq!(gone.status, 400);
    assert_eq!(gone.json_body().unwrap()["error_code"], "CSMS.0106");

    let missing = fe.handle(&one(
        "huawei-csms-sdk__list_secrets_no_project_id.json",
        "success",
    ));
    assert_eq!(missing.status, 400);
    let e = missing.json_body().unwrap();
    assert_eq!(e["error_code"], "CSMS.0003");
    assert!(e["error_msg"].as_str().unwrap().contains("project id"));
}

// ---------------------------------------------------------------------------------------
// Golden bodies

#[test]
fn golden_secret_body() {
    use localsecrets_core::{Deletion, Rotation, Schedule, Timestamp};
    let mut extra = serde_json::Map::new();
    meta::HuaweiMeta {
        rotation_period: Some("30d".into()),
        rotation_config: Some(r#"{"InstanceId":"i-1","SecretSubType":"SingleUser"}"#.into()),
        event_subscriptions: vec!["ev1".into()],
        enterprise_project_id: "0".into(),
    }
    .store_in(&mut extra);
    let s = localsecrets_core::Secret {
        name: "db".into(),
        id: "7d3f1c2e-1111-4222-8333-944455556666".into(),
        arn_suffix: "abcdef".into(),
        secret_type: "RDS-FG".into(),
        description: Some("probe".into()),
        kms_key_id: Some("b1689e4c-7a1f-4b2e-9c3d-5e6f7a8b9c0d".into()),
        tags: None,
        policy: None,
        rotation: Rotation {
            enabled: true,
            function: None,
            schedule: Some(Schedule::Every {
                seconds: 30 * 86_400,
            }),
            last_rotated: Some(Timestamp::from_millis(1_704_164_645_000)),
            next_rotation: Some(Timestamp::from_millis(1_706_756_645_000)),
            ..Default::default()
        },
        deletion: Some(Deletion {
            deleted_at: Timestamp::from_millis(1_704_164_646_000),
            purge_at: Timestamp::from_millis(1_704_769_446_000),
        }),
        created: Timestamp::from_millis(1_704_164_645_000),
        updated: Timestamp::from_millis(1_704_164_646_000),
        last_accessed: None,
        version_seq: 0,
        extra,
        versions: Vec::new(),
        loaded: None,
    };
    assert_eq!(
        render::secret(&s).to_string(),
        concat!(
            r#"{"auto_rotation":true,"create_time":1704164645000,"description":"probe","#,
            r#""enterprise_project_id":"0","event_subscriptions":["ev1"],"#,
            r#""id":"7d3f1c2e-1111-4222-8333-944455556666","#,
            r#""kms_key_id":"b1689e4c-7a1f-4b2e-9c3d-5e6f7a8b9c0d","name":"db","#,
            r#""next_rotation_time":1706756645000,"#,
            r#""rotation_config":"{\"InstanceId\":\"i-1\",\"SecretSubType\":\"SingleUser\"}","#,
            r#""rotation_func_urn":null,"rotation_period":"30d","rotation_time":1704164645000,"#,
            r#""scheduled_delete_time":1704769446000,"secret_type":"RDS-FG","#,
            r#""state":"PENDING_DELETE","update_time":1704164646000}"#
        )
    );
}

#[test]
fn golden_rotate_and_version_bodies() {
    let fe = frontend();
    create(
        &fe,
        json!({"name": "db", "secret_type": "RDS-FG", "secret_string": r#"{"username":"u","password":"p"}"#,
               "rotation_config": r#"{"InstanceId":"i-1","SecretSubType":"SingleUser"}"#}),
    );
    let r = ok(send(&fe, "POST", &p("/secrets/db/rotate"), None));
    let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["rotation_task_id", "secret_name", "version_id"]);
    assert_eq!(r["version_id"], "v2");
    assert_eq!(r["secret_name"], "db");
    let v = ok(send(&fe, "GET", &p("/secrets/db/versions/v2"), None));
    let meta = v["version"]["version_metadata"].as_object().unwrap();
    let keys: Vec<&String> = meta.keys().collect();
    assert_eq!(
        keys,
        [
            "create_time",
            "expire_time",
            "id",
            "kms_key_id",
            "secret_name",
            "version_stages"
        ]
    );
    assert!(
        meta["create_time"].as_i64().unwrap() > 1_600_000_000_000,
        "milliseconds"
    );
    assert_eq!(meta["expire_time"], Value::Null);
    assert_eq!(
        v["version"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["secret_string", "version_metadata"]
    );
    assert_eq!(
        r.get("rotate"),
        None,
        "the old wrapped shape parses to nothing in the SDK"
    );
    assert_eq!(
        send(&fe, "POST", &p("/secrets/db/rotate"), None)
            .raw
            .header_value("Content-Type"),
        Some(render::CONTENT_TYPE)
    );
}

// ---------------------------------------------------------------------------------------
// Behaviour

#[test]
fn versions_and_stage_moves() {
    let fe = frontend();
    let s = create(&fe, json!({"name": "app", "secret_string": "one"}));
    assert_eq!(s["kms_key_id"], meta::default_kms_key(P));
    let add = |body: Value| {
        ok(send(&fe, "POST", &p("/secrets/app/versions"), Some(body)))["version_metadata"].clone()
    };
    let v2 = add(json!({"secret_string": "two"}));
    assert_eq!(v2["id"], "v2");
    assert_eq!(v2["version_stages"], json!(["SYSCURRENT"]));
    // Explicit stages move only themselves.
    let v3 = add(
        json!({"secret_binary": "AAEC/w==", "version_stages": ["blue", "green"], "expire_time": 1_900_000_000_000i64}),
    );
    assert_eq!(v3["version_stages"], json!(["blue", "green"]));
    assert_eq!(v3["expire_time"], 1_900_000_000_000i64);
    let stage = |name: &str| {
        ok(send(
            &fe,
            "GET",
            &p(&format!("/secrets/app/stages/{name}")),
            None,
        ))["stage"]
            .clone()
    };
    assert_eq!(stage("SYSCURRENT")["version_id"], "v2");
    assert_eq!(stage("SYSPREVIOUS")["version_id"], "v1");
    assert_eq!(stage("blue")["version_id"], "v3");
    let latest = ok(send(&fe, "GET", &p("/secrets/app/versions/latest"), None));
    assert_eq!(latest["version"]["secret_binary"], "AAEC/w==");
    assert_eq!(latest["version"].get("secret_string"), None);
    // Moving SYSCURRENT hands SYSPREVIOUS to the old holder.
    let moved = ok(send(
        &fe,
        "PUT",
        &p("/secrets/app/stages/SYSCURRENT"),
        Some(json!({"version_id": "v3"})),
    ));
    assert_eq!(moved["stage"]["version_id"], "v3");
    assert_eq!(stage("SYSPREVIOUS")["version_id"], "v2");
    let list = ok(send(&fe, "GET", &p("/secrets/app/versions"), None));
    let stages: Vec<(String, Value)> = list["version_metadatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_owned(),
                v["version_stages"].clone(),
            )
        })
        .collect();
    assert_eq!(
        stages,
        vec![
            ("v1".into(), json!([])),
            ("v2".into(), json!(["SYSPREVIOUS"])),
            ("v3".into(), json!(["blue", "green", "SYSCURRENT"])),
        ]
    );
    // System stages cannot be deleted; user stages can; unknown ones are not found.
    let r = send(&fe, "DELETE", &p("/secrets/app/stages/SYSCURRENT"), None);
    assert_eq!((r.status, r.code()), (400, "CSMS.0105"));
    let r = send(&fe, "DELETE", &p("/secrets/app/stages/SYSPREVIOUS"), None);
    assert_eq!((r.status, r.code()), (400, "CSMS.0105"));
    assert_eq!(
        send(&fe, "DELETE", &p("/secrets/app/stages/blue"), None).status,
        204
    );
    let r = send(&fe, "GET", &p("/secrets/app/stages/blue"), None);
    assert_eq!((r.status, r.code()), (400, "CSMS.0005"));
    let r = send(
        &fe,
        "PUT",
        &p("/secrets/app/stages/x"),
        Some(json!({"version_id": "v9"})),
    );
    assert_eq!((r.status, r.code()), (400, "CSMS.0005"));
    // update_version sets expire_time.
    let u = ok(send(
        &fe,
        "PUT",
        &p("/secrets/app/versions/v1"),
        Some(json!({"expire_time": 1_800_000_000_000i64})),
    ));
    assert_eq!(u["version_metadata"]["expire_time"], 1_800_000_000_000i64);
    let r = send(&fe, "GET", &p("/secrets/app/versions/v9"), None);
    assert_eq!((r.status, r.code()), (400, "CSMS.0005"));
}

#[test]
fn twelve_stages_per_version_and_twenty_versions() {
    let fe = frontend();
    create(&fe, json!({"name": "app", "secret_string": "one"}));
    let stages: Vec<String> = (0..11).map(|i| format!("s{i}")).collect();
    for s in &stages {
        assert_eq!(
            send(
                &fe,
                "PUT",
                &p(&format!("/secrets/app/stages/{s}")),
                Some(json!({"version_id": "v1"}))
            )
            .status,
            200
        );
    }
    let r = send(
        &fe,
        "PUT",
        &p("/secrets/app/stages/one-more"),
        Some(json!({"version_id": "v1"})),
    );
    assert_eq!((r.status, r.code()), (400, "CSMS.0203"));
    let thirteen: Vec<String> = (0..13).map(|i| format!("t{i}")).collect();
    let r = send(
        &fe,
        "POST",
        &p("/secrets/app/versions"),
        Some(json!({"secret_string": "x", "version_stages": thirteen})),
    );
    assert_eq!((r.status, r.code()), (400, "CSMS.0203"));

    let fe = frontend();
    create(&fe, json!({"name": "many", "secret_string": "v"}));
    for i in 2..=25 {
        ok(send(
            &fe,
            "POST",
            &p("/secrets/many/versions"),
            Some(json!({"secret_string": format!("{i}")})),
        ));
    }
    let list = ok(send(
        &fe,
        "GET",
        &p("/secrets/many/versions?limit=100"),
        None,
    ));
    let ids: Vec<&str> = list["version_metadatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 20);
    assert_eq!((ids[0], ids[19]), ("v6", "v25"));
    // Paging by marker.
    let page = ok(send(
        &fe,
        "GET",
        &p("/secrets/many/versions?limit=8&marker=v13"),
        None,
    ));
    assert_eq!(page["page_info"]["current_count"], 8);
    assert_eq!(page["version_metadatas"][0]["id"], "v14");
    assert_eq!(page["page_info"]["next_marker"], "v21");
}

#[test]
fn rotation_per_secret_type() {
    let fe = frontend();
    let rds_value = r#"{"username":"admin","password":"old","host":"10.0.0.1","port":3306}"#;
    let cfg = |sub: &str| format!(r#"{{"InstanceId":"i-1","SecretSubType":"{sub}"}}"#);
    for (name, ty) in [
        ("rds", "RDS-FG"),
        ("gauss", "GaussDB-FG"),
        ("legacy", "RDS"),
    ] {
        let mut body = json!({"name": name, "secret_type": ty, "secret_string": rds_value});
        if ty != "RDS" {
            body["rotation_config"] = json!(cfg("SingleUser"));
        }
        create(&fe, body);
        let r = ok(send(
            &fe,
            "POST",
            &p(&format!("/secrets/{name}/rotate")),
            None,
        ));
        assert_eq!(r["version_id"], "v2", "{ty}");
        let task_id = r["rotation_task_id"].as_str().unwrap().to_owned();
        let v = ok(send(
            &fe,
            "GET",
            &p(&format!("/secrets/{name}/versions/latest")),
            None,
        ));
        let value: Value =
            serde_json::from_str(v["version"]["secret_string"].as_str().unwrap()).unwrap();
        assert_eq!(value["username"], "admin");
        assert_eq!(value["host"], "10.0.0.1");
        assert_eq!(value["port"], 3306);
        assert_ne!(value["password"], "old");
        assert_eq!(value["password"].as_str().unwrap().len(), 16);
        assert_eq!(
            v["version"]["version_metadata"]["version_stages"],
            json!(["SYSCURRENT"])
        );
        let prev = ok(send(
            &fe,
            "GET",
            &p(&format!("/secrets/{name}/stages/SYSPREVIOUS")),
            None,
        ));
        assert_eq!(prev["stage"]["version_id"], "v1");
        let s = ok(send(&fe, "GET", &p(&format!("/secrets/{name}")), None))["secret"].clone();
        assert!(s["rotation_time"].as_i64().unwrap() >= s["create_time"].as_i64().unwrap());
        let tasks = ok(send(
            &fe,
            "GET",
            &p(&format!("/csms/tasks?task_id={task_id}")),
            None,
        ));
        assert_eq!(tasks["total"], 1);
        let t = &tasks["tasks"][0];
        assert_eq!(t["task_id"], task_id.as_str());
        assert_eq!(t["secret_name"], name);
        assert_eq!(t["task_status"], "SUCCESS");
        assert_eq!(t.get("version_id"), None);
    }
    let all = ok(send(&fe, "GET", &p("/csms/tasks"), None));
    assert_eq!(all["total"], 3);
    let only = ok(send(
        &fe,
        "GET",
        &p("/csms/tasks?secret_name=gauss&status=SUCCESS"),
        None,
    ));
    assert_eq!(only["total"], 1);
    let page = ok(send(&fe, "GET", &p("/csms/tasks?limit=2"), None));
    assert_eq!(page["tasks"].as_array().unwrap().len(), 2);
    let next = page["next_marker"].as_str().unwrap();
    let rest = ok(send(
        &fe,
        "GET",
        &p(&format!("/csms/tasks?limit=2&marker={next}")),
        None,
    ));
    assert_eq!(rest["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_marker"], Value::Null);
    let r = send(&fe, "GET", &p("/csms/tasks?status=DONE"), None);
    assert_eq!(r.code(), "CSMS.0002");

    // Multi-user rotation resets the other account, which becomes current.
    create(
        &fe,
        json!({"name": "multi", "secret_type": "RDS-FG", "rotation_config": cfg("MultiUser"),
                       "secret_string": r#"{"username":"app","password":"a"}"#}),
    );
    ok(send(
        &fe,
        "POST",
        &p("/secrets/multi/versions"),
        Some(json!({"secret_string": r#"{"username":"app_clone","password":"b"}"#})),
    ));
    ok(send(&fe, "POST", &p("/secrets/multi/rotate"), None));
    let v = ok(send(&fe, "GET", &p("/secrets/multi/versions/latest"), None));
    let value: Value =
        serde_json::from_str(v["version"]["secret_string"].as_str().unwrap()).unwrap();
    assert_eq!(value["username"], "app");
    assert_ne!(value["password"], "a");

    // COMMON: refused without a function, rotated with one.
    create(&fe, json!({"name": "plain", "secret_string": "token"}));
    let r = send(&fe, "POST", &p("/secrets/plain/rotate"), None);
    assert_eq!((r.status, r.code()), (400, "CSMS.0003"));
    assert_eq!(
        ok(send(&fe, "GET", &p("/secrets/plain/versions"), None))["page_info"]["current_count"],
        1
    );
    let urn = "urn:fss:cn-north-4:0123:function:default:rotate:latest";
    ok(send(
        &fe,
        "PUT",
        &p("/secrets/plain"),
        Some(json!({"rotation_func_urn": urn})),
    ));
    let r = ok(send(&fe, "POST", &p("/secrets/plain/rotate"), None));
    assert_eq!(r["version_id"], "v2");
    let tasks = ok(send(&fe, "GET", &p("/csms/tasks?secret_name=plain"), None));
    assert_eq!(tasks["tasks"][0]["rotation_func_urn"], urn);
}

#[test]
fn automatic_rotation_settings() {
    let fe = frontend();
    let r = send(
        &fe,
        "POST",
        &p("/secrets"),
        Some(json!({"name": "a", "secret_string": "x", "auto_rotation": true})),
    );
    assert_eq!(r.code(), "CSMS.0002");
    let r = send(
        &fe,
        "POST",
        &p("/secrets"),
        Some(
            json!({"name": "a", "secret_string": "x", "auto_rotation": true, "rotation_period": "1h"}),
        ),
    );
    assert_eq!(r.code(), "CSMS.0002");
    let s = create(
        &fe,
        json!({"name": "a", "secret_string": "x", "auto_rotation": true, "rotation_period": "1d"}),
    );
    assert_eq!(s["auto_rotation"], true);
    assert_eq!(s["rotation_period"], "1d");
    assert_eq!(
        s["next_rotation_time"].as_i64().unwrap() - s["create_time"].as_i64().unwrap(),
        86_400_000
    );
    let s = ok(send(
        &fe,
        "PUT",
        &p("/secrets/a"),
        Some(json!({"auto_rotation": false})),
    ))["secret"]
        .clone();
    assert_eq!(s["auto_rotation"], false);
    assert_eq!(s["next_rotation_time"], Value::Null);
    let r = send(
        &fe,
        "POST",
        &p("/secrets"),
        Some(json!({"name": "r", "secret_string": "x", "secret_type": "RDS-FG"})),
    );
    assert_eq!(r.code(), "CSMS.0002");
}

#[test]
fn scheduled_deletion_and_immediate_delete() {
    let fe = frontend();
    create(&fe, json!({"name": "db", "secret_string": "v"}));
    let sched = |days: Value| {
        send(
            &fe,
            "POST",
            &p("/secrets/db/scheduled-deleted-tasks/create"),
            Some(json!({"recovery_window_in_days": days})),
        )
    };
    for bad in [json!(6), json!(31)] {
        let r = sched(bad);
        assert_eq!((r.status, r.code()), (400, "CSMS.0002"));
    }
    let s = ok(sched(json!(7)))["secret"].clone();
    assert_eq!(s["state"], "PENDING_DELETE");
    assert_eq!(
        s["scheduled_delete_time"].as_i64().unwrap() - s["update_time"].as_i64().unwrap(),
        7 * 86_400_000
    );
    assert_eq!(sched(json!(7)).code(), "CSMS.0107");
    assert_eq!(
        send(&fe, "GET", &p("/secrets/db/versions/latest"), None).code(),
        "CSMS.0103"
    );
    assert_eq!(
        send(
            &fe,
            "POST",
            &p("/secrets/db/versions"),
            Some(json!({"secret_string": "x"}))
        )
        .code(),
        "CSMS.0103"
    );
    assert_eq!(
        ok(send(&fe, "GET", &p("/secrets/db"), None))["secret"]["state"],
        "PENDING_DELETE"
    );
    let listed = ok(send(&fe, "GET", &p("/secrets"), None));
    assert_eq!(listed["secrets"][0]["state"], "PENDING_DELETE");
    let s = ok(send(
        &fe,
        "POST",
        &p("/secrets/db/scheduled-deleted-tasks/cancel"),
        None,
    ))["secret"]
        .clone();
    assert_eq!(
        (s["state"].as_str(), s["scheduled_delete_time"].as_i64()),
        (Some("ENABLED"), Some(0))
    );
    assert_eq!(
        send(
            &fe,
            "POST",
            &p("/secrets/db/scheduled-deleted-tasks/cancel"),
            None
        )
        .code(),
        "CSMS.0108"
    );
    assert_eq!(send(&fe, "DELETE", &p("/secrets/db"), None).status, 204);
    assert_eq!(
        send(&fe, "GET", &p("/secrets/db"), None).code(),
        "CSMS.0106"
    );
    assert_eq!(
        send(&fe, "DELETE", &p("/secrets/db"), None).code(),
        "CSMS.0106"
    );
}

#[test]
fn backup_and_restore() {
    let fe = frontend();
    create(
        &fe,
        json!({"name": "db", "secret_string": "one", "description": "d"}),
    );
    ok(send(
        &fe,
        "POST",
        &p("/secrets/db/versions"),
        Some(json!({"secret_string": "two"})),
    ));
    let blob = ok(send(&fe, "POST", &p("/secrets/db/backup"), None))["secret_blob"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send(
        &fe,
        "POST",
        &p("/secrets/restore"),
        Some(json!({"secret_blob": blob})),
    );
    assert_eq!(r.code(), "CSMS.0201");
    assert_eq!(send(&fe, "DELETE", &p("/secrets/db"), None).status, 204);
    let s = ok(send(
        &fe,
        "POST",
        &p("/secrets/restore"),
        Some(json!({"secret_blob": blob})),
    ))["secret"]
        .clone();
    assert_eq!(
        (s["name"].as_str(), s["description"].as_str()),
        (Some("db"), Some("d"))
    );
    let v = ok(send(&fe, "GET", &p("/secrets/db/versions/v1"), None));
    assert_eq!(v["version"]["secret_string"], "one");
    assert_eq!(
        v["version"]["version_metadata"]["version_stages"],
        json!(["SYSPREVIOUS"])
    );
    // Restored into another project too.
    let s2 = ok(send(
        &fe,
        "POST",
        &at(OTHER, "/secrets/restore"),
        Some(json!({"secret_blob": blob})),
    ))["secret"]
        .clone();
    assert_eq!(s2["name"], "db");
    for bad in ["not base64!", "aGVsbG8=", ""] {
        let r = send(
            &fe,
            "POST",
            &p("/secrets/restore"),
            Some(json!({"secret_blob": bad})),
        );
        assert_eq!((r.status, r.code()), (400, "CSMS.0002"), "{bad}");
    }
}

#[test]
fn batch_import_reports_each_failure() {
    let fe = frontend();
    create(&fe, json!({"name": "taken", "secret_string": "v"}));
    let r = ok(send(
        &fe,
        "POST",
        &p("/secrets/batch-import"),
        Some(json!({"secrets": [
            {"name": "a", "secret_string": "1"},
            {"name": "taken", "secret_string": "2"},
            {"name": "bad name", "secret_string": "3"},
            {"name": "b", "secret_binary": "AAE="},
        ]})),
    ));
    assert_eq!(
        (
            r["total"].as_i64(),
            r["success"].as_i64(),
            r["failed"].as_i64()
        ),
        (Some(4), Some(2), Some(2))
    );
    let names: Vec<&str> = r["error_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["taken", "bad name"]);
    let list = ok(send(&fe, "GET", &p("/secrets"), None));
    assert_eq!(list["page_info"]["current_count"], 3);
}

#[test]
fn listing_pages_by_name() {
    let fe = frontend();
    for n in ["e", "a", "c", "b", "d"] {
        create(&fe, json!({"name": n, "secret_string": "v"}));
    }
    let names = |v: &Value| -> Vec<String> {
        v["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = ok(send(&fe, "GET", &p("/secrets?limit=2"), None));
    assert_eq!(names(&first), ["a", "b"]);
    assert_eq!(first["page_info"]["next_marker"], "b");
    assert_eq!(first["page_info"]["previous_marker"], Value::Null);
    let second = ok(send(&fe, "GET", &p("/secrets?limit=2&marker=b"), None));
    assert_eq!(names(&second), ["c", "d"]);
    let last = ok(send(&fe, "GET", &p("/secrets?limit=2&marker=d"), None));
    assert_eq!(
        (names(&last), last["page_info"]["next_marker"].clone()),
        (vec!["e".to_string()], Value::Null)
    );
    for bad in ["0", "-1", "x", "1001"] {
        assert_eq!(
            send(&fe, "GET", &p(&format!("/secrets?limit={bad}")), None).code(),
            "CSMS.0002"
        );
    }
}

#[test]
fn projects_are_isolated_and_checked() {
    let fe = frontend();
    create(&fe, json!({"name": "db", "secret_string": "v"}));
    assert_eq!(
        send(&fe, "GET", &at(OTHER, "/secrets/db"), None).code(),
        "CSMS.0106"
    );
    assert_eq!(
        ok(send(&fe, "GET", &at(OTHER, "/secrets"), None))["secrets"],
        json!([])
    );
    let r = send(&fe, "GET", "/v1/short/secrets", None);
    assert_eq!((r.status, r.code()), (400, "CSMS.0002"));
    // X-Project-Id must match the path.
    let req = Request::new("GET", &p("/secrets")).with_header("X-Project-Id", OTHER);
    let r = fe.handle(&req);
    assert_eq!(r.status, 400);
    assert_eq!(r.json_body().unwrap()["error_code"], "CSMS.0003");
    let req = Request::new("GET", &p("/secrets")).with_header("x-project-id", P);
    assert_eq!(fe.handle(&req).status, 200);
    // Unknown routes are the gateway's.
    let r = send(&fe, "GET", &p("/nothing"), None);
    assert_eq!((r.status, r.code()), (404, "APIGW.0101"));
}

#[test]
fn bad_names_and_bodies() {
    let fe = frontend();
    for name in ["a b", "x".repeat(65).as_str(), "", "é"] {
        let r = send(
            &fe,
            "POST",
            &p("/secrets"),
            Some(json!({"name": name, "secret_string": "v"})),
        );
        assert_eq!((r.status, r.code()), (400, "CSMS.0002"), "{name:?}");
    }
    let cases: Vec<(Option<&str>, &str)> = vec![
        (Some("{not json"), "CSMS.0004"),
        (Some("[1,2]"), "CSMS.0004"),
        (None, "CSMS.0004"),
        (Some(r#"{"name": 5, "secret_string": "v"}"#), "CSMS.0002"),
        (Some(r#"{"name": "x"}"#), "CSMS.0002"),
        (
            Some(r#"{"name": "x", "secret_string": "v", "secret_binary": "AA=="}"#),
            "CSMS.0002",
        ),
        (Some(r#"{"name": "x", "secret_binary": "!!"}"#), "CSMS.0002"),
        (
            Some(r#"{"name": "x", "secret_string": "v", "secret_type": "IAM"}"#),
            "CSMS.0002",
        ),
        (
            Some(r#"{"name": "x", "secret_string": "v", "kms_key_id": "nope"}"#),
            "CSMS.0002",
        ),
        (
            Some(r#"{"name": "x", "secret_string": "v", "event_subscriptions": ["nope"]}"#),
            "CSMS.0005",
        ),
    ];
    for (body, code) in cases {
        let mut req =
            Request::new("POST", &p("/secrets")).with_header("Content-Type", "application/json");
        if let Some(b) = body {
            req = req.with_body(b.to_owned());
        }
        let r = fe.handle(&req);
        assert_eq!(
            (
                r.status,
                r.json_body().unwrap()["error_code"].as_str().unwrap()
            ),
            (400, code),
            "{body:?}"
        );
    }
    let big = "x".repeat(32 * 1024 + 1);
    let r = send(
        &fe,
        "POST",
        &p("/secrets"),
        Some(json!({"name": "big", "secret_string": big})),
    );
    assert_eq!(r.code(), "CSMS.0002");
    // The Content-Type is compared without regard to case; other media types are refused.
    for ct in ["APPLICATION/JSON; Charset=UTF-8", "application/json"] {
        let req = Request::new("POST", &p("/secrets"))
            .with_header("content-type", ct)
            .with_body(format!(
                r#"{{"name": "ct{}", "secret_string": "v"}}"#,
                ct.len()
            ));
        assert_eq!(fe.handle(&req).status, 200, "{ct}");
    }
    let req = Request::new("POST", &p("/secrets"))
        .with_header("content-type", "text/plain")
        .with_body(r#"{"name": "t", "secret_string": "v"}"#);
    assert_eq!(
        fe.handle(&req).json_body().unwrap()["error_code"],
        "CSMS.0004"
    );
    // Nothing was written by the refused requests.
    let list = ok(send(&fe, "GET", &p("/secrets"), None));
    assert_eq!(list["page_info"]["current_count"], 2);
}

#[test]
fn tags_by_secret_id() {
    let fe = frontend();
    let id = create(&fe, json!({"name": "db", "secret_string": "v"}))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = create(&fe, json!({"name": "cache", "secret_string": "v"}))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tags = |id: &str| ok(send(&fe, "GET", &p(&format!("/csms/{id}/tags")), None));
    assert_eq!(tags(&id), json!({"tags": [], "sys_tags": []}));
    assert_eq!(
        send(
            &fe,
            "POST",
            &p(&format!("/csms/{id}/tags")),
            Some(json!({"tag": {"key": "env", "value": "prod"}}))
        )
        .status,
        204
    );
    assert_eq!(
        send(
            &fe,
            "POST",
            &p(&format!("/csms/{id}/tags")),
            Some(json!({"tag": {"key": "env", "value": "dev"}}))
        )
        .status,
        204
    );
    assert_eq!(tags(&id)["tags"], json!([{"key": "env", "value": "dev"}]));
    let r = send(
        &fe,
        "POST",
        &p("/csms/db/tags"),
        Some(json!({"tag": {"key": "k", "value": "v"}})),
    );
    assert_eq!(r.code(), "CSMS.0106", "tags take the id, not the name");
    for bad in [
        json!({"key": "_sys_x"}),
        json!({"key": ""}),
        json!({"key": " k"}),
        json!({"key": "k", "value": "a|b"}),
    ] {
        let r = send(
            &fe,
            "POST",
            &p(&format!("/csms/{id}/tags")),
            Some(json!({"tag": bad})),
        );
        assert_eq!(r.code(), "CSMS.0002", "{bad}");
    }
    let batch = |id: &str, body: Value| {
        send(
            &fe,
            "POST",
            &p(&format!("/csms/{id}/tags/action")),
            Some(body),
        )
    };
    assert_eq!(batch(&id, json!({"action": "create", "tags": [{"key": "team", "value": "a"}, {"key": "tier", "value": "1"}]})).status, 204);
    assert_eq!(
        batch(
            &other,
            json!({"action": "create", "tags": [{"key": "team", "value": "b"}]})
        )
        .status,
        204
    );
    assert_eq!(
        batch(
            &id,
            json!({"action": "delete", "tags": [{"key": "tier"}, {"key": "absent"}]})
        )
        .status,
        204
    );
    assert_eq!(
        batch(&id, json!({"action": "merge", "tags": [{"key": "x"}]})).code(),
        "CSMS.0002"
    );
    let many: Vec<Value> = (0..20)
        .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
        .collect();
    assert_eq!(
        batch(&id, json!({"action": "create", "tags": many})).code(),
        "CSMS.0002"
    );
    assert_eq!(
        tags(&id)["tags"],
        json!([{"key": "env", "value": "dev"}, {"key": "team", "value": "a"}])
    );
    assert_eq!(
        send(&fe, "DELETE", &p(&format!("/csms/{id}/tags/env")), None).status,
        204
    );
    assert_eq!(
        send(&fe, "DELETE", &p(&format!("/csms/{id}/tags/env")), None).code(),
        "CSMS.0005"
    );
    let project = ok(send(&fe, "GET", &p("/csms/tags"), None));
    assert_eq!(
        project["tags"],
        json!([{"key": "team", "values": ["a", "b"]}])
    );
    let find = |body: Value| {
        ok(send(
            &fe,
            "POST",
            &p("/csms/resource_instances/action"),
            Some(body),
        ))
    };
    let f = find(
        json!({"action": "filter", "limit": "10", "offset": "0", "tags": [{"key": "team", "values": ["a"]}]}),
    );
    assert_eq!(f["total_count"], 1);
    assert_eq!(f["resources"][0]["resource_id"], id.as_str());
    assert_eq!(f["resources"][0]["resource_name"], "db");
    assert_eq!(f["resources"][0]["resource_detail"]["name"], "db");
    assert_eq!(
        f["resources"][0]["tags"],
        json!([{"key": "team", "value": "a"}])
    );
    assert_eq!(
        find(json!({"action": "count", "tags": [{"key": "team", "values": []}]}))["total_count"],
        2
    );
    assert_eq!(
        find(json!({"action": "filter", "matches": [{"key": "resource_name", "value": "cac"}]}))
            ["resources"][0]["resource_name"],
        "cache"
    );
    assert_eq!(
        find(json!({"action": "filter", "limit": "1", "offset": "1"}))["resources"][0]
            ["resource_name"],
        "db"
    );
    let r = send(
        &fe,
        "POST",
        &p("/csms/resource_instances/action"),
        Some(json!({"action": "list"})),
    );
    assert_eq!(r.code(), "CSMS.0002");
}

#[test]
fn events_and_notification_records() {
    let fe = frontend();
    let event = json!({"name": "ev1", "event_types": ["SECRET_VERSION_CREATED", "SECRET_ROTATED", "SECRET_DELETED"],
                       "state": "ENABLED",
                       "notification": {"target_type": "SMN", "target_id": "urn:smn:t", "target_name": "topic"}});
    let e = ok(send(&fe, "POST", &p("/csms/events"), Some(event.clone())))["event"].clone();
    assert_eq!(e["name"], "ev1");
    assert_eq!(e["notification"]["target_name"], "topic");
    assert_eq!(
        send(&fe, "POST", &p("/csms/events"), Some(event)).code(),
        "CSMS.0201"
    );
    let bad = json!({"name": "ev2", "event_types": ["SECRET_EXPLODED"], "state": "ENABLED",
                     "notification": {"target_type": "SMN", "target_id": "i", "target_name": "n"}});
    assert_eq!(
        send(&fe, "POST", &p("/csms/events"), Some(bad)).code(),
        "CSMS.0002"
    );
    create(
        &fe,
        json!({"name": "db", "secret_type": "RDS-FG", "secret_string": r#"{"password":"p"}"#,
                       "rotation_config": r#"{"InstanceId":"i","SecretSubType":"SingleUser"}"#,
                       "event_subscriptions": ["ev1"]}),
    );
    create(&fe, json!({"name": "quiet", "secret_string": "v"}));
    let subscribed = ok(send(&fe, "GET", &p("/secrets?event_name=ev1"), None));
    assert_eq!(subscribed["secrets"].as_array().unwrap().len(), 1);
    ok(send(
        &fe,
        "POST",
        &p("/secrets/db/versions"),
        Some(json!({"secret_string": r#"{"password":"q"}"#})),
    ));
    ok(send(
        &fe,
        "POST",
        &p("/secrets/quiet/versions"),
        Some(json!({"secret_string": "w"})),
    ));
    ok(send(&fe, "POST", &p("/secrets/db/rotate"), None));
    let r = send(&fe, "DELETE", &p("/csms/events/ev1"), None);
    assert_eq!(r.code(), "CSMS.0003", "subscribed events cannot be deleted");
    assert_eq!(send(&fe, "DELETE", &p("/secrets/db"), None).status, 204);
    let records = ok(send(&fe, "GET", &p("/csms/notification-records"), None));
    let kinds: Vec<&str> = records["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["trigger_event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["SECRET_VERSION_CREATED", "SECRET_ROTATED", "SECRET_DELETED"]
    );
    let first = &records["records"][0];
    assert_eq!(first["event_name"], "ev1");
    assert_eq!(first["secret_name"], "db");
    assert_eq!(first["secret_type"], "RDS-FG");
    assert_eq!(first["notification_target_id"], "urn:smn:t");
    assert_eq!(first["notification_status"], "SUCCESS");
    assert!(
        !first["notification_content"]
            .as_str()
            .unwrap()
            .contains("\"q\""),
        "no secret values"
    );
    assert_eq!(records["page_info"]["current_count"], 3);
    // A disabled event records nothing.
    let upd = ok(send(
        &fe,
        "PUT",
        &p("/csms/events/ev1"),
        Some(json!({"state": "DISABLED"})),
    ));
    assert_eq!(upd["event"]["state"], "DISABLED");
    assert_eq!(upd["event"]["event_types"].as_array().unwrap().len(), 3);
    create(
        &fe,
        json!({"name": "db2", "secret_string": "v", "event_subscriptions": ["ev1"]}),
    );
    ok(send(
        &fe,
        "POST",
        &p("/secrets/db2/versions"),
        Some(json!({"secret_string": "w"})),
    ));
    assert_eq!(
        ok(send(&fe, "GET", &p("/csms/notification-records"), None))["records"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Listing, paging, showing, deleting.
    ok(send(
        &fe,
        "POST",
        &p("/csms/events"),
        Some(
            json!({"name": "ev0", "event_types": ["SECRET_DELETED"], "state": "DISABLED",
        "notification": {"target_type": "SMN", "target_id": "i", "target_name": "n"}}),
        ),
    ));
    let page = ok(send(&fe, "GET", &p("/csms/events?limit=1"), None));
    assert_eq!(page["events"][0]["name"], "ev0");
    assert_eq!(page["page_info"]["next_marker"], "ev0");
    let page = ok(send(
        &fe,
        "GET",
        &p("/csms/events?limit=1&marker=ev0"),
        None,
    ));
    assert_eq!(page["events"][0]["name"], "ev1");
    assert_eq!(
        ok(send(&fe, "GET", &p("/csms/events/ev0"), None))["event"]["state"],
        "DISABLED"
    );
    assert_eq!(
        send(&fe, "DELETE", &p("/csms/events/ev0"), None).status,
        204
    );
    assert_eq!(
        send(&fe, "GET", &p("/csms/events/ev0"), None).code(),
        "CSMS.0005"
    );
}

#[test]
fn generated_passwords_follow_the_options() {
    let fe = frontend();
    let gen = |body: Value| {
        ok(send(&fe, "POST", &p("/csms/generate-password"), Some(body)))["password"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(gen(json!({})).len(), 32);
    let pw = gen(
        json!({"length": 20, "exclude_lowercase": true, "exclude_uppercase": true, "exclude_punctuation": true}),
    );
    assert!(
        pw.len() == 20 && pw.chars().all(|c| c.is_ascii_digit()),
        "{pw}"
    );
    let pw = gen(
        json!({"length": 64, "exclude_characters": "abcdefghijklmnopqrstuvwxyz0123456789", "exclude_punctuation": true}),
    );
    assert!(pw.chars().all(|c| c.is_ascii_uppercase()), "{pw}");
    let pw = gen(
        json!({"length": 30, "include_space": true, "require_each_included_type": true, "password_policy_name": "default"}),
    );
    assert!(
        pw.contains(' ') && pw.chars().any(|c| c.is_ascii_digit()),
        "{pw}"
    );
    for bad in [
        json!({"length": 7}),
        json!({"length": 129}),
        json!({"exclude_lowercase": true, "exclude_uppercase": true, "exclude_numbers": true, "exclude_punctuation": true}),
        json!({"length": "long"}),
    ] {
        assert_eq!(
            send(
                &fe,
                "POST",
                &p("/csms/generate-password"),
                Some(bad.clone())
            )
            .code(),
            "CSMS.0002",
            "{bad}"
        );
    }
}

#[test]
fn account_level_and_unsupported_operations() {
    let fe = frontend();
    let signed = |method: &str, target: &str, body: Option<Value>| {
        let mut req = Request::new(method, target)
            .with_header(
                "Authorization",
                "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=00",
            )
            .with_header("Content-Type", "application/json");
        if let Some(b) = body {
            req = req.with_body(b.to_string());
        }
        fe.handle(&req)
    };
    let granted = signed("GET", "/v1/csms/agencies?secret_type=RDS-FG", None);
    assert_eq!(granted.json_body().unwrap()["agency_granted"], "false");
    let created = signed(
        "POST",
        "/v1/csms/agencies",
        Some(json!({"secret_type": "RDS-FG"})),
    );
    assert_eq!(created.status, 200);
    let name = created.json_body().unwrap()["agencies"][0]["agency_name"].clone();
    assert_eq!(name, "csms_rds_fg_agency");
    let granted = signed("GET", "/v1/csms/agencies?secret_type=RDS-FG", None);
    assert_eq!(granted.json_body().unwrap()["agency_granted"], "true");
    let bad = signed("GET", "/v1/csms/agencies?secret_type=COMMON", None);
    assert_eq!(bad.json_body().unwrap()["error_code"], "CSMS.0002");

    let cfg = ok(send(&fe, "GET", &p("/secrets/checker/config"), None));
    assert_eq!(cfg["checking_secret_strength"], false);
    ok(send(
        &fe,
        "POST",
        &p("/secrets/checker/config"),
        Some(json!({"checking_secret_strength": true})),
    ));
    assert_eq!(
        ok(send(&fe, "GET", &p("/secrets/checker/config"), None))["checking_secret_strength"],
        true
    );

    for (method, target) in [
        (
            "GET",
            "/v1/csms/function-templates?secret_type=RDS-FG&secret_sub_type=SingleUser".to_owned(),
        ),
        ("GET", "/v1/csms/users?offset=0&limit=10".to_owned()),
        ("GET", "/v1/csms/users/u1".to_owned()),
        ("POST", "/v1/csms/users/change-password".to_owned()),
        ("GET", p("/csms/grants?resource_id=x")),
        ("POST", p("/csms/grants")),
        ("PUT", p("/csms/grants?resource_id=x")),
        ("DELETE", p("/csms/grants?resource_id=x")),
        ("POST", p("/secrets/checker/check")),
    ] {
        let r = send(&fe, method, &target, Some(json!({})));
        assert_eq!(
            (r.status, r.code()),
            (400, "CSMS.0003"),
            "{method} {target}"
        );
        assert!(r.json()["error_msg"]
            .as_str()
            .unwrap()
            .contains("not supported"));
    }
}

#[test]
fn operation_names_for_the_journal() {
    let fe = frontend();
    assert_eq!(
        fe.operation(&Request::new("POST", &p("/secrets/db/rotate"))),
        Some("RotateSecret".into())
    );
    assert_eq!(
        fe.operation(&Request::new("GET", "/v1/%7Bproject_id%7D/secrets")),
        Some("ListSecrets".into())
    );
    assert_eq!(fe.operation(&Request::new("GET", &p("/nope"))), None);
    assert!(fe.claims(&Request::new("GET", "/v1/x")));
    assert!(!fe.claims(&Request::new("POST", "/")));
}
