"""Alibaba Cloud KMS rotation on the emulator's clock, through the Tea SDK: a dual-account Rds
secret with RotationInterval=7d rotates every seven days as the clock advances, alternating
its accounts; a Generic secret rotates through the user function registered under its name
(four steps new, set, test, finish, written against the same SDK), on RotateSecret and on
its schedule. Every test moves the clock or registers functions, so each runs a server of
its own."""

import json
import sys
from datetime import datetime

import pytest
from alibabacloud_kms20160120 import models as kms
from alibabacloud_kms20160120.client import Client
from alibabacloud_tea_openapi import models as oa
from alibabacloud_tea_openapi.exceptions import ClientException
from conftest import Server

DAY = 86_400


def make_client(url):
    cfg = oa.Config(
        access_key_id="LTAI5tLocalTestKey",
        access_key_secret="local-test-secret",
        region_id="cn-hangzhou",
        endpoint=url.split("://", 1)[1],
        protocol="http",
    )
    return Client(cfg)


@pytest.fixture
def own():
    s = Server("--allow-command-functions")
    yield s
    s.stop()


def t(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def advance(server, seconds):
    status, out = server.admin("POST", "/_localsecrets/clock", {"advance_seconds": seconds})
    assert status == 200, out
    ran = [r for r in out["ran"] if r["kind"] == "rotation"]
    assert all(r["ok"] for r in ran), ran
    return ran


def current(client, name):
    body = client.get_secret_value(kms.GetSecretValueRequest(secret_name=name)).body
    return body.version_id, json.loads(body.secret_data) if body.secret_data.startswith("{") else body.secret_data


def test_an_rds_secret_rotates_every_seven_days(own):
    client = make_client(own.url)
    client.create_secret(
        kms.CreateSecretRequest(
            secret_name="db",
            version_id="v1",
            secret_type="Rds",
            secret_data=json.dumps({"Accounts": [{"AccountName": "app", "AccountPassword": "initial-pw"}]}),
            extended_config={"SecretSubType": "DoubleUsers", "DBInstanceId": "rm-test"},
            enable_automatic_rotation=True,
            rotation_interval="7d",
        )
    )
    d = client.describe_secret(kms.DescribeSecretRequest(secret_name="db")).body
    assert (d.automatic_rotation, d.rotation_interval) == ("Enabled", "604800s")
    assert d.last_rotation_date is None
    # Alibaba shows whole seconds.
    assert abs(t(d.next_rotation_date) - t(d.create_time) - 7 * DAY) <= 1

    ran = advance(own, 15 * DAY)
    assert len(ran) == 2
    assert abs(t(ran[1]["due"]) - t(ran[0]["due"]) - 7 * DAY) < 2
    d = client.describe_secret(kms.DescribeSecretRequest(secret_name="db")).body
    assert abs(t(d.last_rotation_date) - t(ran[1]["due"])) <= 1
    assert abs(t(d.next_rotation_date) - t(d.last_rotation_date) - 7 * DAY) <= 1
    # The dual accounts alternate: app, app_clone, app.
    _, value = current(client, "db")
    assert value["AccountName"] == "app" and value["AccountPassword"] != "initial-pw"
    prev = client.get_secret_value(
        kms.GetSecretValueRequest(secret_name="db", version_stage="ACSPrevious")
    ).body
    assert json.loads(prev.secret_data)["AccountName"] == "app_clone"
    versions = client.list_secret_version_ids(
        kms.ListSecretVersionIdsRequest(secret_name="db", include_deprecated="true")
    ).body.version_ids.version_id
    assert len(versions) == 3
    # Turning the policy off stops the schedule.
    client.update_secret_rotation_policy(
        kms.UpdateSecretRotationPolicyRequest(secret_name="db", enable_automatic_rotation=False)
    )
    assert advance(own, 30 * DAY) == []


FUNCTION = '''
import json, os, sys
from alibabacloud_kms20160120 import models as kms
from alibabacloud_kms20160120.client import Client
from alibabacloud_tea_openapi import models as oa

event = json.load(sys.stdin)
client = Client(oa.Config(
    access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
    access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
    region_id=os.environ["ALIBABA_CLOUD_REGION_ID"],
    endpoint=os.environ["ALIBABA_CLOUD_ENDPOINT"].split("://", 1)[1],
    protocol="http",
))
name, version, step = event["SecretName"], event["VersionId"], event["Step"]
if step == os.environ.get("FAIL_AT"):
    sys.exit(step + ": the token service refused the new token")
if step == "new":
    client.put_secret_value(kms.PutSecretValueRequest(
        secret_name=name, version_id=version, secret_data="token-" + version,
        version_stages='["ACSPending"]'))
elif step == "finish":
    current = client.get_secret_value(kms.GetSecretValueRequest(secret_name=name)).body.version_id
    client.update_secret_version_stage(kms.UpdateSecretVersionStageRequest(
        secret_name=name, version_stage="ACSCurrent", move_to_version=version,
        remove_from_version=current))
'''


def test_a_generic_secret_rotates_through_the_function_registered_under_its_name(own, tmp_path):
    script = tmp_path / "rotate_token.py"
    script.write_text(FUNCTION)
    status, _ = own.admin(
        "PUT", "/_localsecrets/rotation-functions/app%2Ftoken", {"command": [sys.executable, str(script)]}
    )
    assert status == 200
    client = make_client(own.url)
    for name in ["app/token", "plain"]:
        client.create_secret(kms.CreateSecretRequest(secret_name=name, version_id="v1", secret_data="first"))

    client.rotate_secret(kms.RotateSecretRequest(secret_name="app/token", version_id="r2"))
    assert current(client, "app/token") == ("r2", "token-r2")
    status, state = own.admin("GET", "/_localsecrets/rotation")
    steps = [c["event"]["Step"] for c in state["function_calls"] if c["function"] == "app/token"]
    assert steps == ["new", "set", "test", "finish"]

    # A Generic secret without a function is still refused, as Alibaba does.
    with pytest.raises(ClientException) as e:
        client.rotate_secret(kms.RotateSecretRequest(secret_name="plain", version_id="r2"))
    assert (e.value.code, e.value.statusCode) == ("UnsupportedOperation", 400)

    # With a registered function the secret takes a rotation policy, and rotates on it.
    client.update_secret_rotation_policy(
        kms.UpdateSecretRotationPolicyRequest(
            secret_name="app/token", enable_automatic_rotation=True, rotation_interval="7d"
        )
    )
    d = client.describe_secret(kms.DescribeSecretRequest(secret_name="app/token")).body
    assert (d.automatic_rotation, d.rotation_interval) == ("Enabled", "604800s")
    ran = advance(own, 8 * DAY)
    assert [r["secret"] for r in ran] == ["app/token"]
    version, data = current(client, "app/token")
    assert version not in ("v1", "r2") and data == "token-" + version


def test_a_failed_step_leaves_acs_pending_and_blocks_the_next_rotation(tmp_path):
    script = tmp_path / "rotate_token.py"
    script.write_text(FUNCTION)
    own = Server("--allow-command-functions", env={"FAIL_AT": "test"})
    try:
        own.admin("PUT", "/_localsecrets/rotation-functions/token", {"command": [sys.executable, str(script)]})
        client = make_client(own.url)
        client.create_secret(kms.CreateSecretRequest(secret_name="token", version_id="v1", secret_data="first"))
        client.rotate_secret(kms.RotateSecretRequest(secret_name="token", version_id="r2"))
        assert current(client, "token") == ("v1", "first")
        pending = client.get_secret_value(
            kms.GetSecretValueRequest(secret_name="token", version_stage="ACSPending")
        ).body
        assert (pending.version_id, pending.secret_data) == ("r2", "token-r2")
        status, state = own.admin("GET", "/_localsecrets/rotation")
        (failed,) = [c for c in state["function_calls"] if not c["ok"]]
        assert "the token service refused the new token" in failed["error"]
        with pytest.raises(ClientException) as e:
            client.rotate_secret(kms.RotateSecretRequest(secret_name="token", version_id="r3"))
        assert "being rotated" in e.value.message
    finally:
        own.stop()
