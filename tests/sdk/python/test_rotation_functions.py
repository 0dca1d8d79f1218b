"""User rotation functions with AWS semantics, through boto3: the example rotation function
(examples/rotation/rotate.py, boto3, the four steps of AWS's template) registered as a
command rotates a secret; a function that fails at testSecret leaves AWSPENDING and the old
AWSCURRENT, and the next RotateSecret is refused as in progress; a function that never
answers is stopped at its timeout; without RotateImmediately only testSecret runs, on a
version that is removed after it; an HTTP function gets the same events; a scheduled
rotation calls the function while the clock is advanced; the registry survives a restart."""

import http.server
import json
import os
import subprocess
import sys
import threading
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import BIN, ROOT, Server

EXAMPLE = os.path.join(ROOT, "examples", "rotation", "rotate.py")
ACCOUNT = "000000000000"


def client(url):
    return boto3.client(
        "secretsmanager",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=120),
    )


def register(server, fid, spec):
    status, body = server.admin("PUT", f"/_localsecrets/rotation-functions/{fid}", spec)
    assert status == 200, body
    return body


def lambda_arn(name):
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def calls(server, fid):
    status, body = server.admin("GET", "/_localsecrets/rotation")
    assert status == 200
    return [c for c in body["function_calls"] if c["function"] == fid]


def create_db(sm, name):
    sm.create_secret(Name=name, SecretString=json.dumps({"username": "app", "password": "initial"}))
    return sm.describe_secret(SecretId=name)["VersionIdsToStages"]


def stages(sm, name):
    return sm.describe_secret(SecretId=name)["VersionIdsToStages"]


def test_the_example_boto3_function_rotates_a_secret(server, endpoint):
    sm = client(endpoint)
    fid = f"example-{uuid.uuid4().hex[:8]}"
    register(server, fid, {"command": [sys.executable, EXAMPLE]})
    (old,) = create_db(sm, "db")
    out = sm.rotate_secret(
        SecretId="db", RotationLambdaARN=lambda_arn(fid), RotationRules={"AutomaticallyAfterDays": 30}
    )
    new = out["VersionId"]
    assert stages(sm, "db") == {old: ["AWSPREVIOUS"], new: ["AWSCURRENT"]}
    current = json.loads(sm.get_secret_value(SecretId="db")["SecretString"])
    assert current["username"] == "app"
    assert current["password"] != "initial" and len(current["password"]) == 32
    d = sm.describe_secret(SecretId="db")
    assert d["RotationEnabled"] and d["RotationLambdaARN"] == lambda_arn(fid)
    assert "LastRotatedDate" in d and "NextRotationDate" in d
    # The function was called four times with the Lambda event, in order.
    made = calls(server, fid)
    assert [c["event"]["Step"] for c in made] == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    assert all(c["ok"] for c in made)
    assert {c["event"]["ClientRequestToken"] for c in made} == {new}
    assert {c["event"]["SecretId"] for c in made} == {d["ARN"]}
    # Rotating again works: the pending label is gone.
    again = sm.rotate_secret(SecretId="db")["VersionId"]
    assert stages(sm, "db") == {new: ["AWSPREVIOUS"], again: ["AWSCURRENT"]}


def failing_at(tmp_path, step):
    """The example function, failing at `step` as a broken database test would."""
    script = tmp_path / "failing.py"
    script.write_text(
        "import json, sys\n"
        f"sys.path.insert(0, {os.path.dirname(EXAMPLE)!r})\n"
        "import rotate\n"
        "event = json.load(sys.stdin)\n"
        f"if event['Step'] == {step!r}:\n"
        "    sys.exit('testSecret failed: the database refused the new password')\n"
        "rotate.lambda_handler(event, None)\n"
    )
    return [sys.executable, str(script)]


def test_a_function_failing_at_test_secret_leaves_pending_and_blocks_the_next_rotation(
    server, endpoint, tmp_path
):
    sm = client(endpoint)
    fid = f"failing-{uuid.uuid4().hex[:8]}"
    register(server, fid, {"command": failing_at(tmp_path, "testSecret")})
    (old,) = create_db(sm, "db")
    token = str(uuid.uuid4())
    sm.rotate_secret(SecretId="db", RotationLambdaARN=fid, ClientRequestToken=token)
    assert stages(sm, "db") == {old: ["AWSCURRENT"], token: ["AWSPENDING"]}
    assert json.loads(sm.get_secret_value(SecretId="db")["SecretString"])["password"] == "initial"
    pending = json.loads(sm.get_secret_value(SecretId="db", VersionStage="AWSPENDING")["SecretString"])
    assert pending["password"] != "initial"
    made = calls(server, fid)
    assert [c["event"]["Step"] for c in made] == ["createSecret", "setSecret", "testSecret"]
    assert "the database refused the new password" in made[-1]["error"]
    with pytest.raises(ClientError) as e:
        sm.rotate_secret(SecretId="db")
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidRequestException"
    assert "previous rotation isn't complete" in err["Message"]
    assert len(calls(server, fid)) == 3, "the function is not called again"


def test_without_rotate_immediately_only_test_secret_runs_on_a_version_that_is_then_removed(
    server, endpoint, tmp_path
):
    sm = client(endpoint)
    # A function that checks, from inside the call, that its token names an AWSPENDING version.
    script = tmp_path / "checking.py"
    script.write_text(
        "import json, sys, boto3\n"
        "event = json.load(sys.stdin)\n"
        "sm = boto3.client('secretsmanager')\n"
        "stages = sm.describe_secret(SecretId=event['SecretId'])['VersionIdsToStages']\n"
        "assert stages.get(event['ClientRequestToken']) == ['AWSPENDING'], stages\n"
    )
    fid = f"checking-{uuid.uuid4().hex[:8]}"
    register(server, fid, {"command": [sys.executable, str(script)]})
    (old,) = create_db(sm, "db")
    out = sm.rotate_secret(
        SecretId="db",
        RotationLambdaARN=lambda_arn(fid),
        RotationRules={"AutomaticallyAfterDays": 30},
        RotateImmediately=False,
    )
    assert "VersionId" not in out
    made = calls(server, fid)
    assert [c["event"]["Step"] for c in made] == ["testSecret"]
    assert made[0]["ok"], made[0].get("error")
    assert made[0]["event"]["ClientRequestToken"] != old
    # The test's version is gone; the secret is configured but not rotated.
    d = sm.describe_secret(SecretId="db")
    assert d["VersionIdsToStages"] == {old: ["AWSCURRENT"]}
    assert d["RotationEnabled"] and "NextRotationDate" in d and "LastRotatedDate" not in d
    assert json.loads(sm.get_secret_value(SecretId="db")["SecretString"])["password"] == "initial"

    # The example function fails this test (the test's version has no value to log in with):
    # the failure is recorded, nothing else changes, and a real rotation still runs.
    example = f"example-{uuid.uuid4().hex[:8]}"
    register(server, example, {"command": [sys.executable, EXAMPLE]})
    sm.rotate_secret(SecretId="db", RotationLambdaARN=example, RotateImmediately=False)
    made = calls(server, example)
    assert [(c["event"]["Step"], c["ok"]) for c in made] == [("testSecret", False)]
    assert "ResourceNotFoundException" in made[0]["error"]
    assert stages(sm, "db") == {old: ["AWSCURRENT"]}
    new = sm.rotate_secret(SecretId="db")["VersionId"]
    assert stages(sm, "db") == {old: ["AWSPREVIOUS"], new: ["AWSCURRENT"]}


def test_a_function_that_never_answers_times_out(server, endpoint):
    sm = client(endpoint)
    fid = f"hanging-{uuid.uuid4().hex[:8]}"
    register(
        server,
        fid,
        {"command": [sys.executable, "-c", "import time; time.sleep(600)"], "timeout_seconds": 2},
    )
    (old,) = create_db(sm, "db")
    token = str(uuid.uuid4())
    sm.rotate_secret(SecretId="db", RotationLambdaARN=fid, ClientRequestToken=token)
    (call,) = calls(server, fid)
    assert call["event"]["Step"] == "createSecret"
    assert call["ok"] is False and call["error"].startswith("timed out after 2s")
    # AWS staged the new version before calling the function; it never got a value.
    assert stages(sm, "db") == {old: ["AWSCURRENT"], token: ["AWSPENDING"]}
    with pytest.raises(ClientError) as e:
        sm.get_secret_value(SecretId="db", VersionStage="AWSPENDING")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        sm.rotate_secret(SecretId="db")
    assert e.value.response["Error"]["Code"] == "InvalidRequestException"


class Hook(http.server.BaseHTTPRequestHandler):
    """A rotation function behind a URL: runs the example handler in this process."""

    events = []

    def do_POST(self):
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Hook.events.append(event)
        sys.path.insert(0, os.path.dirname(EXAMPLE))
        import rotate

        try:
            rotate.lambda_handler(event, None)
            self.send_response(200)
            self.end_headers()
        except Exception as e:  # reported to the emulator as the failure
            body = str(e).encode()
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_url_function_gets_the_same_events(server, endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        Hook.events = []
        sm = client(endpoint)
        fid = lambda_arn(f"hook-{uuid.uuid4().hex[:8]}")
        register(server, fid, {"url": f"http://127.0.0.1:{hook.server_port}/rotate"})
        (old,) = create_db(sm, "db")
        new = sm.rotate_secret(SecretId="db", RotationLambdaARN=fid)["VersionId"]
        assert [e["Step"] for e in Hook.events] == ["createSecret", "setSecret", "testSecret", "finishSecret"]
        assert stages(sm, "db") == {old: ["AWSPREVIOUS"], new: ["AWSCURRENT"]}
    finally:
        hook.shutdown()


def test_a_scheduled_rotation_calls_the_function_while_the_clock_moves():
    own = Server("--allow-command-functions")
    try:
        sm = client(own.url)
        register(own, "rotator", {"command": [sys.executable, EXAMPLE]})
        (old,) = create_db(sm, "db")
        sm.rotate_secret(
            SecretId="db",
            RotationLambdaARN="rotator",
            RotationRules={"AutomaticallyAfterDays": 1},
            RotateImmediately=False,
        )
        assert stages(sm, "db") == {old: ["AWSCURRENT"]}
        # RotateSecret tested the function (testSecret only); the rotation waits for its time.
        assert [c["event"]["Step"] for c in calls(own, "rotator")] == ["testSecret"]
        status, out = own.admin("POST", "/_localsecrets/clock", {"advance_seconds": 86_400 + 60})
        assert status == 200
        assert [(r["kind"], r["ok"]) for r in out["ran"]] == [("rotation", True)]
        steps = [c["event"]["Step"] for c in calls(own, "rotator")][1:]
        assert steps == ["createSecret", "setSecret", "testSecret", "finishSecret"]
        new = [v for v, s in stages(sm, "db").items() if "AWSCURRENT" in s][0]
        assert new != old
        assert json.loads(sm.get_secret_value(SecretId="db")["SecretString"])["password"] != "initial"
    finally:
        own.stop()


def test_the_registry_is_loaded_from_a_file_and_survives_a_restart(tmp_path):
    data = str(tmp_path / "state.db")
    file = tmp_path / "functions.json"
    file.write_text(json.dumps({"from-file": {"command": [sys.executable, EXAMPLE]}}))
    first = Server("--data", data, "--rotation-functions", str(file), "--rotation-timeout", "7")
    try:
        register(first, "added", {"url": "http://127.0.0.1:9/rotate", "timeout_seconds": 3})
        status, listed = first.admin("GET", "/_localsecrets/rotation-functions")
        assert status == 200 and listed["default_timeout_seconds"] == 7
    finally:
        first.stop()
    second = Server("--data", data)
    try:
        status, listed = second.admin("GET", "/_localsecrets/rotation-functions")
        assert status == 200
        assert {f["id"]: f for f in listed["functions"]} == {
            "added": {"id": "added", "url": "http://127.0.0.1:9/rotate", "timeout_seconds": 3},
            "from-file": {"id": "from-file", "command": [sys.executable, EXAMPLE]},
        }
        status, _ = second.admin("DELETE", "/_localsecrets/rotation-functions/added")
        assert status == 200
        status, _ = second.admin("GET", "/_localsecrets/rotation-functions/added")
        assert status == 404
    finally:
        second.stop()


def test_a_bad_functions_file_stops_the_server_with_a_reason(tmp_path):
    file = tmp_path / "functions.json"
    file.write_text(json.dumps({"f": {"url": "https://nope"}}))
    run = subprocess.run(
        [BIN, "--port", "0", "--rotation-functions", str(file)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode != 0
    assert "functions.json" in run.stderr and "http://" in run.stderr
