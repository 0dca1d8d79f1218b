"""Huawei Cloud CSMS rotation on the emulator's clock, through huaweicloudsdkcsms: an RDS-FG
secret with rotation_period=30d rotates every 30 days as the clock advances, each run a
task; a secret whose rotation_func_urn names a registered function rotates through it (the
task shows SUCCESS or the function's error), on RotateSecret and on its schedule; a version
passing its expire_time leaves a SECRET_VERSION_EXPIRED notification record. Every test
moves the clock or registers functions, so each runs a server of its own."""

import json
import sys
from datetime import datetime

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcsms.v1 import CsmsClient
from huaweicloudsdkcsms.v1.model import (
    CreateSecretEventRequest,
    CreateSecretEventRequestBody,
    CreateSecretRequest,
    CreateSecretRequestBody,
    CreateSecretVersionRequest,
    CreateSecretVersionRequestBody,
    ListNotificationRecordsRequest,
    ListSecretTaskRequest,
    ListSecretVersionsRequest,
    Notification,
    RotateSecretRequest,
    ShowSecretRequest,
    ShowSecretVersionRequest,
    UpdateSecretRequest,
    UpdateSecretRequestBody,
)
from conftest import Server

PROJECT = "0123456789abcdef0123456789abcdef"
RDS_CONFIG = json.dumps({"InstanceId": "i-0123", "SecretSubType": "SingleUser"})
URN = f"urn:fss:cn-north-4:{PROJECT}:function:default:rotate-token:latest"
DAY = 86_400


def client(url):
    creds = BasicCredentials("HWTESTAK0000000000", "secret-key", PROJECT)
    return CsmsClient.new_builder().with_credentials(creds).with_endpoints([url]).build()


@pytest.fixture
def own():
    s = Server("--allow-command-functions")
    yield s
    s.stop()


def advance(server, seconds, kind="rotation"):
    status, out = server.admin("POST", "/_localsecrets/clock", {"advance_seconds": seconds})
    assert status == 200, out
    ran = [r for r in out["ran"] if r["kind"] == kind]
    return ran


def create(csms, name, value, **kw):
    body = CreateSecretRequestBody(name=name, secret_string=value, **kw)
    return csms.create_secret(CreateSecretRequest(body=body)).secret


def current(csms, name):
    v = csms.show_secret_version(ShowSecretVersionRequest(secret_name=name, version_id="latest")).version
    return v.version_metadata.id, v.secret_string


def tasks(csms, name):
    return csms.list_secret_task(ListSecretTaskRequest(secret_name=name)).tasks


def test_an_rds_fg_secret_rotates_every_thirty_days(own):
    csms = client(own.url)
    value = {"username": "admin", "password": "old-password", "host": "10.0.0.8"}
    s = create(csms, "db", json.dumps(value), secret_type="RDS-FG", rotation_config=RDS_CONFIG,
               auto_rotation=True, rotation_period="30d")
    assert s.auto_rotation is True and s.rotation_period == "30d"
    assert s.next_rotation_time - s.create_time == 30 * DAY * 1000

    ran = advance(own, 65 * DAY)
    assert [(r["secret"], r["ok"]) for r in ran] == [("db", True), ("db", True)]
    done = tasks(csms, "db")
    assert [(t.task_status, t.operate_type) for t in done] == [("SUCCESS", "ROTATE")] * 2
    assert done[1].task_time - done[0].task_time >= 30 * DAY * 1000
    after = csms.show_secret(ShowSecretRequest(secret_name="db")).secret
    assert after.rotation_time == done[1].task_time
    assert after.next_rotation_time == after.rotation_time + 30 * DAY * 1000
    version, text = current(csms, "db")
    assert version == "v3"
    rotated = json.loads(text)
    assert rotated["username"] == "admin" and rotated["password"] != "old-password"
    versions = csms.list_secret_versions(ListSecretVersionsRequest(secret_name="db")).version_metadatas
    assert sorted(v.id for v in versions) == ["v1", "v2", "v3"]
    # Turning automatic rotation off stops the schedule.
    csms.update_secret(UpdateSecretRequest(secret_name="db", body=UpdateSecretRequestBody(auto_rotation=False)))
    assert advance(own, 60 * DAY) == []


FUNCTION = '''
import json, os, sys
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcsms.v1 import CsmsClient
from huaweicloudsdkcsms.v1.model import CreateSecretVersionRequest, CreateSecretVersionRequestBody

event = json.load(sys.stdin)
if os.environ.get("FAIL"):
    sys.exit("the token service is down")
creds = BasicCredentials(os.environ["HUAWEICLOUD_SDK_AK"], os.environ["HUAWEICLOUD_SDK_SK"],
                         os.environ["HUAWEICLOUD_SDK_PROJECT_ID"])
csms = CsmsClient.new_builder().with_credentials(creds).with_endpoints(
    [os.environ["CSMS_ENDPOINT"]]).build()
csms.create_secret_version(CreateSecretVersionRequest(
    secret_name=event["secret_name"],
    body=CreateSecretVersionRequestBody(secret_string="token-after-" + event["version_id"])))
'''


def test_a_registered_function_rotates_a_shared_secret(tmp_path):
    script = tmp_path / "rotate_token.py"
    script.write_text(FUNCTION)
    for fail in ["", "1"]:
        own = Server("--allow-command-functions", env={"FAIL": fail})
        try:
            status, _ = own.admin("PUT", "/_localsecrets/rotation-functions/rotate-token",
                                  {"command": [sys.executable, str(script)]})
            assert status == 200
            csms = client(own.url)
            create(csms, "token", "first", rotation_func_urn=URN)
            r = csms.rotate_secret(RotateSecretRequest(secret_name="token"))
            (task,) = tasks(csms, "token")
            assert task.task_id == r.rotation_task_id and task.rotation_func_urn == URN
            if fail:
                assert current(csms, "token") == ("v1", "first")
                assert task.task_status == "FAILED"
                assert "the token service is down" in task.task_error_msg
            else:
                assert current(csms, "token") == ("v2", "token-after-v1")
                assert (task.task_status, r.version_id) == ("SUCCESS", "v2")
                # On a schedule, too.
                csms.update_secret(UpdateSecretRequest(
                    secret_name="token", body=UpdateSecretRequestBody(auto_rotation=True, rotation_period="6h")))
                assert [x["ok"] for x in advance(own, 6 * 3600 + 1)] == [True]
                assert current(csms, "token") == ("v3", "token-after-v2")
                assert [t.task_status for t in tasks(csms, "token")] == ["SUCCESS", "SUCCESS"]
        finally:
            own.stop()


def test_a_version_passing_its_expiry_leaves_a_notification(own):
    csms = client(own.url)
    csms.create_secret_event(CreateSecretEventRequest(body=CreateSecretEventRequestBody(
        name="expiry", event_types=["SECRET_VERSION_EXPIRED"], state="ENABLED",
        notification=Notification(target_type="SMN", target_id="urn:smn:cn-north-4:p:topic",
                                  target_name="topic"))))
    create(csms, "cert", "v1-value", event_subscriptions=["expiry"])
    status, clock = own.admin("GET", "/_localsecrets/clock")
    assert status == 200
    now_ms = int(datetime.fromisoformat(clock["now"].replace("Z", "+00:00")).timestamp() * 1000)
    csms.create_secret_version(CreateSecretVersionRequest(
        secret_name="cert",
        body=CreateSecretVersionRequestBody(secret_string="v2-value", expire_time=now_ms + DAY * 1000)))

    assert advance(own, DAY - 60, kind="expiry") == []
    records = csms.list_notification_records(ListNotificationRecordsRequest()).records
    assert [r.trigger_event_type for r in records] == []
    ran = advance(own, 120, kind="expiry")
    assert [(r["secret"], r["ok"]) for r in ran] == [("cert", True)]
    records = csms.list_notification_records(ListNotificationRecordsRequest()).records
    assert [(r.trigger_event_type, r.secret_name) for r in records] == [("SECRET_VERSION_EXPIRED", "cert")]
    assert json.loads(records[0].notification_content)["version_id"] == "v2"
    # Announced once.
    advance(own, 30 * DAY, kind="expiry")
    assert len(csms.list_notification_records(ListNotificationRecordsRequest()).records) == 1
