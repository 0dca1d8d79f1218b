"""The request journal seen from SDK users: every cloud call recorded with its cloud, tenant,
region, operation, secret name, status and error code; the filters of
GET /_localsecrets/requests; DELETE empties it; and no secret value — sent or answered —
ever reaches the journal or the server's output (--log-requests included)."""

import json
import time
import urllib.parse
import uuid

import pytest
from alibabacloud_kms20160120 import models as kms
from alibabacloud_tea_openapi.exceptions import ClientException
from botocore.exceptions import ClientError
from conftest import Server
from huaweicloudsdkcsms.v1.model import (
    CreateSecretRequest,
    CreateSecretRequestBody,
    CreateSecretVersionRequest,
    CreateSecretVersionRequestBody,
    ShowSecretVersionRequest,
)
from test_fixtures_scenarios import PROJECT, alibaba, aws, huawei


def requests(server, **filters):
    query = urllib.parse.urlencode(filters)
    status, body = server.admin("GET", "/_localsecrets/requests" + (f"?{query}" if query else ""))
    assert status == 200, body
    assert body["count"] == len(body["requests"])
    return body["requests"]


@pytest.fixture
def journal(server, endpoint):
    status, _ = server.admin("DELETE", "/_localsecrets/requests")
    assert status == 200
    return server


class CachedConfig:
    """What an application does: read a secret once, then serve it from memory."""

    def __init__(self, sm, secret_id):
        self.sm, self.secret_id, self.value = sm, secret_id, None

    def get(self):
        if self.value is None:
            self.value = self.sm.get_secret_value(SecretId=self.secret_id)["SecretString"]
        return self.value


def test_an_app_reads_its_secret_once_thanks_to_its_cache(journal, endpoint):
    sm = aws(endpoint)
    sm.create_secret(Name="app/config", SecretString="cfg")
    cache = CachedConfig(sm, "app/config")
    assert [cache.get() for _ in range(5)] == ["cfg"] * 5
    reads = requests(journal, operation="GetSecretValue", secret="app/config")
    assert len(reads) == 1
    r = reads[0]
    assert (r["cloud"], r["tenant"], r["region"], r["status"], r["error_code"]) == (
        "aws", "000000000000", "us-east-1", 200, None)
    assert r["duration_ms"] >= 0 and r["time"].endswith("Z") and r["request_id"]


def test_filters(journal, endpoint):
    sm = aws(endpoint)
    sm.create_secret(Name="a", SecretString="x")
    with pytest.raises(ClientError):
        sm.get_secret_value(SecretId="missing")
    status, clock = journal.admin("GET", "/_localsecrets/clock")
    between = clock["now"]
    time.sleep(0.01)
    sm.describe_secret(SecretId="arn:aws:secretsmanager:us-east-1:000000000000:secret:a")
    ali = alibaba(endpoint)
    ali.create_secret(kms.CreateSecretRequest(secret_name="ali", version_id="v1", secret_data="x"))
    with pytest.raises(ClientException):
        ali.get_secret_value(kms.GetSecretValueRequest(secret_name="nope"))
    hw = huawei(endpoint)
    hw.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(name="hw", secret_string="x")))

    everything = requests(journal)
    assert [(r["cloud"], r["operation"], r["secret"]) for r in everything] == [
        ("aws", "CreateSecret", "a"),
        ("aws", "GetSecretValue", "missing"),
        ("aws", "DescribeSecret", "a"),
        ("alibaba", "CreateSecret", "ali"),
        ("alibaba", "GetSecretValue", "nope"),
        ("huawei", "CreateSecret", "hw"),
    ]
    seqs = [r["seq"] for r in everything]
    assert seqs == sorted(seqs) and len(set(seqs)) == 6

    assert [r["operation"] for r in requests(journal, cloud="alibaba")] == [
        "CreateSecret", "GetSecretValue"]
    failed = requests(journal, status="4xx")
    assert [(r["cloud"], r["status"], r["error_code"]) for r in failed] == [
        ("aws", 400, "ResourceNotFoundException"),
        ("alibaba", 404, "Forbidden.ResourceNotFound"),
    ]
    assert len(requests(journal, status="200")) == 4
    assert [r["operation"] for r in requests(journal, operation="createsecret")] == [
        "CreateSecret"] * 3
    assert [r["secret"] for r in requests(journal, since=between)] == ["a", "ali", "nope", "hw"]
    hw_call = requests(journal, cloud="huawei")[0]
    assert (hw_call["tenant"], hw_call["region"]) == (PROJECT, "cn-north-4")
    ali_call = requests(journal, cloud="alibaba", secret="ali")[0]
    assert (ali_call["tenant"], ali_call["region"]) == ("1000000000000000", "cn-hangzhou")
    assert requests(journal, cloud="aws", tenant="111111111111") == []
    assert len(requests(journal, since="-1h")) == 6

    for bad in ["cloud=gcp", "status=teapot", "since=yesterday", "colour=red", "secret="]:
        status, body = journal.admin("GET", f"/_localsecrets/requests?{bad}")
        assert (status, body["error"]) == (400, "bad_request"), bad

    status, body = journal.admin("DELETE", "/_localsecrets/requests")
    assert (status, body["cleared"]) == (200, 6)
    assert requests(journal) == []
    # Admin calls are never recorded.
    journal.admin("GET", "/_localsecrets/health")
    assert requests(journal) == []


def test_the_journal_is_bounded():
    own = Server("--journal-size", "3")
    try:
        sm = aws(own.url)
        for i in range(5):
            sm.create_secret(Name=f"s{i}", SecretString="x")
        status, body = own.admin("GET", "/_localsecrets/requests")
        assert [r["secret"] for r in body["requests"]] == ["s2", "s3", "s4"]
        assert (body["capacity"], body["evicted"]) == (3, 2)
    finally:
        own.stop()


def test_no_secret_value_reaches_the_journal_or_the_log():
    own = Server("--log-requests", env={"LOCALSECRETS_LOG": "debug"})
    try:
        url = own.url
        marks = {k: f"{k}-{uuid.uuid4().hex}" for k in
                 ["aws1", "aws2", "aws3", "ali1", "ali2", "hw1", "hw2"]}
        sm = aws(url)
        sm.create_secret(Name="v/aws", SecretString=marks["aws1"])
        sm.put_secret_value(SecretId="v/aws", SecretString=marks["aws2"])
        sm.update_secret(SecretId="v/aws", SecretString=marks["aws3"])
        assert sm.get_secret_value(SecretId="v/aws")["SecretString"] == marks["aws3"]
        sm.batch_get_secret_value(SecretIdList=["v/aws"])
        ali = alibaba(url)
        ali.create_secret(kms.CreateSecretRequest(
            secret_name="v-ali", version_id="v1", secret_data=marks["ali1"]))
        ali.put_secret_value(kms.PutSecretValueRequest(
            secret_name="v-ali", version_id="v2", secret_data=marks["ali2"]))
        assert ali.get_secret_value(kms.GetSecretValueRequest(
            secret_name="v-ali")).body.secret_data == marks["ali2"]
        hw = huawei(url)
        hw.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(
            name="v-hw", secret_string=marks["hw1"])))
        hw.create_secret_version(CreateSecretVersionRequest(
            secret_name="v-hw", body=CreateSecretVersionRequestBody(secret_string=marks["hw2"])))
        assert hw.show_secret_version(ShowSecretVersionRequest(
            secret_name="v-hw", version_id="latest")).version.secret_string == marks["hw2"]
        # Generated values (rotation, random passwords) are secrets too.
        rotated = sm.rotate_secret(
            SecretId="v/aws", RotationLambdaARN="arn:aws:lambda:us-east-1:000000000000:function:f",
            RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]
        generated = sm.get_secret_value(SecretId="v/aws", VersionId=rotated)["SecretString"]
        password = sm.get_random_password(PasswordLength=40)["RandomPassword"]

        status, body = own.admin("GET", "/_localsecrets/requests")
        journal_text = json.dumps(body)
        assert len(body["requests"]) == 14
        assert {r["secret"] for r in body["requests"]} >= {"v/aws", "v-ali", "v-hw"}
    finally:
        output = own.stop()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert len(lines) == 14, output
    assert lines == body["requests"]
    for value in [*marks.values(), generated, password]:
        assert value not in journal_text
        assert value not in output
