"""AWS Secrets Manager through the AWS CLI (`aws secretsmanager … --endpoint-url`), the
pinned awscli of this venv, as a shell user would run it."""

import base64
import json
import os
import shutil
import subprocess
import sys

import pytest

AWS = shutil.which("aws", path=os.path.dirname(sys.executable)) or shutil.which("aws")
LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:rotate"

pytestmark = pytest.mark.skipif(AWS is None, reason="the aws CLI is not installed")


class Cli:
    def __init__(self, endpoint, region="us-east-1"):
        self.endpoint = endpoint
        self.region = region

    def run(self, *args, check=True):
        cmd = [
            AWS,
            "secretsmanager",
            *args,
            "--endpoint-url",
            self.endpoint,
            "--region",
            self.region,
            "--output",
            "json",
        ]
        env = dict(os.environ, AWS_PAGER="", AWS_MAX_ATTEMPTS="1")
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        if check:
            assert p.returncode == 0, f"{args}: {p.stderr}"
            return json.loads(p.stdout) if p.stdout.strip() else {}
        return p


@pytest.fixture
def cli(endpoint):
    return Cli(endpoint)


def test_lifecycle(cli):
    created = cli.run("create-secret", "--name", "cli/db", "--secret-string", '{"password":"p"}',
                      "--description", "from the cli", "--tags", "Key=team,Value=a")
    assert created["Name"] == "cli/db"
    assert created["ARN"].startswith("arn:aws:secretsmanager:us-east-1:000000000000:secret:cli/db-")
    got = cli.run("get-secret-value", "--secret-id", created["ARN"])
    assert json.loads(got["SecretString"]) == {"password": "p"}
    assert got["VersionStages"] == ["AWSCURRENT"]
    v2 = cli.run("put-secret-value", "--secret-id", "cli/db", "--secret-string", "two")["VersionId"]
    cli.run("update-secret", "--secret-id", "cli/db", "--description", "changed")
    d = cli.run("describe-secret", "--secret-id", "cli/db")
    assert d["Description"] == "changed"
    assert d["VersionIdsToStages"][v2] == ["AWSCURRENT"]
    assert d["Tags"] == [{"Key": "team", "Value": "a"}]
    versions = cli.run("list-secret-version-ids", "--secret-id", "cli/db")["Versions"]
    assert sorted(v["VersionStages"][0] for v in versions) == ["AWSCURRENT", "AWSPREVIOUS"]
    deleted = cli.run("delete-secret", "--secret-id", "cli/db", "--recovery-window-in-days", "7")
    assert "DeletionDate" in deleted
    assert "DeletedDate" in cli.run("describe-secret", "--secret-id", "cli/db")
    cli.run("restore-secret", "--secret-id", "cli/db")
    assert cli.run("get-secret-value", "--secret-id", "cli/db")["SecretString"] == "two"
    cli.run("delete-secret", "--secret-id", "cli/db", "--force-delete-without-recovery")
    p = cli.run("describe-secret", "--secret-id", "cli/db", check=False)
    assert p.returncode != 0 and "ResourceNotFoundException" in p.stderr


def test_binary_values_from_files(cli, tmp_path):
    blob = bytes(range(256))
    f = tmp_path / "blob.bin"
    f.write_bytes(blob)
    cli.run("create-secret", "--name", "cli/bin", "--secret-binary", f"fileb://{f}")
    out = tmp_path / "out.bin"
    p = subprocess.run(
        [AWS, "secretsmanager", "get-secret-value", "--secret-id", "cli/bin", "--endpoint-url",
         cli.endpoint, "--region", "us-east-1", "--query", "SecretBinary", "--output", "text"],
        capture_output=True, text=True, env=dict(os.environ, AWS_PAGER=""), timeout=60,
    )
    assert p.returncode == 0, p.stderr
    out.write_bytes(base64.b64decode(p.stdout.strip()))
    assert out.read_bytes() == blob


def test_errors_exit_non_zero_with_the_aws_message(cli):
    p = cli.run("get-secret-value", "--secret-id", "missing", check=False)
    assert p.returncode == 255  # awscli v1: any service error
    assert "ResourceNotFoundException" in p.stderr
    assert "Secrets Manager can't find the specified secret." in p.stderr
    p = cli.run("create-secret", "--name", "bad name", "--secret-string", "x", check=False)
    assert p.returncode == 255 and "ValidationException" in p.stderr
    cli.run("create-secret", "--name", "dup", "--secret-string", "x")
    p = cli.run("create-secret", "--name", "dup", "--secret-string", "x", check=False)
    assert "ResourceExistsException" in p.stderr and "already exists" in p.stderr


def test_stages_and_rotation(cli):
    v1 = cli.run("create-secret", "--name", "cli/rot", "--secret-string", '{"username":"u","password":"p"}')[
        "VersionId"
    ]
    v2 = cli.run("put-secret-value", "--secret-id", "cli/rot", "--secret-string", "next",
                 "--version-stages", "AWSPENDING")["VersionId"]
    p = cli.run("rotate-secret", "--secret-id", "cli/rot", "--rotation-lambda-arn", LAMBDA, check=False)
    assert p.returncode != 0 and "InvalidRequestException" in p.stderr
    cli.run("update-secret-version-stage", "--secret-id", "cli/rot", "--version-stage", "AWSCURRENT",
            "--move-to-version-id", v2, "--remove-from-version-id", v1)
    d = cli.run("describe-secret", "--secret-id", "cli/rot")
    assert sorted(d["VersionIdsToStages"][v2]) == ["AWSCURRENT", "AWSPENDING"]
    r = cli.run("rotate-secret", "--secret-id", "cli/rot", "--rotation-lambda-arn", LAMBDA,
                "--rotation-rules", '{"AutomaticallyAfterDays": 7}')
    d = cli.run("describe-secret", "--secret-id", "cli/rot")
    assert d["RotationEnabled"] is True and d["RotationRules"] == {"AutomaticallyAfterDays": 7}
    assert d["VersionIdsToStages"][r["VersionId"]] == ["AWSCURRENT"]
    assert d["VersionIdsToStages"][v2] == ["AWSPREVIOUS"]
    cli.run("cancel-rotate-secret", "--secret-id", "cli/rot")
    assert cli.run("describe-secret", "--secret-id", "cli/rot")["RotationEnabled"] is False


def test_listing_with_filters_and_pages(cli):
    for i in range(5):
        cli.run("create-secret", "--name", f"cli/list/{i}", "--secret-string", "x")
    cli.run("create-secret", "--name", "other", "--secret-string", "x")
    listed = cli.run("list-secrets", "--filters", "Key=name,Values=cli/list/", "--page-size", "2")
    assert [s["Name"] for s in listed["SecretList"]] == [f"cli/list/{i}" for i in range(5)]
    negated = cli.run("list-secrets", "--filters", "Key=name,Values=!cli/")
    assert [s["Name"] for s in negated["SecretList"]] == ["other"]
    first = cli.run("list-secrets", "--max-items", "2")
    assert len(first["SecretList"]) == 2 and "NextToken" in first
    rest = cli.run("list-secrets", "--starting-token", first["NextToken"])
    assert len(rest["SecretList"]) == 4


def test_policies_tags_passwords_and_batches(cli):
    cli.run("create-secret", "--name", "cli/misc", "--secret-string", "x")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    p = cli.run("put-resource-policy", "--secret-id", "cli/misc", "--resource-policy", policy,
                "--block-public-policy", check=False)
    assert "PublicPolicyException" in p.stderr
    cli.run("put-resource-policy", "--secret-id", "cli/misc", "--resource-policy", policy)
    assert json.loads(cli.run("get-resource-policy", "--secret-id", "cli/misc")["ResourcePolicy"]) == json.loads(policy)
    cli.run("delete-resource-policy", "--secret-id", "cli/misc")
    cli.run("tag-resource", "--secret-id", "cli/misc", "--tags", "Key=a,Value=1")
    cli.run("untag-resource", "--secret-id", "cli/misc", "--tag-keys", "a")
    assert cli.run("describe-secret", "--secret-id", "cli/misc")["Tags"] == []
    pw = cli.run("get-random-password", "--password-length", "50", "--exclude-punctuation")["RandomPassword"]
    assert len(pw) == 50 and pw.isalnum()
    b = cli.run("batch-get-secret-value", "--secret-id-list", "cli/misc", "nope")
    assert [v["Name"] for v in b["SecretValues"]] == ["cli/misc"]
    assert b["Errors"][0]["ErrorCode"] == "ResourceNotFoundException"


def test_replication_across_regions(endpoint):
    us, eu = Cli(endpoint, "us-east-1"), Cli(endpoint, "eu-west-1")
    us.run("create-secret", "--name", "cli/rep", "--secret-string", "v1",
           "--add-replica-regions", "Region=eu-west-1")
    assert eu.run("get-secret-value", "--secret-id", "cli/rep")["SecretString"] == "v1"
    us.run("put-secret-value", "--secret-id", "cli/rep", "--secret-string", "v2")
    assert eu.run("get-secret-value", "--secret-id", "cli/rep")["SecretString"] == "v2"
    eu.run("stop-replication-to-replica", "--secret-id", "cli/rep")
    assert "PrimaryRegion" not in eu.run("describe-secret", "--secret-id", "cli/rep")
