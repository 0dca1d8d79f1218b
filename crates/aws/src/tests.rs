//! Handler tests: the frontend end to end over the in-memory store: requests as the SDKs send them, answers
//! compared with AWS's recorded bodies (ids, dates and ARN suffixes masked).

use crate::{AwsConfig, AwsFrontend};
use localsecrets_api::{Frontend, Request};
use localsecrets_core::memory::MemoryStorage;
use localsecrets_core::{
    Clock, Cloud, Random, RotateRequest, RotationChange, Scope, SecretRef, Service,
};
use serde_json::{json, Value};
use std::sync::Arc;

struct Aws {
    frontend: AwsFrontend,
    service: Arc<Service>,
    account: String,
    region: String,
    tokens: std::cell::Cell<u32>,
}

const UUID_A: &str = "00000000-0000-4000-8000-0000000000a1";
const UUID_B: &str = "00000000-0000-4000-8000-0000000000b1";

fn aws() -> Aws {
    let service = Arc::new(Service::new(
        Arc::new(MemoryStorage::new()),
        Arc::new(Clock::new()),
        Arc::new(Random::seeded(7)),
    ));
    Aws {
        frontend: AwsFrontend::new(service.clone(), AwsConfig::default()),
        service,
        account: "111111111111".into(),
        region: "us-east-1".into(),
        tokens: std::cell::Cell::new(0),
    }
}

impl Aws {
    fn as_(&self, account: &str, region: &str) -> Aws {
        Aws {
            frontend: AwsFrontend::new(self.service.clone(), AwsConfig::default()),
            service: self.service.clone(),
            account: account.into(),
            region: region.into(),
            tokens: std::cell::Cell::new(self.tokens.get() + 1000),
        }
    }

    fn raw(&self, op: &str, body: &str) -> (u16, Value, Request) {
        let req = Request::new("POST", "/")
            .with_header("Content-Type", "application/x-amz-json-1.1")
            .with_header("X-Amz-Target", &format!("secretsmanager.{op}"))
            .with_header(
                "Authorization",
                &format!(
                    "AWS4-HMAC-SHA256 Credential={}/20240101/{}/secretsmanager/aws4_request, \
                     SignedHeaders=host, Signature=0",
                    self.account, self.region
                ),
            )
            .with_body(body.to_owned());
        let resp = self.frontend.handle(&req);
        assert_eq!(
            resp.header_value("content-type"),
            Some("application/x-amz-json-1.1")
        );
        assert_eq!(
            resp.header_value("x-amzn-RequestId"),
            Some(req.request_id.as_str())
        );
        if resp.status != 200 {
            let code = resp.json_body().unwrap()["__type"].clone();
            assert_eq!(resp.header_value("x-amzn-ErrorType"), code.as_str());
        }
        (resp.status, resp.json_body().unwrap_or(Value::Null), req)
    }

    /// Calls like an SDK: a fresh ClientRequestToken where the operation takes one.
    fn call(&self, op: &str, mut body: Value) -> (u16, Value) {
        let takes_token = matches!(
            op,
            "CreateSecret" | "PutSecretValue" | "UpdateSecret" | "RotateSecret"
        );
        if takes_token && body.get("ClientRequestToken").is_none() {
            let n = self.tokens.get() + 1;
            self.tokens.set(n);
            body["ClientRequestToken"] = json!(format!("00000000-0000-4000-8000-{n:012}"));
        }
        let (status, value, _) = self.raw(op, &body.to_string());
        (status, value)
    }

    fn ok(&self, op: &str, body: Value) -> Value {
        let (status, v) = self.call(op, body);
        assert_eq!(status, 200, "{op}: {v}");
        v
    }

    fn err(&self, op: &str, body: Value) -> (String, String) {
        let (status, v) = self.call(op, body);
        assert_eq!(status, 400, "{op}: {v}");
        (
            v["__type"].as_str().unwrap().to_owned(),
            v["Message"].as_str().unwrap().to_owned(),
        )
    }

    fn stages(&self, id: &str, deprecated: bool) -> Vec<(String, Vec<String>)> {
        let v = self.ok(
            "ListSecretVersionIds",
            json!({"SecretId": id, "IncludeDeprecated": deprecated}),
        );
        v["Versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let mut labels: Vec<String> = e["VersionStages"]
                    .as_array()
                    .map(|l| l.iter().map(|x| x.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default();
                labels.sort();
                (e["VersionId"].as_str().unwrap().to_owned(), labels)
            })
            .collect()
    }
}

/// Replaces dates with "datetime" after checking they are epoch seconds.
fn mask(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if k.ends_with("Date") {
                    assert!(x.is_f64() || x.is_u64(), "{k}: {x}");
                    *x = json!("datetime");
                } else {
                    mask(x);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

fn masked(mut v: Value) -> Value {
    mask(&mut v);
    v
}

fn labels(l: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = l.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

#[test]
fn create_read_update_delete_golden_bodies() {
    let a = aws();
    let created = a.ok(
        "CreateSecret",
        json!({"Name": "app/db", "SecretString": "my_secret", "Description": "d",
               "ClientRequestToken": UUID_A}),
    );
    let arn = created["ARN"].as_str().unwrap().to_owned();
    let prefix = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db-";
    assert!(
        arn.starts_with(prefix) && arn.len() == prefix.len() + 6,
        "{arn}"
    );
    assert_eq!(
        created,
        json!({"ARN": arn, "Name": "app/db", "VersionId": UUID_A})
    );
    let described = a.ok("DescribeSecret", json!({"SecretId": "app/db"}));
    assert_eq!(
        masked(described),
        json!({"ARN": arn, "Name": "app/db", "Description": "d",
               "CreatedDate": "datetime", "LastChangedDate": "datetime",
               "VersionIdsToStages": {UUID_A: ["AWSCURRENT"]}})
    );
    // Name, full ARN and partial ARN all find it.
    for id in [&arn[..], "app/db", &arn[..arn.len() - 7]] {
        let got = a.ok("GetSecretValue", json!({"SecretId": id}));
        assert_eq!(
            masked(got),
            json!({"ARN": arn, "Name": "app/db", "VersionId": UUID_A,
                   "SecretString": "my_secret", "VersionStages": ["AWSCURRENT"],
                   "CreatedDate": "datetime"})
        );
    }
    let described = a.ok("DescribeSecret", json!({"SecretId": arn}));
    assert_eq!(
        described["LastAccessedDate"].as_f64().unwrap() % 86_400.0,
        0.0
    );
    let put = a.ok(
        "PutSecretValue",
        json!({"SecretId": "app/db", "SecretBinary": "AAEC/w=="}),
    );
    let v2 = put["VersionId"].as_str().unwrap().to_owned();
    assert_eq!(put["VersionStages"], json!(["AWSCURRENT"]));
    let got = a.ok("GetSecretValue", json!({"SecretId": "app/db"}));
    assert_eq!(got["SecretBinary"], json!("AAEC/w=="));
    assert!(got.get("SecretString").is_none());
    // Metadata only: no VersionId.
    let updated = a.ok(
        "UpdateSecret",
        json!({"SecretId": arn, "Description": "new"}),
    );
    assert_eq!(updated, json!({"ARN": arn, "Name": "app/db"}));
    let updated = a.ok(
        "UpdateSecret",
        json!({"SecretId": arn, "SecretString": "v3"}),
    );
    let v3 = updated["VersionId"].as_str().unwrap().to_owned();
    assert_eq!(
        a.stages("app/db", true),
        vec![
            (UUID_A.to_owned(), labels(&[])),
            (v2.clone(), labels(&["AWSPREVIOUS"])),
            (v3.clone(), labels(&["AWSCURRENT"])),
        ]
    );
    assert_eq!(a.stages("app/db", false).len(), 2);
    let deleted = a.ok(
        "DeleteSecret",
        json!({"SecretId": "app/db", "ForceDeleteWithoutRecovery": true}),
    );
    assert_eq!(
        masked(deleted),
        json!({"ARN": arn, "Name": "app/db", "DeletionDate": "datetime"})
    );
    assert_eq!(
        a.err("DescribeSecret", json!({"SecretId": "app/db"})),
        (
            "ResourceNotFoundException".into(),
            "Secrets Manager can't find the specified secret.".into()
        )
    );
}

#[test]
fn wire_errors() {
    let a = aws();
    let (status, v, _) = a.raw("FetchSecret", "{}");
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "UnknownOperationException");
    for body in ["{", "[1]", "{\"SecretId\": 5}", "{\"SecretId\": {}}"] {
        let (status, v, _) = a.raw("DescribeSecret", body);
        assert_eq!(
            (status, v["__type"].as_str()),
            (400, Some("SerializationException")),
            "{body}"
        );
    }
    let (status, v, _) = a.raw("DescribeSecret", "{}");
    assert_eq!(status, 400);
    assert_eq!(
        v["Message"],
        "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: \
         Member must not be null"
    );
    let invalid = (
        "ValidationException".to_owned(),
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the \
         following: -/_+=.@!"
            .to_owned(),
    );
    for name in ["Inv Name", " Inv*Name? ", " Inv *?!]Name\\-"] {
        assert_eq!(
            a.err("CreateSecret", json!({"Name": name, "SecretString": "x"})),
            invalid
        );
        for op in [
            "DescribeSecret",
            "GetSecretValue",
            "DeleteSecret",
            "TagResource",
        ] {
            assert_eq!(
                a.err(op, json!({"SecretId": name, "Tags": []})),
                invalid,
                "{op}"
            );
        }
    }
    // Raw requests without a token, as AWS answers them.
    for (op, code) in [
        ("CreateSecret", "InvalidRequestException"),
        ("UpdateSecret", "InvalidRequestException"),
        ("PutSecretValue", "InvalidRequestException"),
        ("RotateSecret", "InvalidParameterException"),
    ] {
        let body = json!({"Name": "x", "SecretId": "x", "SecretString": "s"}).to_string();
        let (status, v, _) = a.raw(op, &body);
        assert_eq!(status, 400);
        assert_eq!(
            v,
            json!({"__type": code, "Message":
                "You must provide a ClientRequestToken value. We recommend a UUID-type value."})
        );
    }
    assert_eq!(
        a.err(
            "CreateSecret",
            json!({"Name": "b", "SecretString": "s", "SecretBinary": "AA=="})
        )
        .0,
        "InvalidParameterException"
    );
    // Long secret values are refused without being echoed.
    let (code, msg) = a.err(
        "CreateSecret",
        json!({"Name": "big", "SecretString": "z".repeat(65_537)}),
    );
    assert_eq!(code, "ValidationException");
    assert!(!msg.contains("zzzz"));
}

#[test]
fn create_idempotency_and_conflicts() {
    let a = aws();
    let body = json!({"Name": "db", "SecretString": "v", "ClientRequestToken": UUID_A});
    let first = a.ok("CreateSecret", body.clone());
    let arn = first["ARN"].as_str().unwrap().to_owned();
    assert_eq!(a.ok("CreateSecret", body), first);
    // The token is checked before the name.
    let in_use = |token: &str| {
        (
            "ResourceExistsException".to_owned(),
            format!(
                "You can't use ClientRequestToken {token} because that value is already in use \
                 for a version of secret {arn}."
            ),
        )
    };
    assert_eq!(
        a.err(
            "CreateSecret",
            json!({"Name": "db", "SecretString": "other", "ClientRequestToken": UUID_A})
        ),
        in_use(UUID_A)
    );
    assert_eq!(
        a.err(
            "CreateSecret",
            json!({"Name": "db", "SecretString": "other", "ClientRequestToken": UUID_B})
        ),
        (
            "ResourceExistsException".into(),
            "The operation failed because the secret db already exists.".into()
        )
    );
    let token = "00000000-0000-4000-8000-0000000000b2";
    let put = json!({"SecretId": "db", "SecretString": "two", "ClientRequestToken": token});
    let p1 = a.ok("PutSecretValue", put.clone());
    assert_eq!(a.ok("PutSecretValue", put), p1);
    assert_eq!(a.stages("db", true).len(), 2);
    assert_eq!(
        a.err(
            "PutSecretValue",
            json!({"SecretId": "db", "SecretString": "three", "ClientRequestToken": token})
        ),
        in_use(token)
    );
    assert_eq!(
        a.err(
            "UpdateSecret",
            json!({"SecretId": "db", "SecretString": "four", "ClientRequestToken": token})
        ),
        in_use(token)
    );
}

#[test]
fn recorded_label_transitions() {
    let a = aws();
    let v0 = a.ok("CreateSecret", json!({"Name": "s", "SecretString": "S1"}))["VersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let v1 = a.ok(
        "PutSecretValue",
        json!({"SecretId": "s", "SecretString": "S2", "VersionStages": ["AWSPENDING"]}),
    )["VersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    // Pending leaves current alone.
    assert_eq!(
        a.ok("GetSecretValue", json!({"SecretId": "s"}))["SecretString"],
        "S1"
    );
    // RemoveFromVersionId must name the holder.
    let (code, msg) = a.err(
        "UpdateSecretVersionStage",
        json!({"SecretId": "s", "VersionStage": "AWSCURRENT", "MoveToVersionId": v1}),
    );
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains(&v0), "{msg}");
    assert_eq!(
        a.err(
            "UpdateSecretVersionStage",
            json!({"SecretId": "s", "VersionStage": "AWSCURRENT",
                   "MoveToVersionId": v1, "RemoveFromVersionId": v1})
        )
        .0,
        "InvalidParameterException"
    );
    a.ok(
        "UpdateSecretVersionStage",
        json!({"SecretId": "s", "VersionStage": "AWSCURRENT",
               "MoveToVersionId": v1, "RemoveFromVersionId": v0}),
    );
    assert_eq!(
        a.stages("s", false),
        vec![
            (v0.clone(), labels(&["AWSPREVIOUS"])),
            (v1.clone(), labels(&["AWSCURRENT", "AWSPENDING"])),
        ]
    );
    // A plain put moves current on and drops the finished rotation's pending label.
    let v2 = a.ok(
        "PutSecretValue",
        json!({"SecretId": "s", "SecretString": "S3"}),
    )["VersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        a.stages("s", false),
        vec![
            (v1.clone(), labels(&["AWSPREVIOUS"])),
            (v2.clone(), labels(&["AWSCURRENT"])),
        ]
    );
    // Custom stages replace each other; a version losing all of them is deprecated.
    let v3 = a.ok(
        "PutSecretValue",
        json!({"SecretId": "s", "SecretString": "S4", "VersionStages": ["one", "two"]}),
    )["VersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let v4 = a.ok(
        "PutSecretValue",
        json!({"SecretId": "s", "SecretString": "S5", "VersionStages": ["one", "two", "three"]}),
    )["VersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = a.stages("s", false);
    assert!(!listed.iter().any(|(id, _)| *id == v3));
    assert!(listed.contains(&(v4.clone(), labels(&["one", "three", "two"]))));
    assert!(a
        .stages("s", true)
        .iter()
        .any(|(id, l)| *id == v3 && l.is_empty()));
    // Removing AWSCURRENT without moving it is refused; removing a custom label works.
    assert_eq!(
        a.err(
            "UpdateSecretVersionStage",
            json!({"SecretId": "s", "VersionStage": "AWSCURRENT", "RemoveFromVersionId": v2})
        )
        .0,
        "InvalidParameterException"
    );
    a.ok(
        "UpdateSecretVersionStage",
        json!({"SecretId": "s", "VersionStage": "one", "RemoveFromVersionId": v4}),
    );
    let (code, msg) = a.err(
        "GetSecretValue",
        json!({"SecretId": "s", "VersionId": v4, "VersionStage": "AWSCURRENT"}),
    );
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "InvalidRequestException",
            "You provided a VersionStage that is not associated to the provided VersionId."
        )
    );
    assert_eq!(
        a.err(
            "GetSecretValue",
            json!({"SecretId": "s", "VersionStage": "one"})
        )
        .1,
        "Secrets Manager can't find the specified secret value for staging label: one"
    );
}

#[test]
fn rotation() {
    let a = aws();
    let v1 = a.ok(
        "CreateSecret",
        json!({"Name": "db", "SecretString": "{\"username\":\"u\",\"password\":\"p\"}"}),
    )["VersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let lambda = "arn:aws:lambda:us-east-1:111111111111:function:rotate";
    assert_eq!(
        a.err(
            "RotateSecret",
            json!({"SecretId": "db", "RotationRules": {"AutomaticallyAfterDays": 1}})
        ),
        (
            "InvalidRequestException".into(),
            "No Lambda rotation function ARN is associated with this secret.".into()
        )
    );
    let d = a.ok("DescribeSecret", json!({"SecretId": "db"}));
    assert!(d.get("RotationEnabled").is_none() && d.get("RotationRules").is_none());
    let r = a.ok(
        "RotateSecret",
        json!({"SecretId": "db", "RotationLambdaARN": lambda,
               "RotationRules": {"AutomaticallyAfterDays": 1}}),
    );
    let v2 = r["VersionId"].as_str().unwrap().to_owned();
    let d = masked(a.ok("DescribeSecret", json!({"SecretId": "db"})));
    assert_eq!(d["RotationEnabled"], true);
    assert_eq!(d["RotationLambdaARN"], lambda);
    assert_eq!(d["RotationRules"], json!({"AutomaticallyAfterDays": 1}));
    for k in ["LastRotatedDate", "NextRotationDate", "LastAccessedDate"] {
        assert_eq!(d[k], "datetime", "{k}");
    }
    assert_eq!(
        d["VersionIdsToStages"],
        json!({v1.clone(): ["AWSPREVIOUS"], v2.clone(): ["AWSCURRENT"]})
    );
    let value: Value = serde_json::from_str(
        a.ok("GetSecretValue", json!({"SecretId": "db"}))["SecretString"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(value["username"], "u");
    assert_ne!(value["password"], "p");
    // A second rotation with no arguments reuses the stored function and rules.
    let v3 = a.ok("RotateSecret", json!({"SecretId": "db"}))["VersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        a.stages("db", false),
        vec![
            (v2.clone(), labels(&["AWSPREVIOUS"])),
            (v3.clone(), labels(&["AWSCURRENT"])),
        ]
    );
    // Configuration only.
    let r = a.ok(
        "RotateSecret",
        json!({"SecretId": "db", "RotateImmediately": false,
               "RotationRules": {"ScheduleExpression": "rate(10 days)", "Duration": "2h"}}),
    );
    assert!(r.get("VersionId").is_none());
    let d = a.ok("DescribeSecret", json!({"SecretId": "db"}));
    assert_eq!(
        d["RotationRules"],
        json!({"ScheduleExpression": "rate(10 days)", "Duration": "2h"})
    );
    assert_eq!(a.stages("db", false).len(), 2);
    // An unfinished rotation (pending on another version) blocks the next one.
    let pending = a.ok(
        "PutSecretValue",
        json!({"SecretId": "db", "SecretString": "x", "VersionStages": ["AWSPENDING"]}),
    )["VersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        a.err("RotateSecret", json!({"SecretId": "db"})).0,
        "InvalidRequestException"
    );
    let c = a.ok("CancelRotateSecret", json!({"SecretId": "db"}));
    assert_eq!(c["VersionId"], json!(pending));
    let d = a.ok("DescribeSecret", json!({"SecretId": "db"}));
    assert_eq!(d["RotationEnabled"], false);
    assert!(d.get("NextRotationDate").is_none());
    assert_eq!(d["VersionIdsToStages"][&pending], json!(["AWSPENDING"]));
}

#[test]
fn deletion_window() {
    let a = aws();
    a.ok(
        "CreateSecret",
        json!({"Name": "db", "SecretString": "v", "Tags": [{"Key": "k", "Value": "v"}]}),
    );
    for (days, ok) in [(6, false), (31, false), (7, true)] {
        let (status, _) = a.call(
            "DeleteSecret",
            json!({"SecretId": "db", "RecoveryWindowInDays": days}),
        );
        assert_eq!(status == 200, ok, "{days}");
    }
    assert_eq!(
        a.err(
            "DeleteSecret",
            json!({"SecretId": "db", "RecoveryWindowInDays": 7, "ForceDeleteWithoutRecovery": true})
        )
        .0,
        "InvalidParameterException"
    );
    let marked = (
        "InvalidRequestException".to_owned(),
        "You can't perform this operation on the secret because it was marked for deletion."
            .to_owned(),
    );
    assert_eq!(a.err("GetSecretValue", json!({"SecretId": "db"})), marked);
    assert_eq!(
        a.err(
            "PutSecretValue",
            json!({"SecretId": "db", "SecretString": "x"})
        ),
        marked
    );
    assert_eq!(
        a.err(
            "TagResource",
            json!({"SecretId": "db", "Tags": [{"Key": "a", "Value": "b"}]})
        ),
        marked
    );
    assert_eq!(
        a.err("UntagResource", json!({"SecretId": "db", "TagKeys": ["k"]})),
        marked
    );
    assert_eq!(
        a.err("CreateSecret", json!({"Name": "db", "SecretString": "v"})),
        (
            "InvalidRequestException".into(),
            "You can't create this secret because a secret with this name is already \
             scheduled for deletion."
                .into()
        )
    );
    let d = a.ok("DescribeSecret", json!({"SecretId": "db"}));
    assert!(d.get("DeletedDate").is_some());
    let listed = a.ok("ListSecrets", json!({}));
    assert_eq!(listed["SecretList"], json!([]));
    let listed = a.ok("ListSecrets", json!({"IncludePlannedDeletion": true}));
    assert_eq!(listed["SecretList"].as_array().unwrap().len(), 1);
    a.ok("RestoreSecret", json!({"SecretId": "db"}));
    assert_eq!(
        a.ok("GetSecretValue", json!({"SecretId": "db"}))["SecretString"],
        "v"
    );
    // Forced deletion of something that does not exist answers as if it did.
    let gone = a.ok(
        "DeleteSecret",
        json!({"SecretId": "never", "ForceDeleteWithoutRecovery": true}),
    );
    assert_eq!(gone["Name"], "never");
    assert!(gone["ARN"].as_str().unwrap().contains(":secret:never-"));
}

#[test]
fn tags_and_policies() {
    let a = aws();
    let arn = a.ok("CreateSecret", json!({"Name": "t"}))["ARN"].clone();
    let d = a.ok("DescribeSecret", json!({"SecretId": arn}));
    assert!(d.get("Tags").is_none() && d.get("VersionIdsToStages").is_none());
    assert_eq!(
        a.ok("TagResource", json!({"SecretId": arn, "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]})),
        json!({})
    );
    a.ok(
        "TagResource",
        json!({"SecretId": arn, "Tags": [{"Key": "a", "Value": "3"}]}),
    );
    assert_eq!(
        a.ok("DescribeSecret", json!({"SecretId": arn}))["Tags"],
        json!([{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}])
    );
    a.ok(
        "UntagResource",
        json!({"SecretId": arn, "TagKeys": ["a", "b"]}),
    );
    assert_eq!(
        a.ok("DescribeSecret", json!({"SecretId": arn}))["Tags"],
        json!([])
    );
    // Policies.
    let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    assert_eq!(
        a.ok("GetResourcePolicy", json!({"SecretId": "t"})),
        json!({"ARN": arn, "Name": "t"})
    );
    assert_eq!(
        a.err(
            "PutResourcePolicy",
            json!({"SecretId": "t", "ResourcePolicy": public, "BlockPublicPolicy": true})
        )
        .0,
        "PublicPolicyException"
    );
    assert_eq!(
        a.err(
            "PutResourcePolicy",
            json!({"SecretId": "t", "ResourcePolicy": "{nope"})
        )
        .0,
        "MalformedPolicyDocumentException"
    );
    assert_eq!(
        a.ok(
            "PutResourcePolicy",
            json!({"SecretId": "t", "ResourcePolicy": public})
        ),
        json!({"ARN": arn, "Name": "t"})
    );
    assert_eq!(
        a.ok("GetResourcePolicy", json!({"SecretId": "t"}))["ResourcePolicy"],
        public
    );
    assert_eq!(
        a.ok("ListResourcePolicies", json!({"SecretId": "t"})),
        json!({"ResourcePolicies": [{"PolicyName": "default"}]})
    );
    assert_eq!(
        a.ok("ValidateResourcePolicy", json!({"ResourcePolicy": public}))["PolicyValidationPassed"],
        false
    );
    a.ok("DeleteResourcePolicy", json!({"SecretId": "t"}));
    assert_eq!(
        a.ok("ListResourcePolicies", json!({"SecretId": "t"})),
        json!({"ResourcePolicies": []})
    );
}

#[test]
fn listing_paging_filters_and_sorting() {
    let a = aws();
    for (name, desc) in [
        ("b/one", "a secret"),
        ("/a/two", "an secret"),
        ("c", "asecret"),
    ] {
        a.ok(
            "CreateSecret",
            json!({"Name": name, "SecretString": "x", "Description": desc}),
        );
    }
    let names = |v: &Value| -> Vec<String> {
        v["SecretList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Name"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = a.ok("ListSecrets", json!({"MaxResults": 2}));
    assert_eq!(names(&first).len(), 2);
    let token = first["NextToken"].as_str().unwrap();
    let rest = a.ok("ListSecrets", json!({"MaxResults": 2, "NextToken": token}));
    assert_eq!(names(&rest).len(), 1);
    assert!(rest.get("NextToken").is_none());
    let (code, _) = a.err(
        "ListSecrets",
        json!({"MaxResults": 2, "NextToken": token, "SortBy": "name"}),
    );
    assert_eq!(code, "InvalidNextTokenException");
    assert_eq!(
        a.err("ListSecrets", json!({"NextToken": "bm9wZQ"})).0,
        "InvalidNextTokenException"
    );
    assert_eq!(
        names(&a.ok(
            "ListSecrets",
            json!({"SortBy": "name", "SortOrder": "desc"})
        )),
        vec!["c", "b/one", "/a/two"]
    );
    assert_eq!(
        names(&a.ok(
            "ListSecrets",
            json!({"Filters": [{"Key": "name", "Values": ["!/"]}]})
        ))
        .len(),
        2
    );
    assert_eq!(
        names(&a.ok(
            "ListSecrets",
            json!({"Filters": [{"Key": "description", "Values": ["a secret"]}]})
        ))
        .len(),
        2
    );
    assert_eq!(
        a.err(
            "ListSecrets",
            json!({"Filters": [{"Key": "colour", "Values": ["x"]}]})
        )
        .0,
        "ValidationException"
    );
    assert_eq!(
        a.err("ListSecrets", json!({"MaxResults": 0})).0,
        "ValidationException"
    );
    // Batch reads by id report what they cannot read.
    let batch = a.ok(
        "BatchGetSecretValue",
        json!({"SecretIdList": ["c", "missing"]}),
    );
    assert_eq!(batch["SecretValues"][0]["Name"], "c");
    assert_eq!(batch["Errors"][0]["ErrorCode"], "ResourceNotFoundException");
    let batch = a.ok(
        "BatchGetSecretValue",
        json!({"Filters": [{"Key": "name", "Values": ["b", "/a"]}], "MaxResults": 1}),
    );
    assert_eq!(batch["SecretValues"].as_array().unwrap().len(), 1);
    assert!(batch.get("NextToken").is_some());
    assert_eq!(
        a.err("BatchGetSecretValue", json!({})).0,
        "InvalidParameterException"
    );
    let password = a.ok(
        "GetRandomPassword",
        json!({"PasswordLength": 120, "ExcludeCharacters": "xyzDje@?!."}),
    )["RandomPassword"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(password.len(), 120);
    assert!(!password.chars().any(|c| "xyzDje@?!.".contains(c)));
    assert_eq!(
        a.err("GetRandomPassword", json!({"PasswordLength": 4097}))
            .0,
        "ValidationException"
    );
}

#[test]
fn accounts_and_regions_are_separate() {
    let a = aws();
    a.ok("CreateSecret", json!({"Name": "db", "SecretString": "v"}));
    for other in [
        a.as_("222222222222", "us-east-1"),
        a.as_("111111111111", "eu-west-1"),
        a.as_("test", "us-east-1"),
    ] {
        assert_eq!(
            other.err("GetSecretValue", json!({"SecretId": "db"})).0,
            "ResourceNotFoundException"
        );
    }
    // Any non-numeric key is the default account.
    let b = a.as_("AKIDEXAMPLE", "us-east-1");
    let arn = b.ok("CreateSecret", json!({"Name": "x"}))["ARN"].clone();
    assert!(arn.as_str().unwrap().contains(":000000000000:secret:x-"));
}

#[test]
fn checks_aws_makes_before_looking_at_the_secret() {
    let a = aws();
    a.ok("CreateSecret", json!({"Name": "db", "SecretString": "v"}));
    // The window's range is checked before its conflict with forced deletion.
    let range = (
        "InvalidParameterException".to_owned(),
        "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).".to_owned(),
    );
    for window in [3, 31] {
        assert_eq!(
            a.err(
                "DeleteSecret",
                json!({"SecretId": "db", "RecoveryWindowInDays": window,
                       "ForceDeleteWithoutRecovery": true})
            ),
            range
        );
    }
    assert!(a
        .err(
            "DeleteSecret",
            json!({"SecretId": "db", "RecoveryWindowInDays": 7, "ForceDeleteWithoutRecovery": true})
        )
        .1
        .contains("in conjunction with"));
    assert_eq!(
        a.err(
            "ReplicateSecretToRegions",
            json!({"SecretId": "db", "AddReplicaRegions": [{"Region": "us-east-1"}]})
        ),
        (
            "InvalidParameterException".to_owned(),
            "Invalid replica region.".to_owned()
        )
    );
    let (code, msg) = a.err(
        "ListSecrets",
        json!({"Filters": [{"Key": "name", "Values": ["a"]}, {"Key": "colour", "Values": ["x"]}]}),
    );
    assert_eq!(code, "ValidationException");
    assert!(msg.contains("at 'filters.2.member.key'"), "{msg}");
    let (_, msg) = a.err(
        "ListSecrets",
        json!({"Filters": [{"Key": "name", "Values": ["a*"]}]}),
    );
    assert!(msg.contains("at 'filters.1.member.values'"), "{msg}");
}

#[test]
fn region_replicas_follow_their_primary() {
    let a = aws();
    let created = a.ok(
        "CreateSecret",
        json!({"Name": "db", "SecretString": "v1",
               "AddReplicaRegions": [{"Region": "eu-west-1"}]}),
    );
    assert_eq!(
        created["ReplicationStatus"],
        json!([{"Region": "eu-west-1", "KmsKeyId": "alias/aws/secretsmanager", "Status": "InSync"}])
    );
    let eu = a.as_("111111111111", "eu-west-1");
    let suffix = &created["ARN"].as_str().unwrap()[created["ARN"].as_str().unwrap().len() - 6..];
    let replica = eu.ok("DescribeSecret", json!({"SecretId": "db"}));
    assert!(replica["ARN"].as_str().unwrap().ends_with(suffix));
    assert!(replica["ARN"].as_str().unwrap().contains(":eu-west-1:"));
    assert_eq!(replica["PrimaryRegion"], "us-east-1");
    assert_eq!(
        eu.ok("GetSecretValue", json!({"SecretId": "db"}))["SecretString"],
        "v1"
    );
    assert_eq!(
        eu.err(
            "PutSecretValue",
            json!({"SecretId": "db", "SecretString": "no"})
        )
        .0,
        "InvalidParameterException"
    );
    assert_eq!(
        eu.err("DeleteSecret", json!({"SecretId": "db"})).0,
        "InvalidParameterException"
    );
    // The primary keeps its replicas, so it can't be deleted either.
    assert_eq!(
        a.err("DeleteSecret", json!({"SecretId": "db"})),
        (
            "InvalidParameterException".to_owned(),
            format!(
                "You can't delete secret {} that still has replica regions [eu-west-1].",
                created["ARN"].as_str().unwrap()
            )
        )
    );
    // The refusal is checked inside each write's own transaction, and leaves nothing behind.
    let before = eu.ok("DescribeSecret", json!({"SecretId": "db"}));
    for (op, body) in [
        (
            "UpdateSecret",
            json!({"SecretId": "db", "Description": "d"}),
        ),
        (
            "TagResource",
            json!({"SecretId": "db", "Tags": [{"Key": "k", "Value": "v"}]}),
        ),
        ("UntagResource", json!({"SecretId": "db", "TagKeys": ["k"]})),
        (
            "PutResourcePolicy",
            json!({"SecretId": "db", "ResourcePolicy":
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#}),
        ),
        ("DeleteResourcePolicy", json!({"SecretId": "db"})),
        ("CancelRotateSecret", json!({"SecretId": "db"})),
        ("RestoreSecret", json!({"SecretId": "db"})),
        (
            "UpdateSecretVersionStage",
            json!({"SecretId": "db", "VersionStage": "X",
                                            "MoveToVersionId": UUID_A}),
        ),
    ] {
        assert_eq!(
            eu.err(op, body),
            (
                "InvalidParameterException".to_owned(),
                "Operation not permitted on a replica secret. Call must be made in primary \
                 secret's region."
                    .to_owned()
            ),
            "{op}"
        );
    }
    assert_eq!(eu.ok("DescribeSecret", json!({"SecretId": "db"})), before);
    a.ok(
        "PutSecretValue",
        json!({"SecretId": "db", "SecretString": "v2"}),
    );
    assert_eq!(
        eu.ok("GetSecretValue", json!({"SecretId": "db"}))["SecretString"],
        "v2"
    );
    // A primary's write loads only the versions it changes; its replica still gets them all.
    for v in ["v3", "v4", "v5"] {
        a.ok(
            "PutSecretValue",
            json!({"SecretId": "db", "SecretString": v}),
        );
    }
    let versions = |at: &Aws| {
        let mut l = at.ok(
            "ListSecretVersionIds",
            json!({"SecretId": "db", "IncludeDeprecated": true}),
        )["Versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["VersionId"].clone(), v["VersionStages"].clone()))
            .collect::<Vec<_>>();
        l.sort_by_key(|(id, _)| id.to_string());
        l
    };
    assert_eq!(versions(&a).len(), 5);
    assert_eq!(versions(&eu), versions(&a));
    // A rotation run by the core itself (as the scheduler runs it) reaches the replica in
    // the same transaction.
    let scope = Scope::new(Cloud::Aws, "111111111111", "us-east-1");
    let rotated = a
        .service
        .rotate(
            &scope,
            SecretRef::Name("db"),
            RotateRequest {
                version_id: None,
                configure: RotationChange {
                    function: Some(Some(
                        "arn:aws:lambda:us-east-1:111111111111:function:f".into(),
                    )),
                    ..RotationChange::default()
                },
                require_function: true,
                immediately: true,
                generate: &crate::ops::rotate_secret::generate,
            },
        )
        .unwrap();
    let new_value = rotated.secret.holder("AWSCURRENT").unwrap().value.clone();
    assert_eq!(
        eu.ok("GetSecretValue", json!({"SecretId": "db"}))["SecretString"],
        new_value.as_text().unwrap()
    );
    a.ok(
        "PutSecretValue",
        json!({"SecretId": "db", "SecretString": "v2"}),
    );
    let primary = a.ok("DescribeSecret", json!({"SecretId": "db"}));
    assert_eq!(primary["PrimaryRegion"], "us-east-1");
    assert_eq!(primary["ReplicationStatus"][0]["Status"], "InSync");
    assert_eq!(
        a.err("DeleteSecret", json!({"SecretId": "db"})).0,
        "InvalidParameterException"
    );
    // A second region, then promote one replica and remove the other.
    let r = a.ok(
        "ReplicateSecretToRegions",
        json!({"SecretId": "db", "AddReplicaRegions": [{"Region": "ap-south-1", "KmsKeyId": "k"}]}),
    );
    assert_eq!(r["ReplicationStatus"].as_array().unwrap().len(), 2);
    assert_eq!(
        a.err(
            "ReplicateSecretToRegions",
            json!({"SecretId": "db", "AddReplicaRegions": [{"Region": "us-east-1"}]})
        )
        .0,
        "InvalidParameterException"
    );
    eu.ok("StopReplicationToReplica", json!({"SecretId": "db"}));
    eu.ok(
        "PutSecretValue",
        json!({"SecretId": "db", "SecretString": "eu-own"}),
    );
    a.ok(
        "PutSecretValue",
        json!({"SecretId": "db", "SecretString": "v3"}),
    );
    assert_eq!(
        eu.ok("GetSecretValue", json!({"SecretId": "db"}))["SecretString"],
        "eu-own"
    );
    let ap = a.as_("111111111111", "ap-south-1");
    assert_eq!(
        ap.ok("GetSecretValue", json!({"SecretId": "db"}))["SecretString"],
        "v3"
    );
    let r = a.ok(
        "RemoveRegionsFromReplication",
        json!({"SecretId": "db", "RemoveReplicaRegions": ["ap-south-1"]}),
    );
    assert_eq!(r["ReplicationStatus"], json!([]));
    assert_eq!(
        ap.err("GetSecretValue", json!({"SecretId": "db"})).0,
        "ResourceNotFoundException"
    );
    a.ok(
        "DeleteSecret",
        json!({"SecretId": "db", "ForceDeleteWithoutRecovery": true}),
    );
}

#[test]
fn cross_account_replicas() {
    let a = aws();
    let primary_arn = a.ok(
        "CreateSecret",
        json!({"Name": "shared", "SecretString": "p1"}),
    )["ARN"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = a.as_("222222222222", "us-east-1");
    let replica = b.ok(
        "CreateSecret",
        json!({"Name": "copy", "CrossAccountPrimaryARN": primary_arn}),
    );
    let replica_arn = replica["ARN"].as_str().unwrap().to_owned();
    assert_eq!(
        b.ok("DescribeSecret", json!({"SecretId": "copy"}))["CrossAccountPrimary"],
        json!({"PrimarySecretARN": primary_arn, "ReplicationStatus": "Pending"})
    );
    let r = a.ok(
        "AssociateCrossAccountReplica",
        json!({"SecretId": "shared", "CrossAccountReplicaARN": replica_arn}),
    );
    assert_eq!(r["ReplicationStatus"], "InSync");
    assert_eq!(
        b.ok("GetSecretValue", json!({"SecretId": "copy"}))["SecretString"],
        "p1"
    );
    a.ok(
        "PutSecretValue",
        json!({"SecretId": "shared", "SecretString": "p2"}),
    );
    assert_eq!(
        b.ok("GetSecretValue", json!({"SecretId": "copy"}))["SecretString"],
        "p2"
    );
    assert_eq!(
        a.ok("DescribeSecret", json!({"SecretId": "shared"}))["CrossAccountReplicas"],
        json!([{"ReplicaSecretARN": replica_arn, "ReplicationStatus": "InSync"}])
    );
    assert_eq!(
        b.err(
            "PutSecretValue",
            json!({"SecretId": "copy", "SecretString": "x"})
        )
        .0,
        "InvalidParameterException"
    );
    assert_eq!(
        a.err("DeleteSecret", json!({"SecretId": "shared"})).0,
        "InvalidRequestException"
    );
    a.ok(
        "DisassociateCrossAccountReplica",
        json!({"SecretId": "shared", "CrossAccountReplicaARN": replica_arn}),
    );
    assert_eq!(
        b.ok("DescribeSecret", json!({"SecretId": "copy"}))["CrossAccountPrimary"]
            ["ReplicationStatus"],
        "Detached"
    );
    a.ok(
        "PutSecretValue",
        json!({"SecretId": "shared", "SecretString": "p3"}),
    );
    assert_eq!(
        b.ok("GetSecretValue", json!({"SecretId": "copy"}))["SecretString"],
        "p2"
    );
    b.ok("StopReplicationToReplica", json!({"SecretId": "copy"}));
    b.ok(
        "PutSecretValue",
        json!({"SecretId": "copy", "SecretString": "own"}),
    );
    assert!(b
        .ok("DescribeSecret", json!({"SecretId": "copy"}))
        .get("CrossAccountPrimary")
        .is_none());
}
