//! The frontend end to end on an in-memory store: the captured SDK requests of all three
//! shapes, golden JSON and XML bodies, and the operations' semantics.

use super::*;
use crate::testutil::{capture, capture_requests};
use serde_json::{json, Value};

const RID: &str = "00000000-0000-4000-8000-000000000000";

fn frontend() -> AlibabaFrontend {
    AlibabaFrontend::new(Arc::new(Service::in_memory(7)), AlibabaConfig::default())
}

/// A POST with everything in the query, as the legacy SDK sends it.
fn call(f: &AlibabaFrontend, query: &[(&str, &str)]) -> Response {
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                localsecrets_api::signing::encode(k),
                localsecrets_api::signing::encode(v)
            )
        })
        .collect();
    f.handle(&Request::new(
        "POST",
        &format!("/?Version=2016-01-20&{}", q.join("&")),
    ))
}

fn ok(f: &AlibabaFrontend, query: &[(&str, &str)]) -> Value {
    let r = call(f, query);
    let body = r.json_body().unwrap_or(Value::Null);
    assert_eq!(r.status, 200, "{query:?} → {body}");
    body
}

fn err(f: &AlibabaFrontend, query: &[(&str, &str)]) -> (u16, String, Value) {
    let r = call(f, query);
    let body = r.json_body().unwrap_or(Value::Null);
    assert_ne!(r.status, 200, "{query:?} unexpectedly succeeded: {body}");
    (
        r.status,
        body["Code"].as_str().unwrap_or("").to_owned(),
        body,
    )
}

fn text(r: &Response) -> String {
    String::from_utf8(r.body.to_vec()).unwrap()
}

fn create(f: &AlibabaFrontend, name: &str, version: &str, data: &str) -> Value {
    ok(
        f,
        &[
            ("Action", "CreateSecret"),
            ("SecretName", name),
            ("VersionId", version),
            ("SecretData", data),
        ],
    )
}

fn rds(f: &AlibabaFrontend, name: &str) -> Value {
    ok(
        f,
        &[
            ("Action", "CreateSecret"),
            ("SecretName", name),
            ("VersionId", "v1"),
            ("SecretType", "Rds"),
            (
                "SecretData",
                r#"{"Accounts":[{"AccountName":"app","AccountPassword":"initial"}]}"#,
            ),
            (
                "ExtendedConfig",
                r#"{"SecretSubType":"DoubleUsers","DBInstanceId":"rm-1","CustomData":{"team":"a"}}"#,
            ),
        ],
    )
}

// ---------------------------------------------------------------- captured request shapes

/// The operation a capture file is about: `alibaba-<sdk>__<Action>[_error…][.extra]`.
fn capture_action(name: &str) -> &str {
    let op = name.split("__").nth(1).unwrap_or("");
    let op = op.split('.').next().unwrap_or(op);
    op.split('_').next().unwrap_or(op)
}

#[test]
fn every_captured_request_parses() {
    for (name, req) in capture_requests() {
        let p = Params::from_request(&req);
        assert_eq!(p.action(), Some(capture_action(&name)), "{name}");
        assert_eq!(p.version(), Some(API_VERSION), "{name}");
        assert!(
            requested_format(&req, &p).is_ok_and(|f| f == Format::Json),
            "{name}"
        );
        if capture_action(&name) == "CreateSecret" {
            // SecretData came in the query (legacy), or in the form body with `+` for space (Tea).
            assert_eq!(
                p.required("SecretData").unwrap(),
                r#"{"user":"root","passwd":"p@ss w/ord"}"#,
                "{name}"
            );
            assert_eq!(
                p.required("Description").unwrap(),
                "probe * desc ~",
                "{name}"
            );
            assert_eq!(p.required("SecretName").unwrap(), "probe-secret");
            let tags = tags::from_json(&p, "Tags").unwrap().unwrap();
            assert_eq!(
                (tags[0].key.as_str(), tags[0].value.as_str()),
                ("env", "dev"),
                "{name}"
            );
            if name.contains("tea") {
                assert_eq!(
                    p.bool("EnableAutomaticRotation").unwrap(),
                    Some(false),
                    "{name}"
                );
                assert_eq!(
                    p.json::<Value>("ExtendedConfig", "").unwrap(),
                    Some(json!({"CustomData": {"k": "v"}})),
                    "{name}"
                );
            }
        }
        if capture_action(&name) == "GetSecretValue" {
            assert_eq!(p.bool("FetchExtendedConfig").unwrap(), Some(true), "{name}");
            assert_eq!(p.required("VersionStage").unwrap(), "ACSCurrent", "{name}");
        }
    }
}

#[test]
fn the_three_shapes_of_tag_and_list_captures_parse() {
    let tag = &capture("alibaba-tea-v2sdk-acs3sig__TagResources")[0];
    let p = Params::from_request(tag);
    assert_eq!(p.indexed("ResourceId").unwrap(), vec!["probe-secret"]);
    let t = tags::from_pairs(&p).unwrap();
    assert_eq!((t[0].key.as_str(), t[0].value.as_str()), ("env", "dev"));
    let list = &capture("alibaba-tea-v2sdk-acs3sig__ListSecrets")[0];
    let p = Params::from_request(list);
    assert_eq!(p.bool("FetchTags").unwrap(), Some(true));
    assert_eq!(p.int("PageSize", 1..=100).unwrap(), Some(10));
}

/// Each SDK shape creates, reads and lists the same secret through the whole frontend.
#[test]
fn captured_requests_run_end_to_end() {
    for sdk in ["tea-v2sdk-acs3sig", "tea-v2sdk-rpcv1sig", "core-oldsdk"] {
        let f = frontend();
        let create = &capture(&format!("alibaba-{sdk}__CreateSecret"))[0];
        let r = f.handle(create);
        let body = r.json_body().unwrap();
        assert_eq!(r.status, 200, "{sdk}: {body}");
        assert_eq!(body["SecretName"], "probe-secret");
        assert_eq!(body["VersionId"], "v1");
        assert_eq!(
            body["Arn"],
            "acs:kms:cn-hangzhou:1000000000000000:secret/probe-secret"
        );
        assert_eq!(r.header_value("x-acs-request-id"), Some(RID));
        // Creating again is a conflict.
        let again = f.handle(create);
        assert_eq!(again.status, 409, "{sdk}");
        assert_eq!(again.json_body().unwrap()["Code"], "Rejected.ResourceExist");

        let get = &capture(&format!("alibaba-{sdk}__GetSecretValue"))[0];
        let body = f.handle(get).json_body().unwrap();
        assert_eq!(
            body["SecretData"], r#"{"user":"root","passwd":"p@ss w/ord"}"#,
            "{sdk}"
        );
        assert_eq!(
            body["VersionStages"],
            json!({"VersionStage": ["ACSCurrent"]})
        );
        assert_eq!(body["SecretType"], "Generic");
        // Generic secrets carry no rotation fields and FetchExtendedConfig is ignored.
        assert!(body.get("AutomaticRotation").is_none() && body.get("ExtendedConfig").is_none());

        let d = ok(
            &f,
            &[
                ("Action", "DescribeSecret"),
                ("SecretName", "probe-secret"),
                ("FetchTags", "true"),
            ],
        );
        assert_eq!(d["Description"], "probe * desc ~", "{sdk}");
        assert_eq!(
            d["Tags"],
            json!({"Tag": [{"TagKey": "env", "TagValue": "dev"}]})
        );

        // RotateSecret on a generic secret is refused with a clear 4xx.
        let rot = f.handle(&capture(&format!("alibaba-{sdk}__RotateSecret"))[0]);
        let body = rot.json_body().unwrap();
        assert_eq!(
            (rot.status, body["Code"].as_str()),
            (400, Some("UnsupportedOperation")),
            "{sdk}"
        );
        assert!(
            body["Message"].as_str().unwrap().contains("PutSecretValue"),
            "{body}"
        );
    }
    let f = frontend();
    f.handle(&capture("alibaba-tea-v2sdk-acs3sig__CreateSecret")[0]);
    let list = f
        .handle(&capture("alibaba-tea-v2sdk-acs3sig__ListSecrets")[0])
        .json_body()
        .unwrap();
    assert_eq!(list["TotalCount"], 1);
    assert_eq!(
        list["SecretList"]["Secret"][0]["SecretName"],
        "probe-secret"
    );
    assert_eq!(
        list["SecretList"]["Secret"][0]["Tags"]["Tag"][0]["TagKey"],
        "env"
    );
    let tag = f.handle(&capture("alibaba-tea-v2sdk-acs3sig__TagResources")[0]);
    assert_eq!(tag.status, 200);
}

// ---------------------------------------------------------------- golden bodies

#[test]
fn golden_success_bodies() {
    let f = frontend();
    create(&f, "db", "v1", "one");
    let r = call(
        &f,
        &[
            ("Action", "PutSecretValue"),
            ("SecretName", "db"),
            ("VersionId", "v2"),
            ("SecretData", "two"),
        ],
    );
    assert_eq!(
        r.header_value("content-type"),
        Some("application/json;charset=utf-8")
    );
    assert_eq!(
        text(&r),
        r#"{"RequestId":"00000000-0000-4000-8000-000000000000","SecretName":"db","VersionId":"v2","VersionStages":{"VersionStage":["ACSCurrent"]}}"#
    );
    let r = call(
        &f,
        &[
            ("Action", "PutSecretValue"),
            ("SecretName", "db"),
            ("VersionId", "v3"),
            ("SecretData", "three"),
            ("Format", "xml"),
        ],
    );
    assert_eq!(
        r.header_value("content-type"),
        Some("text/xml;charset=utf-8")
    );
    assert_eq!(
        text(&r),
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            "<PutSecretValueResponse><RequestId>00000000-0000-4000-8000-000000000000</RequestId>",
            "<SecretName>db</SecretName><VersionId>v3</VersionId>",
            "<VersionStages><VersionStage>ACSCurrent</VersionStage></VersionStages>",
            "</PutSecretValueResponse>"
        )
    );
    // Times are rendered to the second; the rest of the body is fixed.
    let created = ok(
        &f,
        &[("Action", "ListSecretVersionIds"), ("SecretName", "db")],
    )["VersionIds"]["VersionId"][1]["CreateTime"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        created.len() == 20 && created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );
    let r = call(
        &f,
        &[
            ("Action", "GetSecretValue"),
            ("SecretName", "db"),
            ("VersionStage", "ACSPrevious"),
        ],
    );
    assert_eq!(
        text(&r),
        format!(
            r#"{{"RequestId":"{RID}","SecretName":"db","SecretType":"Generic","SecretData":"two","SecretDataType":"text","VersionId":"v2","VersionStages":{{"VersionStage":["ACSPrevious"]}},"CreateTime":"{created}"}}"#
        )
    );
    let r = call(
        &f,
        &[
            ("Action", "GetSecretValue"),
            ("SecretName", "db"),
            ("VersionStage", "ACSPrevious"),
            ("Format", "XML"),
        ],
    );
    assert_eq!(
        text(&r),
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                "<GetSecretValueResponse><RequestId>{rid}</RequestId><SecretName>db</SecretName>",
                "<SecretType>Generic</SecretType><SecretData>two</SecretData><SecretDataType>text</SecretDataType>",
                "<VersionId>v2</VersionId><VersionStages><VersionStage>ACSPrevious</VersionStage></VersionStages>",
                "<CreateTime>{created}</CreateTime></GetSecretValueResponse>"
            ),
            rid = RID,
            created = created
        )
    );
}

#[test]
fn golden_error_bodies() {
    let f = frontend();
    let r = call(&f, &[("Action", "GetSecretValue"), ("SecretName", "nope")]);
    assert_eq!(r.status, 404);
    assert_eq!(
        r.header_value("content-type"),
        Some("application/json;charset=utf-8")
    );
    assert_eq!(r.header_value("x-acs-request-id"), Some(RID));
    assert_eq!(
        text(&r),
        format!(
            r#"{{"RequestId":"{RID}","HostId":"kms.cn-hangzhou.aliyuncs.com","Code":"Forbidden.ResourceNotFound","Message":"The resource is not found: the secret nope does not exist.","Recommend":"https://api.aliyun.com/troubleshoot?q=Forbidden.ResourceNotFound"}}"#
        )
    );
    let r = call(&f, &[("Action", "GetSecretValue"), ("Format", "XML")]);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header_value("content-type"),
        Some("text/xml;charset=utf-8")
    );
    assert_eq!(
        text(&r),
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                "<Error><RequestId>{rid}</RequestId><HostId>kms.cn-hangzhou.aliyuncs.com</HostId>",
                "<Code>MissingParameter</Code>",
                "<Message>The input parameter &quot;SecretName&quot; that is mandatory for processing this request is not supplied.</Message>",
                "<Recommend>https://api.aliyun.com/troubleshoot?q=MissingParameter</Recommend></Error>"
            ),
            rid = RID
        )
    );
}

#[test]
fn protocol_errors() {
    let f = frontend();
    assert_eq!(
        err(&f, &[("Action", "NoSuchAction")]).1,
        "InvalidAction.NotFound"
    );
    assert_eq!(err(&f, &[("Action", "NoSuchAction")]).0, 404);
    assert_eq!(err(&f, &[("Action", "Encrypt")]).1, "UnsupportedOperation");
    let r = f.handle(&Request::new(
        "POST",
        "/?Action=ListSecrets&Version=2014-01-01",
    ));
    assert_eq!(
        (r.status, r.json_body().unwrap()["Code"].clone()),
        (400, json!("InvalidVersion"))
    );
    let r = f.handle(&Request::new("PUT", "/?Action=ListSecrets"));
    assert_eq!(r.status, 400);
    let r = f.handle(&Request::new("POST", "/?Action=ListSecrets&Format=yaml"));
    assert_eq!(r.json_body().unwrap()["Code"], "InvalidParameter");
    // No Version at all is accepted, GET works, Accept: xml picks XML.
    let r = f.handle(
        &Request::new("GET", "/?Action=ListSecrets").with_header("accept", "application/xml"),
    );
    assert_eq!(r.status, 200);
    assert!(text(&r).contains("<ListSecretsResponse>"));
    // Form bodies carry parameters too, and win over the query.
    let r = f.handle(
        &Request::new("POST", "/?Action=GetRandomPassword&PasswordLength=9")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body("PasswordLength=12&ExcludePunctuation=TRUE"),
    );
    let pw = r.json_body().unwrap()["RandomPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(pw.len(), 12);
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(f.claims(&Request::new("POST", "/").with_header("x-acs-action", "ListSecrets")));
    assert!(!f.claims(&Request::new("POST", "/v1/p/secrets")));
    assert_eq!(
        f.operation(
            &Request::new("POST", "/")
                .with_header("content-type", "application/x-www-form-urlencoded")
                .with_body("Action=RotateSecret")
        ),
        Some("RotateSecret".into())
    );
}

// ---------------------------------------------------------------- semantics

#[test]
fn stages_and_idempotent_puts() {
    let f = frontend();
    create(&f, "s", "v1", "one");
    let put = |v: &str, data: &str| {
        call(
            &f,
            &[
                ("Action", "PutSecretValue"),
                ("SecretName", "s"),
                ("VersionId", v),
                ("SecretData", data),
            ],
        )
    };
    assert_eq!(put("v2", "two").status, 200);
    // The same VersionId and data: success, nothing written (v2 stays current, no v3).
    assert_eq!(put("v2", "two").status, 200);
    let r = put("v2", "different");
    assert_eq!(
        (r.status, r.json_body().unwrap()["Code"].clone()),
        (409, json!("Rejected.ResourceExist"))
    );
    let ids = ok(
        &f,
        &[("Action", "ListSecretVersionIds"), ("SecretName", "s")],
    );
    assert_eq!(ids["TotalCount"], 2);
    let get = |stage: &str| {
        ok(
            &f,
            &[
                ("Action", "GetSecretValue"),
                ("SecretName", "s"),
                ("VersionStage", stage),
            ],
        )
    };
    assert_eq!(get("ACSCurrent")["VersionId"], "v2");
    assert_eq!(get("ACSPrevious")["VersionId"], "v1");
    // Explicit stages move only those.
    ok(
        &f,
        &[
            ("Action", "PutSecretValue"),
            ("SecretName", "s"),
            ("VersionId", "v3"),
            ("SecretData", "3"),
            ("VersionStages", r#"["custom"]"#),
        ],
    );
    assert_eq!(get("ACSCurrent")["VersionId"], "v2");
    assert_eq!(get("custom")["VersionId"], "v3");
    // Move ACSCurrent: the old holder becomes ACSPrevious.
    ok(
        &f,
        &[
            ("Action", "UpdateSecretVersionStage"),
            ("SecretName", "s"),
            ("VersionStage", "ACSCurrent"),
            ("MoveToVersion", "v3"),
        ],
    );
    assert_eq!(get("ACSCurrent")["VersionId"], "v3");
    assert_eq!(get("ACSPrevious")["VersionId"], "v2");
    // System stages can only move; custom ones can be removed.
    let (s, c, _) = err(
        &f,
        &[
            ("Action", "UpdateSecretVersionStage"),
            ("SecretName", "s"),
            ("VersionStage", "ACSCurrent"),
            ("RemoveFromVersion", "v3"),
        ],
    );
    assert_eq!((s, c.as_str()), (400, "InvalidParameter"));
    ok(
        &f,
        &[
            ("Action", "UpdateSecretVersionStage"),
            ("SecretName", "s"),
            ("VersionStage", "custom"),
            ("RemoveFromVersion", "v3"),
        ],
    );
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "GetSecretValue"),
                ("SecretName", "s"),
                ("VersionStage", "custom")
            ]
        )
        .1,
        "Forbidden.ResourceNotFound"
    );
    // v1 lost every stage: listed only with IncludeDeprecated.
    let all = ok(
        &f,
        &[
            ("Action", "ListSecretVersionIds"),
            ("SecretName", "s"),
            ("IncludeDeprecated", "True"),
        ],
    );
    assert_eq!(all["TotalCount"], 3);
    assert_eq!(
        ok(
            &f,
            &[("Action", "ListSecretVersionIds"), ("SecretName", "s")]
        )["TotalCount"],
        2
    );
    // Reads by VersionId, by both, and a mismatch.
    assert_eq!(
        ok(
            &f,
            &[
                ("Action", "GetSecretValue"),
                ("SecretName", "s"),
                ("VersionId", "v1")
            ]
        )["SecretData"],
        "one"
    );
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "GetSecretValue"),
                ("SecretName", "s"),
                ("VersionId", "v1"),
                ("VersionStage", "ACSCurrent")
            ]
        )
        .0,
        404
    );
}

#[test]
fn at_most_ten_versions_oldest_unstaged_evicted() {
    let f = frontend();
    create(&f, "s", "v0", "0");
    for i in 1..=12 {
        let v = format!("v{i}");
        ok(
            &f,
            &[
                ("Action", "PutSecretValue"),
                ("SecretName", "s"),
                ("VersionId", &v),
                ("SecretData", &v),
            ],
        );
    }
    let all = ok(
        &f,
        &[
            ("Action", "ListSecretVersionIds"),
            ("SecretName", "s"),
            ("IncludeDeprecated", "true"),
            ("PageSize", "100"),
        ],
    );
    assert_eq!(all["TotalCount"], 10);
    let ids: Vec<&str> = all["VersionIds"]["VersionId"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["VersionId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&"v3"));
    assert_eq!(ids.last(), Some(&"v12"));
}

#[test]
fn binary_secrets_round_trip_as_base64() {
    let f = frontend();
    ok(
        &f,
        &[
            ("Action", "CreateSecret"),
            ("SecretName", "b"),
            ("VersionId", "v1"),
            ("SecretData", "AAEC/w=="),
            ("SecretDataType", "binary"),
        ],
    );
    let g = ok(&f, &[("Action", "GetSecretValue"), ("SecretName", "b")]);
    assert_eq!(
        (g["SecretData"].as_str(), g["SecretDataType"].as_str()),
        (Some("AAEC/w=="), Some("binary"))
    );
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "CreateSecret"),
                ("SecretName", "c"),
                ("VersionId", "v1"),
                ("SecretData", "@@"),
                ("SecretDataType", "binary")
            ]
        )
        .1,
        "InvalidParameter"
    );
}

#[test]
fn managed_rotation_generates_credentials_and_is_idempotent() {
    let f = frontend();
    let c = rds(&f, "db");
    assert_eq!(c["AutomaticRotation"], "Disabled");
    assert!(c["ExtendedConfig"]
        .as_str()
        .unwrap()
        .contains("DoubleUsers"));
    let r = ok(
        &f,
        &[
            ("Action", "RotateSecret"),
            ("SecretName", "db"),
            ("VersionId", "r1"),
        ],
    );
    assert_eq!(r["Arn"], "acs:kms:cn-hangzhou:1000000000000000:secret/db");
    let cur = ok(
        &f,
        &[
            ("Action", "GetSecretValue"),
            ("SecretName", "db"),
            ("FetchExtendedConfig", "true"),
        ],
    );
    assert_eq!(cur["VersionId"], "r1");
    assert!(cur["LastRotationDate"].is_string());
    assert!(cur["ExtendedConfig"].is_string());
    let v: Value = serde_json::from_str(cur["SecretData"].as_str().unwrap()).unwrap();
    assert_eq!(v["AccountName"], "app_clone");
    assert_ne!(v["AccountPassword"], "initial");
    // A retry with the same VersionId changes nothing.
    ok(
        &f,
        &[
            ("Action", "RotateSecret"),
            ("SecretName", "db"),
            ("VersionId", "r1"),
        ],
    );
    // So does any existing VersionId, even the first one.
    ok(
        &f,
        &[
            ("Action", "RotateSecret"),
            ("SecretName", "db"),
            ("VersionId", "v1"),
        ],
    );
    let again = ok(&f, &[("Action", "GetSecretValue"), ("SecretName", "db")]);
    assert_eq!(again["SecretData"], cur["SecretData"]);
    let prev = ok(
        &f,
        &[
            ("Action", "GetSecretValue"),
            ("SecretName", "db"),
            ("VersionStage", "ACSPrevious"),
        ],
    );
    assert_eq!(prev["VersionId"], "v1");
    // Managed secrets are read by stage only, and take no PutSecretValue.
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "GetSecretValue"),
                ("SecretName", "db"),
                ("VersionStage", "custom")
            ]
        )
        .1,
        "InvalidParameter"
    );
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "PutSecretValue"),
                ("SecretName", "db"),
                ("VersionId", "x"),
                ("SecretData", "x")
            ]
        )
        .1,
        "UnsupportedOperation"
    );
}

#[test]
fn the_fifty_first_rotation_in_an_hour_is_throttled() {
    let f = Arc::new(frontend());
    rds(&f, "db");
    let handles: Vec<_> = (0..60)
        .map(|i| {
            let f = f.clone();
            std::thread::spawn(move || {
                call(
                    &f,
                    &[
                        ("Action", "RotateSecret"),
                        ("SecretName", "db"),
                        ("VersionId", &format!("r{i}")),
                    ],
                )
            })
        })
        .collect();
    let statuses: Vec<u16> = handles
        .into_iter()
        .map(|h| h.join().unwrap().status)
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 50);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10);
    let (s, code, body) = err(
        &f,
        &[
            ("Action", "RotateSecret"),
            ("SecretName", "db"),
            ("VersionId", "late"),
        ],
    );
    assert_eq!((s, code.as_str()), (429, "Rejected.Throttling"));
    assert!(body["Message"].as_str().unwrap().contains("50"));
    // A retry of an admitted rotation still succeeds and does not count.
    let admitted = ok(&f, &[("Action", "GetSecretValue"), ("SecretName", "db")])["VersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &f,
        &[
            ("Action", "RotateSecret"),
            ("SecretName", "db"),
            ("VersionId", &admitted),
        ],
    );
    f.service.clock().advance_secs(3600).unwrap();
    ok(
        &f,
        &[
            ("Action", "RotateSecret"),
            ("SecretName", "db"),
            ("VersionId", "next-hour"),
        ],
    );
}

#[test]
fn rotation_policy_and_intervals() {
    let f = frontend();
    rds(&f, "db");
    ok(
        &f,
        &[
            ("Action", "UpdateSecretRotationPolicy"),
            ("SecretName", "db"),
            ("EnableAutomaticRotation", "True"),
            ("RotationInterval", "7d"),
        ],
    );
    let d = ok(&f, &[("Action", "DescribeSecret"), ("SecretName", "db")]);
    assert_eq!(d["AutomaticRotation"], "Enabled");
    assert_eq!(d["RotationInterval"], "604800s");
    assert!(d["NextRotationDate"].is_string());
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "UpdateSecretRotationPolicy"),
                ("SecretName", "db"),
                ("EnableAutomaticRotation", "true"),
                ("RotationInterval", "1h")
            ]
        )
        .1,
        "InvalidParameter"
    );
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "UpdateSecretRotationPolicy"),
                ("SecretName", "db"),
                ("EnableAutomaticRotation", "true")
            ]
        )
        .1,
        "MissingParameter"
    );
    ok(
        &f,
        &[
            ("Action", "UpdateSecretRotationPolicy"),
            ("SecretName", "db"),
            ("EnableAutomaticRotation", "false"),
        ],
    );
    let d = ok(&f, &[("Action", "DescribeSecret"), ("SecretName", "db")]);
    assert_eq!(d["AutomaticRotation"], "Disabled");
    assert!(d.get("RotationInterval").is_none() && d.get("NextRotationDate").is_none());
    create(&f, "g", "v1", "x");
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "UpdateSecretRotationPolicy"),
                ("SecretName", "g"),
                ("EnableAutomaticRotation", "false")
            ]
        )
        .1,
        "UnsupportedOperation"
    );
}

#[test]
fn deletion_window() {
    let f = frontend();
    create(&f, "s", "v1", "x");
    let d = ok(
        &f,
        &[
            ("Action", "DeleteSecret"),
            ("SecretName", "s"),
            ("RecoveryWindowInDays", "7"),
        ],
    );
    let planned = d["PlannedDeleteTime"].as_str().unwrap().to_owned();
    for q in [
        vec![("Action", "GetSecretValue"), ("SecretName", "s")],
        vec![
            ("Action", "PutSecretValue"),
            ("SecretName", "s"),
            ("VersionId", "v2"),
            ("SecretData", "y"),
        ],
        vec![("Action", "DeleteSecret"), ("SecretName", "s")],
        vec![
            ("Action", "CreateSecret"),
            ("SecretName", "s"),
            ("VersionId", "v1"),
            ("SecretData", "x"),
        ],
    ] {
        let (s, c, _) = err(&f, &q);
        assert_eq!(
            (s, c.as_str()),
            (409, "Rejected.ResourceInDeleteWindow"),
            "{q:?}"
        );
    }
    let d = ok(&f, &[("Action", "DescribeSecret"), ("SecretName", "s")]);
    assert_eq!(d["PlannedDeleteTime"].as_str(), Some(planned.as_str()));
    let l = ok(&f, &[("Action", "ListSecrets")]);
    assert_eq!(
        l["SecretList"]["Secret"][0]["PlannedDeleteTime"].as_str(),
        Some(planned.as_str())
    );
    ok(&f, &[("Action", "RestoreSecret"), ("SecretName", "s")]);
    assert!(ok(&f, &[("Action", "DescribeSecret"), ("SecretName", "s")])
        .get("PlannedDeleteTime")
        .is_none());
    ok(&f, &[("Action", "GetSecretValue"), ("SecretName", "s")]);
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "DeleteSecret"),
                ("SecretName", "s"),
                ("RecoveryWindowInDays", "6")
            ]
        )
        .1,
        "InvalidParameter"
    );
    ok(
        &f,
        &[
            ("Action", "DeleteSecret"),
            ("SecretName", "s"),
            ("ForceDeleteWithoutRecovery", "TRUE"),
        ],
    );
    assert_eq!(
        err(&f, &[("Action", "DescribeSecret"), ("SecretName", "s")]).0,
        404
    );
}

#[test]
fn arns_and_account_isolation() {
    let f = frontend();
    create(&f, "s", "v1", "x");
    let arn = "acs:kms:cn-hangzhou:1000000000000000:secret/s";
    assert_eq!(
        ok(&f, &[("Action", "GetSecretValue"), ("SecretName", arn)])["SecretData"],
        "x"
    );
    // Another account's key does not see the secret, by name or by ARN.
    let other = [("AccessKeyId", "2000000000000000")];
    let q = |extra: &[(&'static str, &'static str)]| {
        let mut v = vec![("Action", "GetSecretValue")];
        v.extend_from_slice(extra);
        v
    };
    assert_eq!(err(&f, &q(&[other[0], ("SecretName", "s")])).0, 404);
    assert_eq!(err(&f, &q(&[other[0], ("SecretName", arn)])).0, 403);
    assert_eq!(
        ok(&f, &[("Action", "ListSecrets"), other[0]])["TotalCount"],
        0
    );
    // Another region is another namespace.
    assert_eq!(
        err(&f, &q(&[("RegionId", "cn-beijing"), ("SecretName", "s")])).0,
        404
    );
    assert_eq!(
        err(
            &f,
            &q(&[("SecretName", "acs:kms:cn-beijing:1000000000000000:secret/s")])
        )
        .0,
        404
    );
    assert_eq!(
        err(&f, &q(&[("SecretName", "acs:kms:bad")])).1,
        "InvalidParameter"
    );
}

#[test]
fn tags_policies_and_listing() {
    let f = frontend();
    create(&f, "a", "v1", "x");
    create(&f, "b", "v1", "x");
    ok(
        &f,
        &[
            ("Action", "TagResource"),
            ("SecretName", "a"),
            ("Tags", r#"[{"TagKey":"env","TagValue":"dev"}]"#),
        ],
    );
    ok(
        &f,
        &[
            ("Action", "TagResources"),
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "secret"),
            ("ResourceId.1", "a"),
            ("ResourceId.2", "b"),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "x"),
        ],
    );
    // One missing resource: nothing is tagged.
    let (s, _, _) = err(
        &f,
        &[
            ("Action", "TagResources"),
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "secret"),
            ("ResourceId.1", "a"),
            ("ResourceId.2", "zz"),
            ("Tag.1.Key", "lost"),
            ("Tag.1.Value", "x"),
        ],
    );
    assert_eq!(s, 404);
    let rows = ok(
        &f,
        &[
            ("Action", "ListTagResources"),
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "secret"),
        ],
    );
    let rows: Vec<(String, String)> = rows["TagResources"]["TagResource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ResourceId"].as_str().unwrap().into(),
                r["TagKey"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("a".into(), "env".into()),
            ("a".into(), "team".into()),
            ("b".into(), "team".into())
        ]
    );
    let filtered = ok(
        &f,
        &[
            ("Action", "ListSecrets"),
            ("Filters", r#"[{"Key":"TagKey","Values":["env"]}]"#),
        ],
    );
    assert_eq!(filtered["TotalCount"], 1);
    ok(
        &f,
        &[
            ("Action", "UntagResource"),
            ("SecretName", "a"),
            ("TagKeys", r#"["env"]"#),
        ],
    );
    ok(
        &f,
        &[
            ("Action", "UntagResources"),
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "secret"),
            ("ResourceId.1", "b"),
            ("All", "true"),
        ],
    );
    let d = ok(
        &f,
        &[
            ("Action", "DescribeSecret"),
            ("SecretName", "a"),
            ("FetchTags", "true"),
        ],
    );
    assert_eq!(
        d["Tags"],
        json!({"Tag": [{"TagKey": "team", "TagValue": "x"}]})
    );
    let d = ok(
        &f,
        &[
            ("Action", "DescribeSecret"),
            ("SecretName", "b"),
            ("FetchTags", "true"),
        ],
    );
    assert_eq!(d["Tags"], json!({"Tag": []}));
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "TagResource"),
                ("KeyId", "key-1"),
                ("Tags", r#"[{"TagKey":"a","TagValue":"b"}]"#)
            ]
        )
        .1,
        "Forbidden.KeyNotFound"
    );
    assert_eq!(
        err(&f, &[("Action", "ListResourceTags"), ("KeyId", "key-1")]).1,
        "Forbidden.KeyNotFound"
    );
    // Policies.
    let p = ok(&f, &[("Action", "GetSecretPolicy"), ("SecretName", "a")]);
    assert!(p["Policy"]
        .as_str()
        .unwrap()
        .contains("acs:ram::1000000000000000:*"));
    let pol = r#"{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1:*"]},"Action":["kms:GetSecretValue"],"Resource":["*"]}]}"#;
    ok(
        &f,
        &[
            ("Action", "SetSecretPolicy"),
            ("SecretName", "a"),
            ("Policy", pol),
        ],
    );
    assert_eq!(
        ok(
            &f,
            &[
                ("Action", "GetSecretPolicy"),
                ("SecretName", "a"),
                ("PolicyName", "default")
            ]
        )["Policy"],
        pol
    );
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "SetSecretPolicy"),
                ("SecretName", "a"),
                ("Policy", "{")
            ]
        )
        .1,
        "InvalidParameter"
    );
    // Paging.
    for i in 0..5 {
        create(&f, &format!("p{i}"), "v1", "x");
    }
    let page = ok(
        &f,
        &[
            ("Action", "ListSecrets"),
            ("PageNumber", "2"),
            ("PageSize", "3"),
        ],
    );
    assert_eq!(page["TotalCount"], 7);
    assert_eq!(page["SecretList"]["Secret"].as_array().unwrap().len(), 3);
    assert_eq!(
        err(&f, &[("Action", "ListSecrets"), ("PageSize", "0")]).1,
        "InvalidParameter"
    );
}

#[test]
fn batch_reads_report_errors_per_secret() {
    let f = frontend();
    create(&f, "a", "v1", "one");
    let b = ok(
        &f,
        &[
            ("Action", "BatchGetSecretValue"),
            (
                "SecretsList",
                r#"[{"SecretName":"a"},{"SecretName":"missing"}]"#,
            ),
        ],
    );
    assert_eq!(b["SecretValues"][0]["SecretData"], "one");
    assert_eq!(b["Errors"][0]["SecretName"], "missing");
    assert_eq!(b["Errors"][0]["Code"], "Forbidden.ResourceNotFound");
    assert_eq!(b["Errors"][0]["HttpStatus"], 404);
    assert_eq!(
        err(
            &f,
            &[("Action", "BatchGetSecretValue"), ("SecretsList", "[]")]
        )
        .1,
        "InvalidParameter"
    );
}

#[test]
fn dry_run_and_update_secret() {
    let f = frontend();
    create(&f, "a", "v1", "one");
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "GetSecretValue"),
                ("SecretName", "a"),
                ("DryRun", "true")
            ]
        )
        .1,
        "DryRunOperationError"
    );
    assert_eq!(
        err(&f, &[("Action", "GetSecretValue"), ("DryRun", "true")]).1,
        "ValidationError"
    );
    ok(
        &f,
        &[
            ("Action", "UpdateSecret"),
            ("SecretName", "a"),
            ("Description", "new words"),
        ],
    );
    assert_eq!(
        ok(&f, &[("Action", "DescribeSecret"), ("SecretName", "a")])["Description"],
        "new words"
    );
    assert_eq!(
        err(
            &f,
            &[
                ("Action", "UpdateSecret"),
                ("SecretName", "a"),
                ("ExtendedConfig.CustomData.k", "v")
            ]
        )
        .1,
        "InvalidParameter"
    );
    rds(&f, "db");
    ok(
        &f,
        &[
            ("Action", "UpdateSecret"),
            ("SecretName", "db"),
            ("ExtendedConfig.CustomData.k", "v"),
        ],
    );
    let d = ok(&f, &[("Action", "DescribeSecret"), ("SecretName", "db")]);
    let cfg: Value = serde_json::from_str(d["ExtendedConfig"].as_str().unwrap()).unwrap();
    assert_eq!(cfg["CustomData"], json!({"k": "v"}));
    assert_eq!(cfg["DBInstanceId"], "rm-1");
}

#[test]
fn every_managed_type_creates_and_rotates() {
    let f = frontend();
    let cases: Vec<(&str, &str, &str, &str, &str)> = vec![
        (
            "Redis",
            "redis",
            "$Auto",
            r#"{"SecretSubType":"DoubleUsers","AccountName":"r","CloneAccountName":"r_clone","AccountPrivilege":"RoleReadWrite","InstanceId":"r-1","RegionId":"cn-hangzhou"}"#,
            "AccountPassword",
        ),
        (
            "PolarDB",
            "polar",
            "$Auto",
            r#"{"SecretSubType":"DoubleUsers","RegionId":"cn-hangzhou","DBClusterId":"pc-1","DBType":"MySQL","AccountName":"p","CloneAccountName":"p_clone","AccountType":"Normal","AccountPrivilege":"ReadWrite","DBName":"d"}"#,
            "AccountPassword",
        ),
        (
            "RAMCredentials",
            "$Auto",
            r#"{"AccessKeys":[{"AccessKeyId":"LTAIold","AccessKeySecret":"old"}]}"#,
            r#"{"SecretSubType":"RamUserAccessKey","UserName":"alice"}"#,
            "AccessKeySecret",
        ),
        (
            "ECS",
            "acs/ecs/i-1/root",
            r#"{"UserName":"root","Password":"old"}"#,
            r#"{"SecretSubType":"Password","RegionId":"cn-hangzhou","InstanceId":"i-1"}"#,
            "Password",
        ),
    ];
    for (ty, name, data, cfg, field) in cases {
        let c = ok(
            &f,
            &[
                ("Action", "CreateSecret"),
                ("SecretName", name),
                ("VersionId", "v1"),
                ("SecretType", ty),
                ("SecretData", data),
                ("ExtendedConfig", cfg),
            ],
        );
        let name = c["SecretName"].as_str().unwrap().to_owned();
        let before = ok(&f, &[("Action", "GetSecretValue"), ("SecretName", &name)])["SecretData"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(
            &f,
            &[
                ("Action", "RotateSecret"),
                ("SecretName", &name),
                ("VersionId", "v2"),
            ],
        );
        let after = ok(&f, &[("Action", "GetSecretValue"), ("SecretName", &name)]);
        assert_eq!(after["VersionId"], "v2", "{ty}");
        let (b, a): (Value, Value) = (
            serde_json::from_str(&before).unwrap(),
            serde_json::from_str(after["SecretData"].as_str().unwrap()).unwrap(),
        );
        assert!(
            a[field].is_string() && a[field] != b[field],
            "{ty}: {b} → {a}"
        );
    }
    assert_eq!(
        ok(
            &f,
            &[
                ("Action", "DescribeSecret"),
                ("SecretName", "acs/ram/user/alice")
            ]
        )["SecretType"],
        "RAMCredentials"
    );
    // A missing ExtendedConfig key is a clear 400.
    let (s, c, body) = err(
        &f,
        &[
            ("Action", "CreateSecret"),
            ("SecretName", "x"),
            ("VersionId", "v1"),
            ("SecretType", "Rds"),
            ("SecretData", "{}"),
            ("ExtendedConfig", r#"{"SecretSubType":"SingleUser"}"#),
        ],
    );
    assert_eq!((s, c.as_str()), (400, "InvalidParameter"));
    assert!(body["Message"].as_str().unwrap().contains("DBInstanceId"));
}

#[test]
fn bad_input_is_always_a_4xx() {
    let f = frontend();
    create(&f, "s", "v1", "x");
    let long_id = "v".repeat(65);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("Action", "CreateSecret")],
        vec![
            ("Action", "CreateSecret"),
            ("SecretName", "s2"),
            ("VersionId", "v1"),
        ],
        vec![
            ("Action", "CreateSecret"),
            ("SecretName", "s2"),
            ("VersionId", "v1"),
            ("SecretData", "x"),
            ("SecretType", "Nope"),
        ],
        vec![
            ("Action", "CreateSecret"),
            ("SecretName", "s2"),
            ("VersionId", "v1"),
            ("SecretData", "x"),
            ("Tags", "{{"),
        ],
        vec![
            ("Action", "CreateSecret"),
            ("SecretName", "bad name"),
            ("VersionId", "v1"),
            ("SecretData", "x"),
        ],
        vec![
            ("Action", "CreateSecret"),
            ("SecretName", "s3"),
            ("VersionId", &long_id),
            ("SecretData", "x"),
        ],
        vec![
            ("Action", "DescribeSecret"),
            ("SecretName", "s"),
            ("FetchTags", "maybe"),
        ],
        vec![
            ("Action", "PutSecretValue"),
            ("SecretName", "s"),
            ("VersionId", "v2"),
            ("SecretData", "x"),
            ("VersionStages", "ACSCurrent"),
        ],
        vec![
            ("Action", "ListSecrets"),
            ("Filters", r#"[{"Key":"Colour","Values":["x"]}]"#),
        ],
        vec![("Action", "ListSecrets"), ("PageNumber", "-1")],
        vec![("Action", "GetRandomPassword"), ("PasswordLength", "7")],
        vec![
            ("Action", "GetRandomPassword"),
            ("ExcludeLowercase", "true"),
            ("ExcludeUppercase", "true"),
            ("ExcludeNumbers", "true"),
            ("ExcludePunctuation", "true"),
        ],
        vec![
            ("Action", "TagResources"),
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "disk"),
            ("ResourceId.1", "s"),
            ("Tag.1.Key", "k"),
        ],
        vec![
            ("Action", "TagResources"),
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "secret"),
            ("ResourceId.x", "s"),
            ("Tag.1.Key", "k"),
        ],
        vec![
            ("Action", "ListTagResources"),
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "secret"),
            ("NextToken", "zz"),
        ],
        vec![
            ("Action", "DeleteSecret"),
            ("SecretName", "s"),
            ("RecoveryWindowInDays", "forever"),
        ],
        vec![
            ("Action", "GetSecretPolicy"),
            ("SecretName", "s"),
            ("PolicyName", "other"),
        ],
    ];
    for q in cases {
        let r = call(&f, &q);
        assert!((400..500).contains(&r.status), "{q:?} → {}", r.status);
        let body = r.json_body().unwrap();
        assert!(
            body["Code"].is_string() && body["Message"].is_string(),
            "{q:?}"
        );
    }
    // Nothing was created by the refused requests.
    assert_eq!(ok(&f, &[("Action", "ListSecrets")])["TotalCount"], 1);
}
