"""Durability through the SDK: boto3 writers create and update secrets against a server
with `--data`, the server is killed with SIGKILL in the middle of the stream and restarted
on the same file. Every write the SDK saw acknowledged must be there, and the staging labels
must be consistent: one AWSCURRENT per secret, on the last acknowledged version or on a
later one whose write was in flight, with AWSPREVIOUS on the version before it."""

import threading
import time

import boto3
import pytest
from botocore.config import Config
from conftest import Server

# Enough writers that commits are shared (group commit), and every round kills anew.
WRITERS = 8
ROUNDS = 3
VERSIONS_PER_SECRET = 6
ACKS_BEFORE_KILL = 120


def client(url):
    return boto3.client(
        "secretsmanager",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="111111111111",
        aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def token(writer, secret, version):
    return f"{writer:08d}-0000-4000-8000-{secret:06d}{version:06d}"


def value(writer, secret, version):
    return f"value w{writer} s{secret} v{version}"


class Writer(threading.Thread):
    """Creates secrets and puts versions in order until the server goes away."""

    def __init__(self, url, n):
        super().__init__(daemon=True)
        self.sm = client(url)
        self.n = n
        self.acked = []  # (name, version index) in acknowledgement order
        self.attempted = {}  # name -> highest version index sent

    def run(self):
        secret = 0
        try:
            while True:
                name = f"crash/w{self.n}/s{secret}"
                self.attempted[name] = 0
                self.sm.create_secret(
                    Name=name,
                    SecretString=value(self.n, secret, 0),
                    ClientRequestToken=token(self.n, secret, 0),
                )
                self.acked.append((name, 0))
                for v in range(1, VERSIONS_PER_SECRET):
                    self.attempted[name] = v
                    self.sm.put_secret_value(
                        SecretId=name,
                        SecretString=value(self.n, secret, v),
                        ClientRequestToken=token(self.n, secret, v),
                    )
                    self.acked.append((name, v))
                secret += 1
        except Exception:
            return  # the server was killed


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_acknowledged_writes_survive_sigkill(tmp_path, round_):
    data = str(tmp_path / "state.db")
    server = Server("--data", data)
    writers = [Writer(server.url, n) for n in range(WRITERS)]
    for w in writers:
        w.start()
    deadline = time.time() + 120  # a hang guard, not a performance assertion
    while sum(len(w.acked) for w in writers) < ACKS_BEFORE_KILL:
        assert time.time() < deadline, "writers made no progress"
        assert all(w.is_alive() for w in writers), "a writer stopped before the kill"
        time.sleep(0.01)
    server.proc.kill()  # SIGKILL while the writers are still sending
    server.proc.wait()
    for w in writers:
        w.join(timeout=60)
        assert not w.is_alive()

    restarted = Server("--data", data)
    try:
        sm = client(restarted.url)
        for w in writers:
            last_acked = {}
            for name, v in w.acked:
                last_acked[name] = max(v, last_acked.get(name, -1))
            assert last_acked, "no write was acknowledged"
            secret_of = {}
            for name, v in w.acked:
                secret_of[name] = int(name.rsplit("/s", 1)[1])
                got = sm.get_secret_value(SecretId=name, VersionId=token(w.n, secret_of[name], v))
                assert got["SecretString"] == value(w.n, secret_of[name], v)
            for name, acked in last_acked.items():
                s = secret_of[name]
                stages = sm.describe_secret(SecretId=name)["VersionIdsToStages"]
                holders = {}
                for version_id, labels in stages.items():
                    assert len(labels) == len(set(labels))
                    for label in labels:
                        assert label not in holders, f"{label} twice on {name}"
                        holders[label] = version_id
                current = holders["AWSCURRENT"]
                allowed = [token(w.n, s, v) for v in range(acked, w.attempted[name] + 1)]
                assert current in allowed, f"{name}: current {current} not in {allowed}"
                index = allowed.index(current) + acked
                if index > 0:
                    assert holders["AWSPREVIOUS"] == token(w.n, s, index - 1)
                else:
                    assert "AWSPREVIOUS" not in holders
                value_now = sm.get_secret_value(SecretId=name)["SecretString"]
                assert value_now == value(w.n, s, index)
    finally:
        restarted.stop()
