"""Shared fixtures: one localsecrets server per test session, reset before each test.

The binary comes from LOCALSECRETS_BIN (set by tests/run.sh to the one release build);
every suite talks to it over loopback on a free port.
"""

import json
import os
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.environ.get("LOCALSECRETS_BIN", os.path.join(ROOT, "target", "release", "localsecrets"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url, proc, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_localsecrets/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("server did not become healthy")


class Server:
    """A running server process; `admin` calls its admin API."""

    def __init__(self, *args, env=None, admin_token=None):
        self.admin_token = admin_token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [BIN, "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=full_env,
        )
        wait_healthy(self.url, self.proc)

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if method not in ("GET", "HEAD"):
            # Admin calls that change state take JSON only (nothing a web form can send).
            req.add_header("content-type", "application/json")
        if self.admin_token:
            req.add_header("authorization", f"Bearer {self.admin_token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, (json.loads(raw) if raw else None)

    def stop(self):
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out.decode(errors="replace")


@pytest.fixture(scope="session")
def server():
    # The rotation-function suites register command functions through the admin API, which
    # the server refuses unless it is told otherwise (test_security.py checks the default).
    s = Server("--allow-command-functions")
    yield s
    s.stop()


@pytest.fixture
def endpoint(server):
    """The base URL of a server whose state was reset for this test."""
    status, _ = server.admin("POST", "/_localsecrets/reset")
    assert status == 200
    return server.url


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch):
    # SDKs must never reach a real cloud or read the developer's credentials.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
