"""Alibaba Cloud KMS secrets through the current Tea SDK (`alibabacloud_kms20160120`), in both
signature modes: ACS3-HMAC-SHA256 (the default: Action in `x-acs-action`, SecretData in the
form body) and `signature_algorithm='v2'` (RPC v1 HMAC-SHA1 query signatures)."""

import json
import threading
import uuid

import pytest
from alibabacloud_kms20160120 import models as kms
from alibabacloud_kms20160120.client import Client
from alibabacloud_tea_openapi import models as oa
from alibabacloud_tea_openapi.exceptions import ClientException
from conftest import Server

DEFAULT_ACCOUNT = "1000000000000000"

RDS_CONFIG = json.dumps(
    {"SecretSubType": "DoubleUsers", "DBInstanceId": "rm-test", "CustomData": {"team": "core"}}
)
RDS_DATA = json.dumps({"Accounts": [{"AccountName": "app", "AccountPassword": "initial-pw"}]})


def make_client(endpoint, mode, access_key_id="LTAI5tLocalTestKey"):
    cfg = oa.Config(
        access_key_id=access_key_id,
        access_key_secret="local-test-secret",
        region_id="cn-hangzhou",
        endpoint=endpoint.split("://", 1)[1],
        protocol="http",
    )
    if mode == "v2":
        cfg.signature_algorithm = "v2"
    return Client(cfg)


@pytest.fixture(params=["acs3", "v2"])
def mode(request):
    return request.param


@pytest.fixture
def client(endpoint, mode):
    return make_client(endpoint, mode)


def error_of(call):
    with pytest.raises(ClientException) as e:
        call()
    return e.value


def create_generic(client, name, data="s3cr3t value", version="v1", **kw):
    return client.create_secret(
        kms.CreateSecretRequest(secret_name=name, version_id=version, secret_data=data, **kw)
    ).body


def create_rds(client, name, **kw):
    return client.create_secret(
        kms.CreateSecretRequest(
            secret_name=name,
            version_id="v1",
            secret_type="Rds",
            secret_data=RDS_DATA,
            extended_config={"SecretSubType": "DoubleUsers", "DBInstanceId": "rm-test",
                             "CustomData": {"team": "core"}},
            **kw,
        )
    ).body


def get(client, name, **kw):
    return client.get_secret_value(kms.GetSecretValueRequest(secret_name=name, **kw)).body


def test_create_get_describe_list(client):
    created = create_generic(
        client,
        "app/db",
        data='{"user":"root","passwd":"p@ss w/ord"}',
        description="probe * desc ~",
        tags=json.dumps([{"TagKey": "env", "TagValue": "dev"}]),
        enable_automatic_rotation=False,
    )
    assert created.secret_name == "app/db"
    assert created.version_id == "v1"
    assert created.secret_type == "Generic"
    assert created.arn == f"acs:kms:cn-hangzhou:{DEFAULT_ACCOUNT}:secret/app/db"
    assert created.automatic_rotation is None  # only managed types report rotation

    v = get(client, "app/db", fetch_extended_config=True)
    assert v.secret_data == '{"user":"root","passwd":"p@ss w/ord"}'
    assert v.secret_data_type == "text"
    assert v.version_id == "v1"
    assert v.version_stages.version_stage == ["ACSCurrent"]
    assert v.create_time.endswith("Z") and len(v.create_time) == 20
    assert v.extended_config is None

    d = client.describe_secret(kms.DescribeSecretRequest(secret_name="app/db", fetch_tags="true")).body
    assert d.description == "probe * desc ~"
    assert d.arn == created.arn
    assert [(t.tag_key, t.tag_value) for t in d.tags.tag] == [("env", "dev")]
    assert d.planned_delete_time is None

    create_generic(client, "other")
    listed = client.list_secrets(
        kms.ListSecretsRequest(
            fetch_tags="true",
            filters=json.dumps([{"Key": "SecretName", "Values": ["app"]}]),
            page_number=1,
            page_size=10,
        )
    ).body
    assert listed.total_count == 1
    assert listed.page_number == 1 and listed.page_size == 10
    (s,) = listed.secret_list.secret
    assert s.secret_name == "app/db" and s.secret_type == "Generic"
    assert s.tags.tag[0].tag_key == "env"
    everything = client.list_secrets(kms.ListSecretsRequest()).body
    assert everything.total_count == 2
    assert everything.secret_list.secret[0].tags is None


def test_errors_carry_code_status_and_request_id(client):
    e = error_of(lambda: get(client, "missing"))
    assert e.code == "Forbidden.ResourceNotFound"
    assert e.status_code == 404
    assert e.request_id
    assert e.data["HostId"] == "kms.cn-hangzhou.aliyuncs.com"
    create_generic(client, "dup")
    e = error_of(lambda: create_generic(client, "dup"))
    assert (e.code, e.status_code) == ("Rejected.ResourceExist", 409)
    e = error_of(lambda: client.create_secret(kms.CreateSecretRequest(secret_name="x", version_id="v1")))
    assert (e.code, e.status_code) == ("MissingParameter", 400)
    assert "SecretData" in e.data["Message"]


def test_put_secret_value_stages_and_idempotency(client):
    create_generic(client, "s", data="one")
    put = lambda vid, data, **kw: client.put_secret_value(  # noqa: E731
        kms.PutSecretValueRequest(secret_name="s", version_id=vid, secret_data=data, **kw)
    ).body
    r = put("v2", "two")
    assert r.version_id == "v2" and r.version_stages.version_stage == ["ACSCurrent"]
    # Same VersionId and data: success, nothing new.
    assert put("v2", "two").version_id == "v2"
    ids = client.list_secret_version_ids(kms.ListSecretVersionIdsRequest(secret_name="s")).body
    assert ids.total_count == 2
    # Same VersionId, other data: conflict.
    e = error_of(lambda: put("v2", "changed"))
    assert (e.code, e.status_code) == ("Rejected.ResourceExist", 409)
    assert get(client, "s").secret_data == "two"
    assert get(client, "s", version_stage="ACSPrevious").version_id == "v1"
    # Explicit stages move only those.
    put("v3", "three", version_stages=json.dumps(["custom"]))
    assert get(client, "s").version_id == "v2"
    assert get(client, "s", version_stage="custom").secret_data == "three"
    assert get(client, "s", version_id="v1").secret_data == "one"


def test_update_secret_version_stage(client):
    create_generic(client, "s", data="one")
    client.put_secret_value(kms.PutSecretValueRequest(secret_name="s", version_id="v2", secret_data="two"))
    r = client.update_secret_version_stage(
        kms.UpdateSecretVersionStageRequest(secret_name="s", version_stage="ACSCurrent",
                                            move_to_version="v1", remove_from_version="v2")
    ).body
    assert r.secret_name == "s"
    assert get(client, "s").version_id == "v1"
    assert get(client, "s", version_stage="ACSPrevious").version_id == "v2"
    e = error_of(lambda: client.update_secret_version_stage(
        kms.UpdateSecretVersionStageRequest(secret_name="s", version_stage="ACSCurrent", remove_from_version="v1")))
    assert (e.code, e.status_code) == ("InvalidParameter", 400)
    client.update_secret_version_stage(
        kms.UpdateSecretVersionStageRequest(secret_name="s", version_stage="blue", move_to_version="v2"))
    client.update_secret_version_stage(
        kms.UpdateSecretVersionStageRequest(secret_name="s", version_stage="blue", remove_from_version="v2"))
    assert error_of(lambda: get(client, "s", version_stage="blue")).status_code == 404


def test_list_secret_version_ids_include_deprecated(client):
    create_generic(client, "s", data="0", version="v0")
    for i in range(1, 4):
        client.put_secret_value(kms.PutSecretValueRequest(secret_name="s", version_id=f"v{i}", secret_data=str(i)))
    live = client.list_secret_version_ids(kms.ListSecretVersionIdsRequest(secret_name="s")).body
    assert [v.version_id for v in live.version_ids.version_id] == ["v2", "v3"]
    all_ = client.list_secret_version_ids(
        kms.ListSecretVersionIdsRequest(secret_name="s", include_deprecated="true", page_size=2, page_number=2)).body
    assert all_.total_count == 4
    assert [v.version_id for v in all_.version_ids.version_id] == ["v2", "v3"]
    assert all_.version_ids.version_id[1].version_stages.version_stage == ["ACSCurrent"]


def test_update_secret(client):
    create_generic(client, "g")
    assert client.update_secret(kms.UpdateSecretRequest(secret_name="g", description="new")).body.secret_name == "g"
    assert client.describe_secret(kms.DescribeSecretRequest(secret_name="g")).body.description == "new"
    create_rds(client, "db")
    client.update_secret(kms.UpdateSecretRequest(
        secret_name="db", extended_config=kms.UpdateSecretRequestExtendedConfig(custom_data={"k": "v"})))
    d = client.describe_secret(kms.DescribeSecretRequest(secret_name="db")).body
    cfg = json.loads(d.extended_config)
    assert cfg["CustomData"] == {"k": "v"} and cfg["DBInstanceId"] == "rm-test"
    e = error_of(lambda: client.update_secret(kms.UpdateSecretRequest(
        secret_name="g", extended_config=kms.UpdateSecretRequestExtendedConfig(custom_data={"k": "v"}))))
    assert e.code == "InvalidParameter"


def test_rotate_managed_secret(client):
    c = create_rds(client, "db")
    assert c.automatic_rotation == "Disabled"
    assert json.loads(c.extended_config)["SecretSubType"] == "DoubleUsers"
    first = json.loads(get(client, "db").secret_data)
    assert first == {"AccountName": "app", "AccountPassword": "initial-pw"}
    r = client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id="r1")).body
    assert (r.secret_name, r.version_id) == ("db", "r1")
    assert r.arn == f"acs:kms:cn-hangzhou:{DEFAULT_ACCOUNT}:secret/db"
    cur = get(client, "db", fetch_extended_config=True)
    assert cur.version_id == "r1"
    assert cur.automatic_rotation == "Disabled"
    assert cur.last_rotation_date and cur.extended_config
    value = json.loads(cur.secret_data)
    assert value["AccountName"] == "app_clone"
    assert len(value["AccountPassword"]) >= 8 and value["AccountPassword"] != "initial-pw"
    assert get(client, "db", version_stage="ACSPrevious").version_id == "v1"
    # A repeated VersionId: success, nothing rotated.
    client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id="r1"))
    client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id="v1"))
    assert get(client, "db").secret_data == cur.secret_data
    ids = client.list_secret_version_ids(kms.ListSecretVersionIdsRequest(secret_name="db")).body
    assert ids.total_count == 2


def test_rotate_generic_secret_is_refused(client):
    create_generic(client, "g")
    e = error_of(lambda: client.rotate_secret(kms.RotateSecretRequest(secret_name="g", version_id="v2")))
    assert (e.code, e.status_code) == ("UnsupportedOperation", 400)
    assert "PutSecretValue" in e.data["Message"]


def test_ram_credentials_rotation_makes_a_new_key_pair(client):
    c = client.create_secret(kms.CreateSecretRequest(
        secret_name="$Auto", version_id="v1", secret_type="RAMCredentials",
        secret_data=json.dumps({"AccessKeys": [{"AccessKeyId": "LTAIold", "AccessKeySecret": "oldsecret"}]}),
        extended_config={"SecretSubType": "RamUserAccessKey", "UserName": "alice"})).body
    assert c.secret_name == "acs/ram/user/alice"
    client.rotate_secret(kms.RotateSecretRequest(secret_name=c.secret_name, version_id="v2"))
    k = json.loads(get(client, c.secret_name).secret_data)
    assert k["AccessKeyId"].startswith("LTAI") and k["AccessKeyId"] != "LTAIold"
    assert len(k["AccessKeySecret"]) == 30 and k["GenerateTimestamp"].endswith("Z")


def test_rotation_policy(client):
    create_rds(client, "db")
    client.update_secret_rotation_policy(kms.UpdateSecretRotationPolicyRequest(
        secret_name="db", enable_automatic_rotation=True, rotation_interval="7d"))
    d = client.describe_secret(kms.DescribeSecretRequest(secret_name="db")).body
    assert (d.automatic_rotation, d.rotation_interval) == ("Enabled", "604800s")
    assert d.next_rotation_date.endswith("Z")
    e = error_of(lambda: client.update_secret_rotation_policy(kms.UpdateSecretRotationPolicyRequest(
        secret_name="db", enable_automatic_rotation=True, rotation_interval="1h")))
    assert e.code == "InvalidParameter"
    client.update_secret_rotation_policy(kms.UpdateSecretRotationPolicyRequest(
        secret_name="db", enable_automatic_rotation=False))
    d = client.describe_secret(kms.DescribeSecretRequest(secret_name="db")).body
    assert d.automatic_rotation == "Disabled" and d.rotation_interval is None
    c = create_rds(client, "db2", enable_automatic_rotation=True, rotation_interval="12h")
    assert (c.automatic_rotation, c.rotation_interval) == ("Enabled", "43200s")
    assert c.next_rotation_date


def test_sixty_parallel_rotations_exactly_fifty_succeed(endpoint, mode):
    create_rds(make_client(endpoint, mode), "db")
    results = []
    lock = threading.Lock()

    def rotate(i):
        c = make_client(endpoint, mode)
        try:
            c.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id=f"r{i}"))
            outcome = "ok"
        except ClientException as e:
            outcome = (e.code, e.status_code)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=rotate, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 50
    assert results.count(("Rejected.Throttling", 429)) == 10
    # Retrying an admitted VersionId still succeeds; a new one does not.
    client = make_client(endpoint, mode)
    current = get(client, "db").version_id
    client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id=current))
    e = error_of(lambda: client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id="one-more")))
    assert (e.code, e.status_code) == ("Rejected.Throttling", 429)


def test_at_the_hourly_limit_a_retry_with_an_existing_version_id_succeeds(endpoint, mode):
    # "If a version number already exists, Secrets Manager ignores the request for rotation
    # and returns a success message": not a rotation, so the limit does not apply to it.
    client = make_client(endpoint, mode)
    created = create_rds(client, "db")
    for i in range(49):
        client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id=f"r{i}"))
    # Retries do not count: the fiftieth new VersionId is still admitted, the 51st is not.
    for _ in range(3):
        client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id="r45"))
    client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id="r49"))
    e = error_of(lambda: client.rotate_secret(
        kms.RotateSecretRequest(secret_name="db", version_id="r50")))
    assert (e.code, e.status_code) == ("Rejected.Throttling", 429)
    # At the limit: the first rotation's VersionId (its version long evicted by the version
    # cap), an earlier version without a stage, ACSPrevious and ACSCurrent answer as the
    # rotation that made them did, and nothing changes.
    before = get(client, "db")
    for version in ["r0", "r45", "r48", "r49"]:
        body = client.rotate_secret(
            kms.RotateSecretRequest(secret_name="db", version_id=version)).body
        assert {k: v for k, v in body.to_map().items() if k != "RequestId"} == {
            "SecretName": "db", "VersionId": version, "Arn": created.arn}
    after = get(client, "db")
    assert (after.version_id, after.secret_data) == (before.version_id, before.secret_data)
    # A new VersionId is still throttled.
    e = error_of(lambda: client.rotate_secret(
        kms.RotateSecretRequest(secret_name="db", version_id="r50")))
    assert (e.code, e.status_code) == ("Rejected.Throttling", 429)


def test_rotation_window_slides_with_the_server_clock(mode):
    # A server of its own: moving the clock must not age the shared server's secrets.
    own = Server()
    try:
        client = make_client(own.url, mode)
        create_rds(client, "db")
        for i in range(50):
            client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id=f"r{i}"))
        assert error_of(lambda: client.rotate_secret(
            kms.RotateSecretRequest(secret_name="db", version_id="x"))).status_code == 429
        status, _ = own.admin("POST", "/_localsecrets/clock", {"advance_seconds": 3000})
        assert status == 200
        assert error_of(lambda: client.rotate_secret(
            kms.RotateSecretRequest(secret_name="db", version_id="x"))).status_code == 429
        status, _ = own.admin("POST", "/_localsecrets/clock", {"advance_seconds": 601})
        assert status == 200
        client.rotate_secret(kms.RotateSecretRequest(secret_name="db", version_id="x"))
    finally:
        own.stop()


def test_deletion_window_and_restore(client):
    create_generic(client, "s")
    d = client.delete_secret(kms.DeleteSecretRequest(secret_name="s", recovery_window_in_days="7")).body
    assert d.planned_delete_time.endswith("Z")
    e = error_of(lambda: get(client, "s"))
    assert (e.code, e.status_code) == ("Rejected.ResourceInDeleteWindow", 409)
    e = error_of(lambda: client.put_secret_value(
        kms.PutSecretValueRequest(secret_name="s", version_id="v2", secret_data="x")))
    assert e.code == "Rejected.ResourceInDeleteWindow"
    desc = client.describe_secret(kms.DescribeSecretRequest(secret_name="s")).body
    assert desc.planned_delete_time == d.planned_delete_time
    assert client.restore_secret(kms.RestoreSecretRequest(secret_name="s")).body.secret_name == "s"
    assert get(client, "s").secret_data == "s3cr3t value"
    client.delete_secret(kms.DeleteSecretRequest(secret_name="s", force_delete_without_recovery="true"))
    assert error_of(lambda: client.describe_secret(kms.DescribeSecretRequest(secret_name="s"))).status_code == 404
    create_generic(client, "s")  # the name is free again


def test_batch_get_secret_value(client):
    create_generic(client, "a", data="A")
    create_generic(client, "b", data="B")
    r = client.batch_get_secret_value(kms.BatchGetSecretValueRequest(secrets_list=[
        kms.BatchGetSecretValueRequestSecretsList(secret_name="a"),
        kms.BatchGetSecretValueRequestSecretsList(secret_name="b", version_stage="ACSCurrent"),
        kms.BatchGetSecretValueRequestSecretsList(secret_name="nope"),
    ])).body
    assert [(v.secret_name, v.secret_data) for v in r.secret_values] == [("a", "A"), ("b", "B")]
    (err,) = r.errors
    assert (err.secret_name, err.code, err.http_status) == ("nope", "Forbidden.ResourceNotFound", 404)


def test_random_password(client):
    p = client.get_random_password(kms.GetRandomPasswordRequest(
        password_length="20", exclude_punctuation="true", exclude_characters="abc")).body.random_password
    assert len(p) == 20 and p.isalnum() and not set(p) & set("abc")
    assert len(client.get_random_password(kms.GetRandomPasswordRequest()).body.random_password) == 32
    e = error_of(lambda: client.get_random_password(kms.GetRandomPasswordRequest(password_length="200")))
    assert e.code == "InvalidParameter"


def test_secret_policy(client):
    create_generic(client, "s")
    default = json.loads(client.get_secret_policy(kms.GetSecretPolicyRequest(secret_name="s")).body.policy)
    assert default["Version"] == "1"
    assert default["Statement"][0]["Principal"]["RAM"] == [f"acs:ram::{DEFAULT_ACCOUNT}:*"]
    policy = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Principal": {"RAM": ["acs:ram::1:*"]},
                                                        "Action": ["kms:GetSecretValue"], "Resource": ["*"]}]})
    client.set_secret_policy(kms.SetSecretPolicyRequest(secret_name="s", policy=policy, policy_name="default"))
    got = client.get_secret_policy(kms.GetSecretPolicyRequest(secret_name="s", policy_name="default")).body
    assert json.loads(got.policy) == json.loads(policy)


def test_tag_operations(client):
    create_generic(client, "a")
    create_generic(client, "b")
    client.tag_resource(kms.TagResourceRequest(secret_name="a", tags=json.dumps([{"TagKey": "env", "TagValue": "dev"}])))
    client.tag_resources(kms.TagResourcesRequest(
        region_id="cn-hangzhou", resource_type="secret", resource_id=["a", "b"],
        tag=[kms.TagResourcesRequestTag(key="team", value="core")]))
    rows = client.list_tag_resources(kms.ListTagResourcesRequest(region_id="cn-hangzhou", resource_type="secret")).body
    got = sorted((t.resource_id, t.tag_key, t.tag_value) for t in rows.tag_resources.tag_resource)
    assert got == [("a", "env", "dev"), ("a", "team", "core"), ("b", "team", "core")]
    assert not rows.next_token
    rows = client.list_tag_resources(kms.ListTagResourcesRequest(
        region_id="cn-hangzhou", resource_type="secret", resource_id=["b"])).body
    assert [(t.resource_id, t.tag_key) for t in rows.tag_resources.tag_resource] == [("b", "team")]
    client.untag_resource(kms.UntagResourceRequest(secret_name="a", tag_keys=json.dumps(["env"])))
    client.untag_resources(kms.UntagResourcesRequest(
        region_id="cn-hangzhou", resource_type="secret", resource_id=["a", "b"], tag_key=["team"]))
    rows = client.list_tag_resources(kms.ListTagResourcesRequest(region_id="cn-hangzhou", resource_type="secret")).body
    assert rows.tag_resources.tag_resource == []
    e = error_of(lambda: client.list_resource_tags(kms.ListResourceTagsRequest(key_id="key-123")))
    assert (e.code, e.status_code) == ("Forbidden.KeyNotFound", 404)


def test_account_isolation(endpoint, mode):
    a = make_client(endpoint, mode, access_key_id="1111222233334444")
    b = make_client(endpoint, mode, access_key_id="5555666677778888")
    created = create_generic(a, "shared-name", data="for a")
    assert created.arn == "acs:kms:cn-hangzhou:1111222233334444:secret/shared-name"
    assert error_of(lambda: get(b, "shared-name")).status_code == 404
    assert error_of(lambda: get(b, created.arn)).code == "Forbidden.NoPermission"
    assert b.list_secrets(kms.ListSecretsRequest()).body.total_count == 0
    create_generic(b, "shared-name", data="for b")
    assert get(a, "shared-name").secret_data == "for a"
    assert get(b, "shared-name").secret_data == "for b"
    assert get(a, created.arn).secret_data == "for a"


def test_unique_request_ids(client):
    create_generic(client, "s")
    ids = {client.describe_secret(kms.DescribeSecretRequest(secret_name="s")).body.request_id for _ in range(3)}
    assert len(ids) == 3
    assert all(uuid.UUID(i) for i in ids)
