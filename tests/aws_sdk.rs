//! AWS Secrets Manager through the official Rust SDK (`aws-sdk-secretsmanager`) against the
//! spawned release binary: every operation this SDK version models, with its own request
//! building, error parsing and paginators.

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError;
use aws_sdk_secretsmanager::primitives::Blob;
use aws_sdk_secretsmanager::types::{
    Filter, FilterNameStringType, ReplicaRegionType, RotationRulesType, SortOrderType, StatusType,
    Tag,
};
use aws_sdk_secretsmanager::{Client, Config};
use localsecrets_tests::Server;
use std::collections::BTreeMap;

const LAMBDA: &str = "arn:aws:lambda:us-east-1:111111111111:function:rotate";

fn client(server: &Server, region: &str, key: &str) -> Client {
    let conf = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(&server.url)
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(key, "secret", None, None, "test"))
        .build();
    Client::from_conf(conf)
}

fn sm(server: &Server) -> Client {
    client(server, "us-east-1", "111111111111")
}

/// The code and message of a failed call.
fn failure(e: impl ProvideErrorMetadata) -> (String, String) {
    (
        e.code().unwrap_or_default().to_owned(),
        e.message().unwrap_or_default().to_owned(),
    )
}

async fn stages(sm: &Client, id: &str, deprecated: bool) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut token = None;
    loop {
        let page = sm
            .list_secret_version_ids()
            .secret_id(id)
            .include_deprecated(deprecated)
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        for v in page.versions() {
            let mut labels = v.version_stages().to_vec();
            labels.sort();
            out.insert(v.version_id().unwrap().to_owned(), labels);
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return out;
        }
    }
}

fn labels(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn lifecycle() {
    let server = Server::start();
    let sm = sm(&server);
    let created = sm
        .create_secret()
        .name("rust/db")
        .secret_string("s3cret")
        .description("d")
        .send()
        .await
        .unwrap();
    let arn = created.arn().unwrap().to_owned();
    assert!(arn.starts_with("arn:aws:secretsmanager:us-east-1:111111111111:secret:rust/db-"));
    for id in [arn.as_str(), "rust/db", &arn[..arn.len() - 7]] {
        let v = sm.get_secret_value().secret_id(id).send().await.unwrap();
        assert_eq!(v.secret_string(), Some("s3cret"));
        assert_eq!(v.version_id(), created.version_id());
        assert_eq!(v.version_stages(), ["AWSCURRENT"]);
    }
    let d = sm
        .describe_secret()
        .secret_id("rust/db")
        .send()
        .await
        .unwrap();
    assert_eq!(d.description(), Some("d"));
    assert!(d.last_accessed_date().is_some());
    assert_eq!(d.rotation_enabled(), None);
    let blob = Blob::new(vec![0u8, 1, 2, 255]);
    let put = sm
        .put_secret_value()
        .secret_id("rust/db")
        .secret_binary(blob.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(put.version_stages(), ["AWSCURRENT"]);
    let v = sm
        .get_secret_value()
        .secret_id("rust/db")
        .send()
        .await
        .unwrap();
    assert_eq!(v.secret_binary(), Some(&blob));
    let u = sm
        .update_secret()
        .secret_id(&arn)
        .description("new")
        .send()
        .await
        .unwrap();
    assert_eq!(u.version_id(), None);
    let deleted = sm
        .delete_secret()
        .secret_id("rust/db")
        .recovery_window_in_days(7)
        .send()
        .await
        .unwrap();
    assert!(deleted.deletion_date().is_some());
    let (code, message) = failure(
        sm.get_secret_value()
            .secret_id("rust/db")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "InvalidRequestException");
    assert_eq!(
        message,
        "You can't perform this operation on the secret because it was marked for deletion."
    );
    sm.restore_secret()
        .secret_id("rust/db")
        .send()
        .await
        .unwrap();
    sm.delete_secret()
        .secret_id("rust/db")
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
    let e = sm
        .get_secret_value()
        .secret_id("rust/db")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(e, GetSecretValueError::ResourceNotFoundException(_)),
        "{e:?}"
    );
    assert_eq!(
        e.message(),
        Some("Secrets Manager can't find the specified secret.")
    );
    let (code, _) = failure(
        sm.create_secret()
            .name("bad name")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "ValidationException");
}

#[tokio::test]
async fn idempotency_and_labels() {
    let server = Server::start();
    let sm = sm(&server);
    let token = "00000000-0000-4000-8000-000000000001";
    let a = sm
        .create_secret()
        .name("lbl")
        .secret_string("S1")
        .client_request_token(token)
        .send()
        .await
        .unwrap();
    let b = sm
        .create_secret()
        .name("lbl")
        .secret_string("S1")
        .client_request_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(a.version_id(), Some(token));
    assert_eq!(b.version_id(), Some(token));
    let (code, _) = failure(
        sm.create_secret()
            .name("lbl")
            .secret_string("other")
            .client_request_token(token)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "ResourceExistsException");
    let v1 = sm
        .put_secret_value()
        .secret_id("lbl")
        .secret_string("S2")
        .version_stages("AWSPENDING")
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_owned();
    let (code, message) = failure(
        sm.update_secret_version_stage()
            .secret_id("lbl")
            .version_stage("AWSCURRENT")
            .move_to_version_id(&v1)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains(token), "{message}");
    sm.update_secret_version_stage()
        .secret_id("lbl")
        .version_stage("AWSCURRENT")
        .move_to_version_id(&v1)
        .remove_from_version_id(token)
        .send()
        .await
        .unwrap();
    let s = stages(&sm, "lbl", false).await;
    assert_eq!(s[token], labels(&["AWSPREVIOUS"]));
    assert_eq!(s[&v1], labels(&["AWSCURRENT", "AWSPENDING"]));
    let v2 = sm
        .update_secret()
        .secret_id("lbl")
        .secret_string("S3")
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_owned();
    let s = stages(&sm, "lbl", true).await;
    assert_eq!(s[token], Vec::<String>::new());
    assert_eq!(s[&v1], labels(&["AWSPREVIOUS"]));
    assert_eq!(s[&v2], labels(&["AWSCURRENT"]));
}

#[tokio::test]
async fn rotation() {
    let server = Server::start();
    let sm = sm(&server);
    let v1 = sm
        .create_secret()
        .name("rot")
        .secret_string(r#"{"username":"u","password":"p"}"#)
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_owned();
    let (code, message) = failure(
        sm.rotate_secret()
            .secret_id("rot")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "InvalidRequestException",
            "No Lambda rotation function ARN is associated with this secret."
        )
    );
    let r = sm
        .rotate_secret()
        .secret_id("rot")
        .rotation_lambda_arn(LAMBDA)
        .rotation_rules(
            RotationRulesType::builder()
                .automatically_after_days(3)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let v2 = r.version_id().unwrap().to_owned();
    let d = sm.describe_secret().secret_id("rot").send().await.unwrap();
    assert_eq!(d.rotation_enabled(), Some(true));
    assert_eq!(d.rotation_lambda_arn(), Some(LAMBDA));
    assert_eq!(
        d.rotation_rules()
            .and_then(|r| r.automatically_after_days()),
        Some(3)
    );
    let (last, next) = (
        d.last_rotated_date().unwrap(),
        d.next_rotation_date().unwrap(),
    );
    assert_eq!(next.secs() - last.secs(), 3 * 86_400);
    let map = d.version_ids_to_stages().unwrap();
    assert_eq!(map[&v1], labels(&["AWSPREVIOUS"]));
    assert_eq!(map[&v2], labels(&["AWSCURRENT"]));
    let value: serde_json::Value = serde_json::from_str(
        sm.get_secret_value()
            .secret_id("rot")
            .send()
            .await
            .unwrap()
            .secret_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(value["username"], "u");
    assert_ne!(value["password"], "p");
    let v3 = sm
        .rotate_secret()
        .secret_id("rot")
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_owned();
    let s = stages(&sm, "rot", false).await;
    assert_eq!(s.len(), 2);
    assert_eq!(s[&v3], labels(&["AWSCURRENT"]));
    sm.cancel_rotate_secret()
        .secret_id("rot")
        .send()
        .await
        .unwrap();
    let d = sm.describe_secret().secret_id("rot").send().await.unwrap();
    assert_eq!(d.rotation_enabled(), Some(false));
}

#[tokio::test]
async fn listing_tags_policies_passwords_batches() {
    let server = Server::start();
    let sm = sm(&server);
    for i in 0..5 {
        sm.create_secret()
            .name(format!("list/{i}"))
            .secret_string(format!("v{i}"))
            .tags(Tag::builder().key("n").value(i.to_string()).build())
            .send()
            .await
            .unwrap();
    }
    let mut pages = sm.list_secrets().max_results(2).into_paginator().send();
    let mut names = vec![];
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        assert!(page.secret_list().len() <= 2);
        names.extend(
            page.secret_list()
                .iter()
                .map(|s| s.name().unwrap().to_owned()),
        );
    }
    assert_eq!(
        names,
        (0..5).map(|i| format!("list/{i}")).collect::<Vec<_>>()
    );
    let filtered = sm
        .list_secrets()
        .filters(
            Filter::builder()
                .key(FilterNameStringType::TagValue)
                .values("!3")
                .build(),
        )
        .sort_order(SortOrderType::Desc)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = filtered
        .secret_list()
        .iter()
        .map(|s| s.name().unwrap())
        .collect();
    assert_eq!(names, ["list/4", "list/2", "list/1", "list/0"]);
    let (code, _) = failure(
        sm.list_secrets()
            .next_token("forged")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "InvalidNextTokenException");
    sm.untag_resource()
        .secret_id("list/0")
        .tag_keys("n")
        .send()
        .await
        .unwrap();
    let d = sm
        .describe_secret()
        .secret_id("list/0")
        .send()
        .await
        .unwrap();
    assert_eq!(d.tags(), []);
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
    let (code, _) = failure(
        sm.put_resource_policy()
            .secret_id("list/0")
            .resource_policy(policy)
            .block_public_policy(true)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "PublicPolicyException");
    sm.put_resource_policy()
        .secret_id("list/0")
        .resource_policy(policy)
        .send()
        .await
        .unwrap();
    let got = sm
        .get_resource_policy()
        .secret_id("list/0")
        .send()
        .await
        .unwrap();
    assert_eq!(got.resource_policy(), Some(policy));
    let check = sm
        .validate_resource_policy()
        .resource_policy(policy)
        .send()
        .await
        .unwrap();
    assert!(!check.policy_validation_passed());
    sm.delete_resource_policy()
        .secret_id("list/0")
        .send()
        .await
        .unwrap();
    let pw = sm
        .get_random_password()
        .password_length(64)
        .exclude_punctuation(true)
        .send()
        .await
        .unwrap();
    let pw = pw.random_password().unwrap();
    assert_eq!(pw.len(), 64);
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));
    let batch = sm
        .batch_get_secret_value()
        .secret_id_list("list/1")
        .secret_id_list("missing")
        .send()
        .await
        .unwrap();
    assert_eq!(batch.secret_values()[0].secret_string(), Some("v1"));
    assert_eq!(
        batch.errors()[0].error_code(),
        Some("ResourceNotFoundException")
    );
}

#[tokio::test]
async fn region_replicas() {
    let server = Server::start();
    let us = sm(&server);
    let eu = client(&server, "eu-west-1", "111111111111");
    let r = us
        .create_secret()
        .name("rep")
        .secret_string("v1")
        .add_replica_regions(ReplicaRegionType::builder().region("eu-west-1").build())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.replication_status()[0].status(),
        Some(&StatusType::InSync)
    );
    let get = |c: &Client| {
        let c = c.clone();
        async move {
            c.get_secret_value()
                .secret_id("rep")
                .send()
                .await
                .map(|v| v.secret_string().unwrap().to_owned())
        }
    };
    assert_eq!(get(&eu).await.unwrap(), "v1");
    us.put_secret_value()
        .secret_id("rep")
        .secret_string("v2")
        .send()
        .await
        .unwrap();
    assert_eq!(get(&eu).await.unwrap(), "v2");
    let (code, _) = failure(
        eu.put_secret_value()
            .secret_id("rep")
            .secret_string("x")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(code, "InvalidParameterException");
    us.remove_regions_from_replication()
        .secret_id("rep")
        .remove_replica_regions("eu-west-1")
        .send()
        .await
        .unwrap();
    assert!(get(&eu).await.is_err());
    us.replicate_secret_to_regions()
        .secret_id("rep")
        .add_replica_regions(ReplicaRegionType::builder().region("eu-west-1").build())
        .send()
        .await
        .unwrap();
    eu.stop_replication_to_replica()
        .secret_id("rep")
        .send()
        .await
        .unwrap();
    eu.put_secret_value()
        .secret_id("rep")
        .secret_string("eu")
        .send()
        .await
        .unwrap();
    assert_eq!(get(&eu).await.unwrap(), "eu");
    assert_eq!(get(&us).await.unwrap(), "v2");
}
