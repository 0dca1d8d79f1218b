"""AWS rotation on the emulator's clock, through boto3: AutomaticallyAfterDays and cron()
schedules fire at their own times when the clock is advanced, deletion windows end in a
purge, and a schedule carries on across a restart with --data. Every test here moves the
clock, so each runs a server of its own."""

import json
import time
from datetime import datetime, timezone

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import Server

ACCOUNT = "123456789012"
# No function is registered under this name: the built-in rotation runs.
LAMBDA = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:builtin"
DAY = 86_400


def client(url):
    return boto3.client(
        "secretsmanager",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=ACCOUNT,
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def own():
    s = Server()
    yield s
    s.stop()


def move_clock(server, **body):
    status, out = server.admin("POST", "/_localsecrets/clock", body)
    assert status == 200, out
    return out


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def rotations(out):
    ran = [r for r in out["ran"] if r["kind"] == "rotation"]
    assert all(r["ok"] for r in ran), ran
    return ran


def stages(sm, name):
    return sm.describe_secret(SecretId=name)["VersionIdsToStages"]


def holder(sm, name, label):
    held = [v for v, labels in stages(sm, name).items() if label in labels]
    assert len(held) <= 1
    return held[0] if held else None


def value(sm, name, **kw):
    return json.loads(sm.get_secret_value(SecretId=name, **kw)["SecretString"])


def thirty_day_secret(sm, name="db"):
    sm.create_secret(Name=name, SecretString=json.dumps({"username": "app", "password": "initial"}))
    sm.rotate_secret(
        SecretId=name,
        RotationLambdaARN=LAMBDA,
        RotationRules={"AutomaticallyAfterDays": 30},
        RotateImmediately=False,
    )


def test_ninety_five_days_on_a_thirty_day_schedule_rotate_exactly_three_times(own):
    sm = client(own.url)
    thirty_day_secret(sm)
    d = sm.describe_secret(SecretId="db")
    assert d["RotationEnabled"] is True
    assert d["RotationRules"] == {"AutomaticallyAfterDays": 30}
    first_due = d["NextRotationDate"].timestamp()
    assert abs(first_due - (d["CreatedDate"].timestamp() + 30 * DAY)) < 2

    out = move_clock(own, advance_seconds=95 * DAY)
    ran = rotations(out)
    assert len(ran) == 3
    dues = [ts(r["due"]) for r in ran]
    assert abs(dues[0] - first_due) < 0.01
    # Each at its own time, 30 days after the one before.
    assert abs(dues[1] - dues[0] - 30 * DAY) < 2
    assert abs(dues[2] - dues[1] - 30 * DAY) < 2

    versions = sm.list_secret_version_ids(SecretId="db", IncludeDeprecated=True)["Versions"]
    assert len(versions) == 4
    d = sm.describe_secret(SecretId="db")
    assert abs(d["LastRotatedDate"].timestamp() - dues[2]) < 2
    assert abs(d["NextRotationDate"].timestamp() - d["LastRotatedDate"].timestamp() - 30 * DAY) < 2
    labels = [l for ls in d["VersionIdsToStages"].values() for l in ls]
    assert sorted(labels) == ["AWSCURRENT", "AWSPREVIOUS"]
    now = value(sm, "db")
    assert now["username"] == "app" and now["password"] not in ("initial", "")
    assert value(sm, "db", VersionStage="AWSPREVIOUS")["password"] != now["password"]
    # Nothing more is due until the next window.
    status, tick = own.admin("POST", "/_localsecrets/rotation/tick")
    assert status == 200 and tick["ran"] == []


def test_labels_and_dates_after_each_scheduled_rotation(own):
    sm = client(own.url)
    thirty_day_secret(sm)
    original = holder(sm, "db", "AWSCURRENT")
    start = sm.describe_secret(SecretId="db")["CreatedDate"].timestamp()
    seen = [original]
    for step_days, total in [(31, 1), (30, 2), (34, 3)]:
        ran = rotations(move_clock(own, advance_seconds=step_days * DAY))
        assert len(ran) == 1, ran
        current = holder(sm, "db", "AWSCURRENT")
        assert current not in seen
        assert holder(sm, "db", "AWSPREVIOUS") == seen[-1]
        assert holder(sm, "db", "AWSPENDING") is None
        seen.append(current)
        d = sm.describe_secret(SecretId="db")
        assert abs(d["LastRotatedDate"].timestamp() - (start + 30 * DAY * total)) < 5
        assert abs(d["NextRotationDate"].timestamp() - d["LastRotatedDate"].timestamp() - 30 * DAY) < 2
        assert value(sm, "db")["username"] == "app"
    assert len(seen) == 4


def test_cron_fires_on_the_first_and_fifteenth_at_four_pm(own):
    sm = client(own.url)
    move_clock(own, set="2031-01-20T10:00:00Z")
    sm.create_secret(Name="cron", SecretString=json.dumps({"username": "u", "password": "p"}))
    sm.rotate_secret(
        SecretId="cron",
        RotationLambdaARN=LAMBDA,
        RotationRules={"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "2h"},
        RotateImmediately=False,
    )
    d = sm.describe_secret(SecretId="cron")
    assert d["RotationRules"] == {"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "2h"}
    assert d["NextRotationDate"] == datetime(2031, 2, 1, 16, tzinfo=timezone.utc)

    ran = rotations(move_clock(own, set="2031-03-02T00:00:00Z"))
    assert [r["due"] for r in ran] == [
        "2031-02-01T16:00:00.000Z",
        "2031-02-15T16:00:00.000Z",
        "2031-03-01T16:00:00.000Z",
    ]
    d = sm.describe_secret(SecretId="cron")
    assert d["NextRotationDate"] == datetime(2031, 3, 15, 16, tzinfo=timezone.utc)
    last = d["LastRotatedDate"].astimezone(timezone.utc)
    assert (last.year, last.month, last.day, last.hour, last.minute) == (2031, 3, 1, 16, 0)
    assert len(sm.list_secret_version_ids(SecretId="cron", IncludeDeprecated=True)["Versions"]) == 4


def test_malformed_schedules_are_refused(own):
    sm = client(own.url)
    sm.create_secret(Name="s", SecretString="x")
    for rules in [
        {"ScheduleExpression": "cron(30 16 1,15 * ? *)"},
        {"ScheduleExpression": "cron(0 16 1,15 * ?)"},
        {"ScheduleExpression": "cron(0 16 1 * MON *)"},
        {"ScheduleExpression": "rate(2 hours)"},
    ]:
        with pytest.raises(ClientError) as e:
            sm.rotate_secret(SecretId="s", RotationLambdaARN=LAMBDA, RotationRules=rules)
        assert e.value.response["Error"]["Code"] == "InvalidParameterException", rules
    assert "RotationEnabled" not in sm.describe_secret(SecretId="s")


def test_a_secret_scheduled_for_deletion_is_purged_when_its_window_ends(own):
    sm = client(own.url)
    sm.create_secret(Name="temp", SecretString="short-lived")
    sm.delete_secret(SecretId="temp", RecoveryWindowInDays=7)
    out = move_clock(own, advance_seconds=7 * DAY - 1)
    assert out["ran"] == []
    assert "DeletedDate" in sm.describe_secret(SecretId="temp")
    out = move_clock(own, advance_seconds=2)
    assert [(r["kind"], r["secret"], r["ok"]) for r in out["ran"]] == [("purge", "temp", True)]
    with pytest.raises(ClientError) as e:
        sm.describe_secret(SecretId="temp")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # The name is free again.
    sm.create_secret(Name="temp", SecretString="again")
    assert sm.get_secret_value(SecretId="temp")["SecretString"] == "again"


def test_the_schedule_carries_on_across_a_restart_with_data(tmp_path):
    data = str(tmp_path / "state.db")
    first = Server("--data", data)
    try:
        sm = client(first.url)
        thirty_day_secret(sm)
        assert len(rotations(move_clock(first, advance_seconds=40 * DAY))) == 1
        before = sm.describe_secret(SecretId="db")
    finally:
        first.stop()

    second = Server("--data", data)
    try:
        sm = client(second.url)
        after = sm.describe_secret(SecretId="db")
        assert after["NextRotationDate"] == before["NextRotationDate"]
        assert after["LastRotatedDate"] == before["LastRotatedDate"]
        status, clock = second.admin("GET", "/_localsecrets/clock")
        assert status == 200 and clock["offset_seconds"] >= 40 * DAY
        # The second rotation falls due 60 days after the schedule began.
        ran = rotations(move_clock(second, advance_seconds=25 * DAY))
        assert len(ran) == 1
        assert abs(ts(ran[0]["due"]) - before["NextRotationDate"].timestamp()) < 0.01
        assert len(sm.list_secret_version_ids(SecretId="db", IncludeDeprecated=True)["Versions"]) == 3
    finally:
        second.stop()


def test_the_background_scheduler_rotates_when_the_time_comes(own):
    """Without a clock move or tick: the server's own task wakes at the due time."""
    sm = client(own.url)
    thirty_day_secret(sm)
    due = sm.describe_secret(SecretId="db")["NextRotationDate"]
    # One second before the window opens; the scheduler re-arms for the new clock.
    before = datetime.fromtimestamp(due.timestamp() - 1, tz=timezone.utc)
    out = move_clock(own, set=before.isoformat().replace("+00:00", "Z"))
    assert out["ran"] == []
    deadline = time.time() + 30  # a hang guard, not a timing assertion
    while sm.describe_secret(SecretId="db").get("LastRotatedDate") is None:
        assert time.time() < deadline, "the scheduled rotation never ran"
        time.sleep(0.05)
    status, state = own.admin("GET", "/_localsecrets/rotation")
    assert [(r["kind"], r["secret"], r["ok"]) for r in state["recent"]] == [("rotation", "db", True)]
    assert len(sm.list_secret_version_ids(SecretId="db")["Versions"]) == 2
