//! AWS wire behaviour of the real binary without an SDK: every operation of the service
//! model answers bad input with a 4xx in AWS's error shape — never a 5xx, a hang or a
//! partial write — and good input with `application/x-amz-json-1.1` and a request id.

use localsecrets_tests::Server;
use serde_json::{json, Value};

const OPERATIONS: [&str; 26] = [
    "AssociateCrossAccountReplica",
    "BatchGetSecretValue",
    "CancelRotateSecret",
    "CreateSecret",
    "DeleteResourcePolicy",
    "DeleteSecret",
    "DescribeSecret",
    "DisassociateCrossAccountReplica",
    "GetRandomPassword",
    "GetResourcePolicy",
    "GetSecretValue",
    "ListResourcePolicies",
    "ListSecretVersionIds",
    "ListSecrets",
    "PutResourcePolicy",
    "PutSecretValue",
    "RemoveRegionsFromReplication",
    "ReplicateSecretToRegions",
    "RestoreSecret",
    "RotateSecret",
    "StopReplicationToReplica",
    "TagResource",
    "UntagResource",
    "UpdateSecret",
    "UpdateSecretVersionStage",
    "ValidateResourcePolicy",
];

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=111111111111/20240101/us-east-1/secretsmanager/\
                    aws4_request, SignedHeaders=host, Signature=0";

fn call(server: &Server, op: &str, body: &[u8]) -> (u16, Value) {
    let target = format!("secretsmanager.{op}");
    let r = server.call(
        "POST",
        "/",
        &[
            ("x-amz-target", &target),
            ("content-type", "application/x-amz-json-1.1"),
            ("authorization", AUTH),
        ],
        body,
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-amz-json-1.1"),
        "{op}"
    );
    assert!(r.header("x-amzn-requestid").is_some(), "{op}");
    let v = r.json();
    if r.status != 200 {
        assert_eq!(r.header("x-amzn-errortype"), v["__type"].as_str(), "{op}");
    }
    (r.status, v)
}

/// Bodies that are wrong in every way a caller gets them wrong.
fn bad_bodies() -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = [
        "{",
        "[]",
        "null",
        "\"text\"",
        "42",
        "{\"SecretId\": 1}",
        "{\"SecretId\": null}",
        "{\"SecretId\": [\"a\"]}",
        "{\"SecretId\": {\"a\": 1}}",
        "{\"SecretId\": \"\"}",
        "{\"SecretId\": \"bad name\"}",
        "{\"SecretId\": \"arn:aws:secretsmanager\"}",
        "{\"Name\": 5, \"SecretString\": 5}",
        "{\"SecretId\": \"x\", \"MaxResults\": -1, \"NextToken\": \"\"}",
        "{\"SecretId\": \"x\", \"MaxResults\": 1.5}",
        "{\"SecretId\": \"x\", \"Tags\": {\"Key\": \"a\"}}",
        "{\"SecretId\": \"x\", \"TagKeys\": [1]}",
        "{\"SecretId\": \"x\", \"Filters\": [{\"Key\": 1}]}",
        "{\"SecretId\": \"x\", \"RotationRules\": \"daily\"}",
        "{\"SecretId\": \"x\", \"SecretBinary\": \"not base64!\"}",
        "{\"SecretId\": \"x\", \"AddReplicaRegions\": [{\"Region\": \"Mars\"}]}",
        "{\"SecretId\": \"x\", \"VersionStages\": []}",
        "{\"PasswordLength\": 0}",
        "{\"PasswordLength\": 99999999999999999999}",
        "\u{0}\u{1}",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    bodies.push(vec![0xff, 0xfe, 0x00]);
    bodies.push(format!("{{\"SecretId\": \"{}\"}}", "a".repeat(5000)).into_bytes());
    bodies
}

#[test]
fn bad_input_is_always_a_4xx_in_aws_shape() {
    let server = Server::start();
    // Something to find, so requests also reach the checks behind the lookup.
    let (status, _) = call(
        &server,
        "CreateSecret",
        br#"{"Name": "x", "SecretString": "v", "ClientRequestToken": "00000000-0000-4000-8000-000000000001"}"#,
    );
    assert_eq!(status, 200);
    for op in OPERATIONS {
        for body in bad_bodies() {
            let (status, v) = call(&server, op, &body);
            let shown = String::from_utf8_lossy(&body);
            assert!(
                status == 200 || (400..500).contains(&status),
                "{op} {shown}: {status} {v}"
            );
            if status != 200 {
                assert!(
                    v["__type"].is_string() && v["Message"].is_string(),
                    "{op} {shown}: {v}"
                );
            }
        }
    }
    // The secret is as it was: no bad request wrote anything.
    let (_, v) = call(&server, "GetSecretValue", br#"{"SecretId": "x"}"#);
    assert_eq!(v["SecretString"], "v");
    let (_, v) = call(
        &server,
        "ListSecretVersionIds",
        br#"{"SecretId": "x", "IncludeDeprecated": true}"#,
    );
    assert_eq!(v["Versions"].as_array().map(Vec::len), Some(1));
}

#[test]
fn unknown_operations_and_methods() {
    let server = Server::start();
    let (status, v) = call(&server, "GetSecretValues", b"{}");
    assert_eq!(
        (status, v["__type"].as_str()),
        (400, Some("UnknownOperationException"))
    );
    for op in OPERATIONS {
        let (status, v) = call(&server, op, b"{}");
        assert_ne!(v["__type"], "UnknownOperationException", "{op}");
        assert!(status < 500, "{op}: {v}");
    }
}

#[test]
fn answers_carry_epoch_seconds_and_base64() {
    let server = Server::start();
    let body = json!({"Name": "b", "SecretBinary": "AAEC/w==",
                      "ClientRequestToken": "00000000-0000-4000-8000-000000000002"});
    let (status, _) = call(&server, "CreateSecret", body.to_string().as_bytes());
    assert_eq!(status, 200);
    let (_, v) = call(&server, "GetSecretValue", br#"{"SecretId": "b"}"#);
    assert_eq!(v["SecretBinary"], "AAEC/w==");
    assert!(v["CreatedDate"].is_f64(), "{v}");
    assert!(v.get("SecretString").is_none());
    let (_, v) = call(&server, "DescribeSecret", br#"{"SecretId": "b"}"#);
    for absent in [
        "Description",
        "Tags",
        "RotationEnabled",
        "DeletedDate",
        "KmsKeyId",
    ] {
        assert!(v.get(absent).is_none(), "{absent} in {v}");
    }
    assert!(v.as_object().unwrap().values().all(|x| !x.is_null()));
}
