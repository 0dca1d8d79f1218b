"""The shipped scenarios in fixtures/, each loaded two ways — through the admin API
(POST /_localsecrets/fixtures) and at start (--fixtures fixtures/, the whole directory) — and
then exercised through the clouds' own SDKs: boto3, the Alibaba Tea SDK and huaweicloudsdkcsms.
Scenarios that need the clock moved run on a server of their own."""

import base64
import datetime
import json
import os
import urllib.request

import boto3
import pytest
from alibabacloud_kms20160120 import models as kms
from alibabacloud_kms20160120.client import Client as KmsClient
from alibabacloud_tea_openapi import models as oa
from alibabacloud_tea_openapi.exceptions import ClientException
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import ROOT, Server
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcsms.v1 import CsmsClient
from huaweicloudsdkcsms.v1.model import (
    ListSecretVersionsRequest,
    ListSecretsRequest,
    RestoreSecretRequest,
    ShowSecretRequest,
    ShowSecretVersionRequest,
)

FIXTURES = os.path.join(ROOT, "fixtures")
PROJECT = "0123456789abcdef0123456789abcdef"
SCENARIOS = [
    "multi-cloud-starter.json",
    "aws-rotation-stuck.json",
    "alibaba-rotation-quota.json",
    "huawei-scheduled-deletion.json",
    "deprecated-versions.json",
]
DAY_MS = 86_400_000


def aws(url, region="us-east-1"):
    # A non-numeric access key is the default account 000000000000.
    return boto3.client(
        "secretsmanager",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="AKIDFIXTURES",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}),
    )


def alibaba(url):
    return KmsClient(oa.Config(
        access_key_id="LTAI5tFixtures",
        access_key_secret="secret",
        region_id="cn-hangzhou",
        endpoint=url.split("://", 1)[1],
        protocol="http",
    ))


def huawei(url):
    creds = BasicCredentials("HWFIXTURESAK000000", "secret-key", PROJECT)
    return CsmsClient.new_builder().with_credentials(creds).with_endpoints([url]).build()


def server_now(url):
    """The server's clock in epoch seconds (other suites may have moved it ahead of ours)."""
    with urllib.request.urlopen(url + "/_localsecrets/clock", timeout=10) as r:
        now = json.loads(r.read())["now"]
    return datetime.datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp()


def read(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def load(server, name):
    """POSTs a shipped file; returns the loaded summary."""
    doc = json.loads(read(name))
    status, body = server.admin("POST", f"/_localsecrets/fixtures?name={name}", doc)
    assert status == 200, body
    assert body["loaded"]["secrets"] == len(doc["secrets"])
    assert body["loaded"]["source"] == name
    return body["loaded"]


@pytest.fixture(scope="module")
def started():
    """A server that loaded the whole fixtures/ directory at start."""
    s = Server("--fixtures", FIXTURES)
    yield s
    log = s.stop()
    for name in SCENARIOS:
        assert f"fixtures loaded source={os.path.join(FIXTURES, name)}" in log, log


@pytest.fixture(params=["admin", "start"])
def scenario(request, server):
    """Returns a loader: `scenario(name)` gives the URL of a server holding that scenario."""
    if request.param == "start":
        started = request.getfixturevalue("started")
        return lambda name: started.url

    def via_admin(name):
        status, _ = server.admin("POST", "/_localsecrets/reset")
        assert status == 200
        load(server, name)
        return server.url

    return via_admin


def test_multi_cloud_starter(scenario):
    url = scenario("multi-cloud-starter.json")
    sm = aws(url)
    current = json.loads(sm.get_secret_value(SecretId="starter/db-credentials")["SecretString"])
    assert current["password"] == "starter-password" and current["port"] == 5432
    old = sm.get_secret_value(SecretId="starter/db-credentials", VersionStage="AWSPREVIOUS")
    assert json.loads(old["SecretString"])["password"] == "starter-old-password"
    d = sm.describe_secret(SecretId="starter/db-credentials")
    assert d["Tags"] == [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "platform"}]
    assert d["Description"] == "Database login of the starter app"
    assert d["ARN"].startswith("arn:aws:secretsmanager:us-east-1:000000000000:secret:")
    # Relative times: created 90 days before loading.
    age = server_now(url) - d["CreatedDate"].timestamp()
    assert 89 * 86_400 < age < 91 * 86_400
    assert sm.get_secret_value(SecretId="starter/signing-key")["SecretBinary"] == bytes(range(16))
    names = {s["Name"] for s in sm.list_secrets()["SecretList"]}
    assert {"starter/db-credentials", "starter/api-key", "starter/signing-key"} <= names

    ali = alibaba(url)
    v = ali.get_secret_value(kms.GetSecretValueRequest(secret_name="starter-db-password")).body
    assert (v.secret_data, v.version_id, v.version_stages.version_stage) == (
        "starter-password", "v2", ["ACSCurrent"])
    v = ali.get_secret_value(kms.GetSecretValueRequest(
        secret_name="starter-db-password", version_stage="ACSPrevious")).body
    assert (v.secret_data, v.version_id) == ("starter-old-password", "v1")
    v = ali.get_secret_value(kms.GetSecretValueRequest(secret_name="starter-config")).body
    assert v.secret_data_type == "binary"
    assert base64.b64decode(v.secret_data) == b"\x00starter\xff"

    hw = huawei(url)
    latest = hw.show_secret_version(
        ShowSecretVersionRequest(secret_name="starter-db-password", version_id="latest")).version
    assert latest.secret_string == "starter-password"
    assert latest.version_metadata.id == "v2"
    versions = hw.list_secret_versions(
        ListSecretVersionsRequest(secret_name="starter-db-password")).version_metadatas
    assert sorted(v.id for v in versions) == ["v1", "v2"]
    names = {s.name for s in hw.list_secrets(ListSecretsRequest()).secrets}
    assert {"starter-db-password", "starter-token"} <= names


def test_aws_rotation_stuck(scenario):
    sm = aws(scenario("aws-rotation-stuck.json"))
    name = "stuck/db-password"
    pending = "5f1c2a9e-0000-4000-8000-000000000002"
    with pytest.raises(ClientError) as e:
        sm.rotate_secret(SecretId=name)
    assert e.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "previous rotation isn't complete" in e.value.response["Error"]["Message"]
    d = sm.describe_secret(SecretId=name)
    assert d["RotationEnabled"] is True
    assert d["RotationLambdaARN"].endswith(":function:rotate-db-password")
    assert d["VersionIdsToStages"] == {
        "5f1c2a9e-0000-4000-8000-000000000001": ["AWSCURRENT"],
        pending: ["AWSPENDING"],
    }
    assert json.loads(sm.get_secret_value(SecretId=name, VersionStage="AWSPENDING")
                      ["SecretString"])["password"] == "half-rotated-password"
    # Clearing the stuck label is how AWS users recover; then rotation works again.
    sm.update_secret_version_stage(
        SecretId=name, VersionStage="AWSPENDING", RemoveFromVersionId=pending)
    rotated = sm.rotate_secret(SecretId=name)["VersionId"]
    stages = sm.describe_secret(SecretId=name)["VersionIdsToStages"]
    assert stages[rotated] == ["AWSCURRENT"]
    assert stages["5f1c2a9e-0000-4000-8000-000000000001"] == ["AWSPREVIOUS"]


def throttled(client, name, version_id):
    with pytest.raises(ClientException) as e:
        client.rotate_secret(kms.RotateSecretRequest(secret_name=name, version_id=version_id))
    return e.value.code, e.value.status_code


def test_alibaba_rotation_quota(scenario):
    ali = alibaba(scenario("alibaba-rotation-quota.json"))
    assert throttled(ali, "quota/rds-app", "rotation-51") == ("Rejected.Throttling", 429)
    v = ali.get_secret_value(kms.GetSecretValueRequest(secret_name="quota/rds-app")).body
    assert v.version_id == "rotation-50"
    assert json.loads(v.secret_data) == {"AccountName": "app", "AccountPassword": "current-password"}
    d = ali.describe_secret(kms.DescribeSecretRequest(secret_name="quota/rds-app")).body
    assert d.secret_type == "Rds" and d.automatic_rotation == "Enabled"


def test_alibaba_rotation_quota_window_slides():
    own = Server("--fixtures", os.path.join(FIXTURES, "alibaba-rotation-quota.json"))
    try:
        ali = alibaba(own.url)
        assert throttled(ali, "quota/rds-app", "rotation-51") == ("Rejected.Throttling", 429)
        # The oldest of the 50 rotations was 59 minutes before loading.
        status, _ = own.admin("POST", "/_localsecrets/clock", {"advance_seconds": 90})
        assert status == 200
        ali.rotate_secret(kms.RotateSecretRequest(secret_name="quota/rds-app", version_id="rotation-51"))
        v = ali.get_secret_value(kms.GetSecretValueRequest(secret_name="quota/rds-app")).body
        assert v.version_id == "rotation-51"
        assert json.loads(v.secret_data)["AccountPassword"] != "current-password"
        assert throttled(ali, "quota/rds-app", "rotation-52") == ("Rejected.Throttling", 429)
    finally:
        own.stop()


def hw_error(call, *args):
    with pytest.raises(ClientRequestException) as e:
        call(*args)
    return e.value.status_code, e.value.error_code


def test_huawei_scheduled_deletion(scenario):
    url = scenario("huawei-scheduled-deletion.json")
    hw = huawei(url)
    s = hw.show_secret(ShowSecretRequest(secret_name="retired-api-token")).secret
    assert s.state == "PENDING_DELETE"
    left = s.scheduled_delete_time - server_now(url) * 1000
    assert 4 * DAY_MS - 3_600_000 < left <= 4 * DAY_MS
    listed = {x.name: x.state for x in hw.list_secrets(ListSecretsRequest()).secrets}
    assert listed["retired-api-token"] == "PENDING_DELETE"
    assert hw_error(hw.show_secret_version, ShowSecretVersionRequest(
        secret_name="retired-api-token", version_id="latest"))[1] == "CSMS.0103"
    restored = hw.restore_secret(RestoreSecretRequest(secret_name="retired-api-token")).secret
    assert restored.state == "ENABLED"
    v = hw.show_secret_version(ShowSecretVersionRequest(
        secret_name="retired-api-token", version_id="latest")).version
    assert (v.secret_string, v.version_metadata.id) == ("retired-token-2", "v2")


def test_huawei_scheduled_deletion_ends_in_a_purge():
    own = Server("--fixtures", os.path.join(FIXTURES, "huawei-scheduled-deletion.json"))
    try:
        hw = huawei(own.url)
        assert hw.show_secret(ShowSecretRequest(secret_name="retired-api-token")).secret.state \
            == "PENDING_DELETE"
        status, _ = own.admin("POST", "/_localsecrets/clock", {"advance_seconds": 4 * 86_400 + 60})
        assert status == 200
        assert hw_error(hw.show_secret, ShowSecretRequest(secret_name="retired-api-token"))[1] \
            == "CSMS.0106"
        assert "retired-api-token" not in {
            x.name for x in hw.list_secrets(ListSecretsRequest()).secrets}
    finally:
        own.stop()


def test_deprecated_versions(scenario):
    url = scenario("deprecated-versions.json")
    sm = aws(url)
    name = "legacy/app-password"

    def versions(**kw):
        return {v["VersionId"][-1]: v.get("VersionStages", [])
                for v in sm.list_secret_version_ids(SecretId=name, **kw)["Versions"]}

    assert versions() == {"4": ["AWSPREVIOUS"], "5": ["AWSCURRENT"]}
    assert versions(IncludeDeprecated=True) == {
        "1": [], "2": [], "3": [], "4": ["AWSPREVIOUS"], "5": ["AWSCURRENT"]}
    old = sm.get_secret_value(SecretId=name, VersionId="d0000000-0000-4000-8000-000000000001")
    assert old["SecretString"] == "password-1" and not old.get("VersionStages")

    ali = alibaba(url)

    def ali_versions(**kw):
        body = ali.list_secret_version_ids(kms.ListSecretVersionIdsRequest(
            secret_name="legacy-app-password", **kw)).body
        return {v.version_id: v.version_stages.version_stage for v in body.version_ids.version_id}

    assert ali_versions() == {"v3": ["ACSPrevious"], "v4": ["ACSCurrent"]}
    assert ali_versions(include_deprecated="true") == {
        "v1": [], "v2": [], "v3": ["ACSPrevious"], "v4": ["ACSCurrent"]}
    v = ali.get_secret_value(kms.GetSecretValueRequest(
        secret_name="legacy-app-password", version_id="v1")).body
    assert v.secret_data == "password-1"
