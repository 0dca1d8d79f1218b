"""Fixtures as a format: export → reset → load gives back what the SDKs read before (every
secret, version, value, label, tag, date, rotation and deletion detail, a version a failed
rotation reserved, Huawei events and notification records); a bad document is refused whole with the file, JSON path and problem,
leaving nothing behind; shipped files and exports follow fixtures/schema.json."""

import datetime
import glob
import json
import os
import subprocess
import sys
import uuid

import jsonschema
import pytest
from alibabacloud_kms20160120 import models as kms
from alibabacloud_tea_openapi.exceptions import ClientException
from botocore.exceptions import ClientError
from conftest import BIN, ROOT
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcsms.v1.model import (
    CreateSecretEventRequest,
    CreateSecretEventRequestBody,
    CreateSecretRequest,
    CreateSecretRequestBody,
    CreateSecretVersionRequest,
    CreateSecretVersionRequestBody,
    DeleteSecretForScheduleRequest,
    DeleteSecretForScheduleRequestBody,
    ListNotificationRecordsRequest,
    ListSecretEventsRequest,
    ListSecretVersionsRequest,
    ListSecretsRequest,
    Notification,
    ShowSecretRequest,
    ShowSecretVersionRequest,
    UpdateSecretStageRequest,
    UpdateSecretStageRequestBody,
)
from test_fixtures_scenarios import FIXTURES, SCENARIOS, alibaba, aws, huawei, load

SCHEMA = json.load(open(os.path.join(FIXTURES, "schema.json")))
RDS_CONFIG = {"SecretSubType": "SingleUser", "DBInstanceId": "rm-roundtrip"}


def build_state(url):
    """State made through the APIs on top of the shipped scenarios."""
    sm = aws(url)
    sm.create_secret(Name="rt/app", SecretString="one", Description="made by the API",
                     Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
    sm.put_secret_value(SecretId="rt/app", SecretString="two")
    sm.put_secret_value(SecretId="rt/app", SecretString="three", VersionStages=["custom"])
    sm.put_resource_policy(SecretId="rt/app", ResourcePolicy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "AWS": "arn:aws:iam::000000000000:root"}, "Action": "secretsmanager:GetSecretValue",
            "Resource": "*"}]}))
    sm.create_secret(Name="rt/rotated", SecretString=json.dumps({"password": "p0"}))
    sm.rotate_secret(SecretId="rt/rotated",
                     RotationLambdaARN="arn:aws:lambda:us-east-1:000000000000:function:f",
                     RotationRules={"ScheduleExpression": "rate(10 days)"})
    sm.create_secret(Name="rt/binary", SecretBinary=b"\x00\x01binary\xfe")
    sm.replicate_secret_to_regions(SecretId="rt/binary", AddReplicaRegions=[{"Region": "eu-west-1"}])
    sm.create_secret(Name="rt/doomed", SecretString="bye")
    sm.delete_secret(SecretId="rt/doomed", RecoveryWindowInDays=9)

    ali = alibaba(url)
    ali.create_secret(kms.CreateSecretRequest(secret_name="rt-generic", version_id="a1",
                                              secret_data="ali-one", description="api",
                                              tags='[{"TagKey":"k","TagValue":"v"}]'))
    ali.put_secret_value(kms.PutSecretValueRequest(secret_name="rt-generic", version_id="a2",
                                                   secret_data="ali-two"))
    ali.create_secret(kms.CreateSecretRequest(
        secret_name="rt-rds", version_id="r1", secret_type="Rds",
        secret_data=json.dumps({"Accounts": [{"AccountName": "app", "AccountPassword": "pw"}]}),
        extended_config=RDS_CONFIG, enable_automatic_rotation=True, rotation_interval="7d"))
    ali.rotate_secret(kms.RotateSecretRequest(secret_name="rt-rds", version_id="r2"))

    hw = huawei(url)
    hw.create_secret_event(CreateSecretEventRequest(body=CreateSecretEventRequestBody(
        name="rt-event", event_types=["SECRET_VERSION_CREATED"], state="ENABLED",
        notification=Notification(target_type="SMN", target_id="urn:smn:cn-north-4:p:t",
                                  target_name="t"))))
    hw.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(
        name="rt-hw", secret_string="hw-one", description="api",
        event_subscriptions=["rt-event"])))
    hw.create_secret_version(CreateSecretVersionRequest(
        secret_name="rt-hw", body=CreateSecretVersionRequestBody(secret_string="hw-two")))
    hw.update_secret_stage(UpdateSecretStageRequest(
        secret_name="rt-hw", stage_name="blue", body=UpdateSecretStageRequestBody(version_id="v1")))
    hw.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(
        name="rt-hw-doomed", secret_string="x")))
    hw.delete_secret_for_schedule(DeleteSecretForScheduleRequest(
        secret_name="rt-hw-doomed", body=DeleteSecretForScheduleRequestBody(
            recovery_window_in_days=12)))


def aws_view(url):
    out = {"replica": aws(url, "eu-west-1").describe_secret(SecretId="rt/binary")}
    out["replica"].pop("ResponseMetadata")
    sm = aws(url)
    for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]:
        name = s["Name"]
        d = sm.describe_secret(SecretId=name)
        d.pop("ResponseMetadata")
        values = {}
        for v in sm.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)["Versions"]:
            try:
                got = sm.get_secret_value(SecretId=name, VersionId=v["VersionId"])
                values[v["VersionId"]] = (got.get("SecretString"), got.get("SecretBinary"),
                                          sorted(got.get("VersionStages", [])))
            except ClientError as e:
                values[v["VersionId"]] = e.response["Error"]["Code"]
        policy = sm.get_resource_policy(SecretId=name).get("ResourcePolicy")
        out[name] = (d, values, policy)
    return out


def strip(m):
    return {k: v for k, v in m.items() if k != "RequestId"}


def alibaba_view(url):
    ali = alibaba(url)
    out = {}
    listed = ali.list_secrets(kms.ListSecretsRequest(fetch_tags="true", page_size=100)).body
    for s in listed.secret_list.secret:
        name = s.secret_name
        d = ali.describe_secret(kms.DescribeSecretRequest(secret_name=name, fetch_tags="true"))
        versions = ali.list_secret_version_ids(kms.ListSecretVersionIdsRequest(
            secret_name=name, include_deprecated="true")).body.version_ids.version_id
        values = {}
        for v in versions:
            got = ali.get_secret_value(kms.GetSecretValueRequest(
                secret_name=name, version_id=v.version_id)).body
            values[v.version_id] = strip(got.to_map())
        out[name] = (strip(s.to_map()), strip(d.body.to_map()), values)
    return out


def huawei_view(url):
    hw = huawei(url)
    out = {"events": [e.to_dict() for e in hw.list_secret_events(ListSecretEventsRequest()).events],
           "records": [r.to_dict() for r in hw.list_notification_records(
               ListNotificationRecordsRequest()).records]}
    for s in hw.list_secrets(ListSecretsRequest()).secrets:
        shown = hw.show_secret(ShowSecretRequest(secret_name=s.name)).secret.to_dict()
        versions = hw.list_secret_versions(
            ListSecretVersionsRequest(secret_name=s.name)).version_metadatas
        values = {}
        for v in versions:
            try:
                values[v.id] = hw.show_secret_version(ShowSecretVersionRequest(
                    secret_name=s.name, version_id=v.id)).version.to_dict()
            except ClientRequestException as e:
                values[v.id] = e.error_code
        out[s.name] = (s.to_dict(), shown, values)
    return out


def differences(a, b, path="$"):
    """Where two views differ, for a readable failure."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only {'before' if k in a else 'after'}")
            else:
                out += differences(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def view(url):
    return {"aws": aws_view(url), "alibaba": alibaba_view(url), "huawei": huawei_view(url)}


def export(server, query=""):
    status, doc = server.admin("GET", "/_localsecrets/export" + query)
    assert status == 200, doc
    return doc


def export_raw(server, query=""):
    """The export's bytes and the time header, as a golden file would keep them."""
    import urllib.request
    with urllib.request.urlopen(server.url + "/_localsecrets/export" + query, timeout=30) as r:
        assert r.status == 200
        return r.read(), r.headers["X-Localsecrets-Exported-At"]


def test_export_reset_load_gives_the_same_state(server, endpoint):
    for name in SCENARIOS:
        load(server, name)
    build_state(endpoint)
    # A rotation whose function failed before writing its version: the AWSPENDING version
    # AWS reserved for it has no value, before the export and after the load.
    status, _ = server.admin("PUT", "/_localsecrets/rotation-functions/rt-broken",
                             {"command": [sys.executable, "-c", "import sys; sys.exit('broken')"]})
    assert status == 200
    sm = aws(endpoint)
    sm.create_secret(Name="rt/stuck", SecretString="s0")
    stuck = sm.rotate_secret(SecretId="rt/stuck", RotationLambdaARN="rt-broken")["VersionId"]
    with pytest.raises(ClientError) as e:
        sm.get_secret_value(SecretId="rt/stuck", VersionId=stuck)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    view(endpoint)  # reads mark secrets accessed (per day): the view after reading is stable
    before = view(endpoint)
    assert "rt/doomed" in before["aws"] and "rt-hw-doomed" in before["huawei"]
    raw, _ = export_raw(server)
    doc = json.loads(raw)
    jsonschema.validate(doc, SCHEMA)
    assert {r["kind"] for r in doc["records"]} == {"huawei.event", "huawei.notification"}

    status, _ = server.admin("POST", "/_localsecrets/reset")
    assert status == 200
    assert aws(endpoint).list_secrets()["SecretList"] == []
    assert alibaba(endpoint).list_secrets(kms.ListSecretsRequest()).body.total_count == 0
    assert huawei_view(endpoint) == {"events": [], "records": []}
    status, body = server.admin("POST", "/_localsecrets/fixtures?name=export.json", doc)
    assert status == 200, body
    assert body["loaded"]["secrets"] == len(doc["secrets"])
    assert body["loaded"]["records"] == len(doc["records"])

    after = view(endpoint)
    assert after == before, "\n".join(differences(before, after))
    again, _ = export_raw(server)
    assert json.loads(again) == doc
    assert again == raw, "the export after the round trip is not the same bytes"

    # The rotation quota history came back too: the Rds secret rotated once, the quota
    # scenario's secret is still throttled.
    ali = alibaba(endpoint)
    with pytest.raises(ClientException) as e:
        ali.rotate_secret(kms.RotateSecretRequest(secret_name="quota/rds-app", version_id="again"))
    assert e.value.code == "Rejected.Throttling"


def test_one_state_exports_to_the_same_bytes(tmp_path):
    """Exports can be kept as golden files: nothing in the document changes between two
    exports of one state, also after a restart on the same data; the time is a header."""
    from conftest import Server
    data = str(tmp_path / "state.db")
    s = Server("--data", data, "--fixtures", FIXTURES)
    try:
        build_state(s.url)
        first, at = export_raw(s)
        second, later = export_raw(s)
        for cloud in ["aws", "alibaba", "huawei"]:
            assert export_raw(s, f"?cloud={cloud}")[0] == export_raw(s, f"?cloud={cloud}")[0]
    finally:
        s.stop()
    assert first == second
    exported = datetime.datetime.fromisoformat(at.replace("Z", "+00:00"))
    assert abs(datetime.datetime.now(datetime.timezone.utc) - exported).total_seconds() < 60
    assert later >= at
    doc = json.loads(first)
    assert doc["description"] == "localsecrets export of all clouds"
    assert at not in first.decode()
    s = Server("--data", data)
    try:
        assert export_raw(s)[0] == first, "the export after a restart differs"
    finally:
        s.stop()


def test_export_of_one_cloud(server, endpoint):
    load(server, "multi-cloud-starter.json")
    for cloud, count in [("aws", 3), ("alibaba", 2), ("huawei", 2)]:
        doc = export(server, f"?cloud={cloud}")
        assert {s["cloud"] for s in doc["secrets"]} == {cloud}
        assert len(doc["secrets"]) == count
    status, body = server.admin("GET", "/_localsecrets/export?cloud=gcp")
    assert (status, body["error"]) == (400, "bad_request")


def nothing_loaded(url):
    assert aws(url).list_secrets()["SecretList"] == []
    assert alibaba(url).list_secrets(kms.ListSecretsRequest()).body.total_count == 0
    assert huawei(url).list_secrets(ListSecretsRequest()).secrets == []


def good_secrets():
    return [
        {"cloud": "aws", "name": "ok/one", "versions": [{"value": "v1"}]},
        {"cloud": "alibaba", "name": "ok-two", "versions": [{"id": "v1", "value": "v"}]},
        {"cloud": "huawei", "tenant": "0123456789abcdef0123456789abcdef", "name": "ok-three",
         "versions": [{"value": "v"}]},
    ]


@pytest.mark.parametrize("bad, path, problem", [
    ({"cloud": "aws", "name": "bad", "versions": [
        {"value": "a", "labels": ["AWSCURRENT"]}, {"value": "b", "labels": ["AWSCURRENT"]}]},
     "$.secrets[3].versions[1].labels",
     "label AWSCURRENT is on more than one version (also versions[0])"),
    ({"cloud": "alibaba", "name": "bad-rds", "type": "Rds",
      "versions": [{"id": "v1", "value": "{\"AccountName\":\"a\",\"AccountPassword\":\"b\"}"}]},
     "$.secrets[3].extra.ExtendedConfig",
     "The parameter ExtendedConfig is required for Rds secrets."),
    ({"cloud": "huawei", "tenant": "0123456789abcdef0123456789abcdef", "name": "bad name",
      "versions": [{"value": "v"}]},
     "$.secrets[3].name", "is invalid"),
    ({"cloud": "aws", "name": "bad", "versions": [{"id": "short", "value": "v"}]},
     "$.secrets[3].versions[0].id", "32 to 64 characters"),
    ({"cloud": "aws", "name": "bad", "deletion": {"deleted_at": "-31d"}},
     "$.secrets[3].deletion", "the secret would already be gone"),
    ({"cloud": "aws", "name": "bad", "created": "+1d"},
     "$.secrets[3].created", "in the future"),
    ({"cloud": "aws", "name": "bad", "colour": "blue"},
     "$.secrets[3].colour", "unknown field"),
])
def test_a_bad_document_is_refused_whole(server, endpoint, bad, path, problem):
    doc = {"secrets": good_secrets() + [bad]}
    status, body = server.admin("POST", "/_localsecrets/fixtures?name=fixtures/x.json", doc)
    assert status == 400, body
    assert body["error"] == "invalid_fixture"
    assert (body["source"], body["path"]) == ("fixtures/x.json", path)
    assert problem in body["problem"]
    assert body["message"] == f"fixtures/x.json: {path}: {body['problem']}"
    nothing_loaded(endpoint)


def test_a_taken_name_refuses_the_file_unless_replaced(server, endpoint):
    aws(endpoint).create_secret(Name="taken", SecretString="mine")
    doc = {"secrets": good_secrets() + [
        {"cloud": "aws", "name": "taken", "versions": [{"value": "theirs"}]}]}
    status, body = server.admin("POST", "/_localsecrets/fixtures", doc)
    assert status == 409, body
    assert body["path"] == "$.secrets[3].name"
    assert body["message"].startswith("request body: $.secrets[3].name: secret taken already exists")
    # The first three were written in the same transaction and rolled back with it.
    assert [s["Name"] for s in aws(endpoint).list_secrets()["SecretList"]] == ["taken"]
    assert huawei(endpoint).list_secrets(ListSecretsRequest()).secrets == []
    status, body = server.admin("POST", "/_localsecrets/fixtures?replace=true", doc)
    assert status == 200, body
    assert aws(endpoint).get_secret_value(SecretId="taken")["SecretString"] == "theirs"
    assert len(huawei(endpoint).list_secrets(ListSecretsRequest()).secrets) == 1


def test_malformed_bodies(server, endpoint):
    for raw, needle in [(b"", "empty document"), (b"{", "not valid JSON"), (b"[]", "expected an object")]:
        req_status, body = post_raw(server, raw)
        assert req_status == 400 and needle in body["message"], body
    status, body = server.admin("POST", "/_localsecrets/fixtures?replace=maybe", {"secrets": []})
    assert status == 400 and body["error"] == "bad_request"
    nothing_loaded(endpoint)


def post_raw(server, raw):
    import urllib.request
    req = urllib.request.Request(server.url + "/_localsecrets/fixtures", data=raw, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_a_bad_file_at_start_stops_the_server(tmp_path):
    good = tmp_path / "a-good.json"
    good.write_text(json.dumps({"secrets": good_secrets()}))
    bad = tmp_path / "b-bad.json"
    bad.write_text(json.dumps({"secrets": [
        {"cloud": "aws", "name": "x", "versions": [{"value": "v", "labels": ["AWSPREVIOUS"]}]}]}))
    data = tmp_path / "state.db"
    run = subprocess.run([BIN, "--port", "0", "--fixtures", str(tmp_path), "--data", str(data)],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 1
    assert f"{bad}: $.secrets[0].versions: no version has the label AWSCURRENT" in run.stderr
    # Every file is checked before any is written: the good one did not load either.
    bad.unlink()
    from conftest import Server
    s = Server("--data", str(data), "--fixtures", str(tmp_path))
    try:
        assert sorted(x["Name"] for x in aws(s.url).list_secrets()["SecretList"]) == ["ok/one"]
    finally:
        log = s.stop()
    assert "fixtures loaded" in log
    # A restart on the same data leaves the seeded state alone.
    s = Server("--data", str(data), "--fixtures", str(tmp_path))
    try:
        aws(s.url).get_secret_value(SecretId="ok/one")
    finally:
        log = s.stop()
    assert "not loaded: the stored state already holds 3 secrets" in log


def test_shipped_files_follow_the_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    shipped = sorted(os.path.basename(p) for p in glob.glob(os.path.join(FIXTURES, "*.json")))
    assert shipped == sorted(SCENARIOS + ["schema.json"])
    for name in SCENARIOS:
        jsonschema.validate(json.load(open(os.path.join(FIXTURES, name))), SCHEMA)
