"""AWS Secrets Manager through boto3: every operation of the service model against the real
server, with the SDK's own request building, paginators and error parsing."""

import base64
import json
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import Server

ACCOUNT = "111111111111"
LAMBDA = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:rotate"


def client(endpoint, region="us-east-1", key=ACCOUNT):
    return boto3.client(
        "secretsmanager",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def sm(endpoint):
    return client(endpoint)


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response["Error"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return err["Code"], err["Message"]


def stages(sm, secret_id, deprecated=False):
    """Every version's labels, read page by page (two at a time) through NextToken."""
    out = {}
    kwargs = {"SecretId": secret_id, "IncludeDeprecated": deprecated, "MaxResults": 2}
    while True:
        page = sm.list_secret_version_ids(**kwargs)
        for v in page["Versions"]:
            assert v["KmsKeyIds"] == ["DefaultEncryptionKey"]
            out[v["VersionId"]] = sorted(v.get("VersionStages", []))
        if "NextToken" not in page:
            return out
        kwargs["NextToken"] = page["NextToken"]


def test_create_read_describe(sm):
    r = sm.create_secret(Name="app/db", SecretString="s3cret", Description="db password")
    arn = r["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:app/db-")
    assert len(arn.rsplit("-", 1)[1]) == 6
    for secret_id in ["app/db", arn, arn[:-7]]:
        v = sm.get_secret_value(SecretId=secret_id)
        assert v["SecretString"] == "s3cret"
        assert v["VersionId"] == r["VersionId"]
        assert v["VersionStages"] == ["AWSCURRENT"]
        assert "SecretBinary" not in v
    d = sm.describe_secret(SecretId="app/db")
    assert d["Description"] == "db password"
    assert d["VersionIdsToStages"] == {r["VersionId"]: ["AWSCURRENT"]}
    assert "LastAccessedDate" in d and "RotationEnabled" not in d and "Tags" not in d
    assert d["CreatedDate"] <= d["LastChangedDate"]


def test_binary_values_round_trip(sm):
    blob = bytes(range(256))
    sm.create_secret(Name="bin", SecretBinary=blob)
    assert sm.get_secret_value(SecretId="bin")["SecretBinary"] == blob
    sm.put_secret_value(SecretId="bin", SecretBinary=b"\x00\x01")
    assert sm.get_secret_value(SecretId="bin")["SecretBinary"] == b"\x00\x01"
    sm.update_secret(SecretId="bin", SecretString="now text")
    v = sm.get_secret_value(SecretId="bin")
    assert v["SecretString"] == "now text" and "SecretBinary" not in v


def test_empty_secret_gets_its_first_version(sm):
    r = sm.create_secret(Name="empty", Description="")
    assert "VersionId" not in r
    d = sm.describe_secret(SecretId=r["ARN"])
    assert "VersionIdsToStages" not in d and "Description" not in d
    code, msg = error_of(sm.get_secret_value, SecretId="empty")
    assert code == "ResourceNotFoundException"
    assert msg.endswith("staging label: AWSCURRENT")
    p = sm.put_secret_value(SecretId=r["ARN"], SecretString="first")
    assert p["VersionStages"] == ["AWSCURRENT"]


def test_client_request_token_idempotency(sm):
    token = str(uuid.uuid4())
    a = sm.create_secret(Name="idem", SecretString="v", ClientRequestToken=token)
    b = sm.create_secret(Name="idem", SecretString="v", ClientRequestToken=token)
    assert a["VersionId"] == b["VersionId"] == token
    code, _ = error_of(sm.create_secret, Name="idem", SecretString="w", ClientRequestToken=token)
    assert code == "ResourceExistsException"
    t2 = str(uuid.uuid4())
    p1 = sm.put_secret_value(SecretId="idem", SecretString="two", ClientRequestToken=t2)
    p2 = sm.put_secret_value(SecretId="idem", SecretString="two", ClientRequestToken=t2)
    assert p1["VersionId"] == p2["VersionId"] == t2
    assert len(stages(sm, "idem", deprecated=True)) == 2
    code, msg = error_of(
        sm.put_secret_value, SecretId="idem", SecretString="three", ClientRequestToken=t2
    )
    assert code == "ResourceExistsException"
    assert msg == (
        f"You can't use ClientRequestToken {t2} because that value is already in use for a "
        f"version of secret {a['ARN']}."
    )
    t3 = str(uuid.uuid4())
    u = sm.update_secret(SecretId="idem", SecretString="four", ClientRequestToken=t3)
    assert u["VersionId"] == t3
    assert sm.update_secret(SecretId="idem", SecretString="four", ClientRequestToken=t3)[
        "VersionId"
    ] == t3
    code, _ = error_of(sm.update_secret, SecretId="idem", SecretString="x", ClientRequestToken=t3)
    assert code == "ResourceExistsException"


def test_label_transitions(sm):
    v0 = sm.create_secret(Name="lbl", SecretString="S1")["VersionId"]
    v1 = sm.put_secret_value(SecretId="lbl", SecretString="S2", VersionStages=["AWSPENDING"])[
        "VersionId"
    ]
    assert sm.get_secret_value(SecretId="lbl")["VersionId"] == v0
    assert sm.get_secret_value(SecretId="lbl", VersionStage="AWSPENDING")["SecretString"] == "S2"
    code, msg = error_of(
        sm.update_secret_version_stage,
        SecretId="lbl",
        VersionStage="AWSCURRENT",
        MoveToVersionId=v1,
    )
    assert code == "InvalidParameterException" and v0 in msg
    sm.update_secret_version_stage(
        SecretId="lbl", VersionStage="AWSCURRENT", MoveToVersionId=v1, RemoveFromVersionId=v0
    )
    assert stages(sm, "lbl") == {v0: ["AWSPREVIOUS"], v1: ["AWSCURRENT", "AWSPENDING"]}
    v2 = sm.put_secret_value(SecretId="lbl", SecretString="S3")["VersionId"]
    assert stages(sm, "lbl") == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"]}
    assert stages(sm, "lbl", deprecated=True)[v0] == []
    v3 = sm.put_secret_value(
        SecretId="lbl", SecretString="S4", VersionStages=["one", "two", "three"]
    )["VersionId"]
    v4 = sm.put_secret_value(SecretId="lbl", SecretString="S5", VersionStages=["one", "four"])[
        "VersionId"
    ]
    s = stages(sm, "lbl")
    assert s[v3] == ["three", "two"] and s[v4] == ["four", "one"]
    sm.update_secret_version_stage(SecretId="lbl", VersionStage="one", RemoveFromVersionId=v4)
    code, _ = error_of(
        sm.update_secret_version_stage,
        SecretId="lbl",
        VersionStage="AWSCURRENT",
        RemoveFromVersionId=v2,
    )
    assert code == "InvalidParameterException"
    code, msg = error_of(sm.get_secret_value, SecretId="lbl", VersionId=v4, VersionStage="AWSCURRENT")
    assert code == "InvalidRequestException"
    assert msg == "You provided a VersionStage that is not associated to the provided VersionId."
    missing = str(uuid.uuid4())
    code, msg = error_of(sm.get_secret_value, SecretId="lbl", VersionId=missing)
    assert msg == f"Secrets Manager can't find the specified secret value for VersionId: {missing}"


def test_deprecated_versions_are_evicted_past_one_hundred(sm):
    sm.create_secret(Name="many", SecretString="0")
    for i in range(1, 106):
        sm.put_secret_value(SecretId="many", SecretString=str(i))
    every = stages(sm, "many", deprecated=True)
    assert len(every) == 102
    assert len(stages(sm, "many")) == 2


def test_list_secrets_filters_sorting_and_paging(sm):
    names = ["testing1/one", "/testing2/two", "testing3/three", "/testing4/four"]
    descriptions = ["a secret", "an secret", "asecret", "thesecret"]
    for i, (n, d) in enumerate(zip(names, descriptions)):
        sm.create_secret(
            Name=n, SecretString="x", Description=d, Tags=[{"Key": "idx", "Value": str(i)}]
        )

    def listed(**kw):
        return [s["Name"] for s in sm.list_secrets(**kw)["SecretList"]]

    assert listed() == names  # oldest first
    assert listed(SortBy="name", SortOrder="desc") == sorted(names, reverse=True)
    assert set(listed(Filters=[{"Key": "name", "Values": ["/"]}])) == {names[1], names[3]}
    assert set(listed(Filters=[{"Key": "name", "Values": ["!/"]}])) == {names[0], names[2]}
    assert listed(Filters=[{"Key": "name", "Values": ["testing1 one"]}]) == []
    assert set(listed(Filters=[{"Key": "description", "Values": ["a"]}])) == set(names[:3])
    assert listed(Filters=[{"Key": "description", "Values": ["!a"]}]) == [names[3]]
    assert set(listed(Filters=[{"Key": "description", "Values": ["a secret"]}])) == set(names[:2])
    assert listed(Filters=[{"Key": "tag-value", "Values": ["2"]}]) == [names[2]]
    assert listed(Filters=[{"Key": "all", "Values": ["thesecret"]}]) == [names[3]]
    assert (
        listed(
            Filters=[
                {"Key": "description", "Values": ["a"]},
                {"Key": "name", "Values": ["secret"]},
            ]
        )
        == []
    )
    pages = list(
        sm.get_paginator("list_secrets").paginate(PaginationConfig={"PageSize": 3})
    )
    assert [len(p["SecretList"]) for p in pages] == [3, 1]
    first = sm.list_secrets(MaxResults=1)
    code, _ = error_of(sm.list_secrets, MaxResults=1, NextToken=first["NextToken"], SortBy="name")
    assert code == "InvalidNextTokenException"
    code, _ = error_of(sm.list_secrets, NextToken="not-a-token")
    assert code == "InvalidNextTokenException"


def test_deletion_window_and_restore(sm):
    sm.create_secret(Name="del", SecretString="v")
    code, msg = error_of(sm.delete_secret, SecretId="del", RecoveryWindowInDays=6)
    assert code == "InvalidParameterException"
    code, _ = error_of(
        sm.delete_secret, SecretId="del", RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True
    )
    assert code == "InvalidParameterException"
    r = sm.delete_secret(SecretId="del", RecoveryWindowInDays=7)
    d = sm.describe_secret(SecretId="del")
    assert "DeletedDate" in d
    assert (r["DeletionDate"] - d["DeletedDate"]).total_seconds() == pytest.approx(7 * 86400, abs=1)
    marked = "You can't perform this operation on the secret because it was marked for deletion."
    assert error_of(sm.get_secret_value, SecretId="del") == ("InvalidRequestException", marked)
    assert error_of(sm.put_secret_value, SecretId="del", SecretString="x") == (
        "InvalidRequestException",
        marked,
    )
    code, msg = error_of(sm.create_secret, Name="del", SecretString="v")
    assert (code, msg) == (
        "InvalidRequestException",
        "You can't create this secret because a secret with this name is already scheduled "
        "for deletion.",
    )
    assert [s["Name"] for s in sm.list_secrets()["SecretList"]] == []
    assert [s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]] == [
        "del"
    ]
    sm.restore_secret(SecretId="del")
    assert sm.get_secret_value(SecretId="del")["SecretString"] == "v"
    # Forced deletion: at once, and of a secret that never existed too.
    sm.delete_secret(SecretId="del", ForceDeleteWithoutRecovery=True)
    assert error_of(sm.describe_secret, SecretId="del")[0] == "ResourceNotFoundException"
    gone = sm.delete_secret(SecretId="never-was", ForceDeleteWithoutRecovery=True)
    assert gone["Name"] == "never-was"


def test_deletion_window_passes():
    # A server of its own: moving the clock must not age the shared server's secrets.
    own = Server()
    try:
        sm = client(own.url)
        sm.create_secret(Name="del", SecretString="v")
        sm.delete_secret(SecretId="del", RecoveryWindowInDays=7)
        status, _ = own.admin("POST", "/_localsecrets/clock", {"advance_seconds": 7 * 86400 - 1})
        assert status == 200
        assert "DeletedDate" in sm.describe_secret(SecretId="del")
        status, _ = own.admin("POST", "/_localsecrets/clock", {"advance_seconds": 2})
        assert status == 200
        code, _ = error_of(sm.describe_secret, SecretId="del")
        assert code == "ResourceNotFoundException"
        # The name is free again.
        assert sm.create_secret(Name="del", SecretString="again")["Name"] == "del"
        assert sm.get_secret_value(SecretId="del")["SecretString"] == "again"
    finally:
        own.stop()


def test_rotation(sm):
    v1 = sm.create_secret(
        Name="rot", SecretString=json.dumps({"username": "admin", "password": "old", "port": 5432})
    )["VersionId"]
    code, msg = error_of(sm.rotate_secret, SecretId="rot", RotationRules={"AutomaticallyAfterDays": 1})
    assert (code, msg) == (
        "InvalidRequestException",
        "No Lambda rotation function ARN is associated with this secret.",
    )
    assert "RotationEnabled" not in sm.describe_secret(SecretId="rot")
    r = sm.rotate_secret(
        SecretId="rot", RotationLambdaARN=LAMBDA, RotationRules={"AutomaticallyAfterDays": 1}
    )
    v2 = r["VersionId"]
    d = sm.describe_secret(SecretId="rot")
    assert d["RotationEnabled"] is True
    assert d["RotationLambdaARN"] == LAMBDA
    assert d["RotationRules"] == {"AutomaticallyAfterDays": 1}
    assert (d["NextRotationDate"] - d["LastRotatedDate"]).total_seconds() == pytest.approx(86400)
    assert d["VersionIdsToStages"] == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"]}
    value = json.loads(sm.get_secret_value(SecretId="rot")["SecretString"])
    assert value["username"] == "admin" and value["port"] == 5432
    assert value["password"] != "old" and len(value["password"]) == 32
    # Again with no arguments: the stored function and rules are reused.
    v3 = sm.rotate_secret(SecretId="rot")["VersionId"]
    assert stages(sm, "rot") == {v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}
    # Only configure.
    r = sm.rotate_secret(
        SecretId="rot", RotateImmediately=False, RotationRules={"ScheduleExpression": "rate(10 days)"}
    )
    assert "VersionId" not in r
    assert sm.describe_secret(SecretId="rot")["RotationRules"] == {"ScheduleExpression": "rate(10 days)"}
    # An unfinished rotation blocks the next one; cancelling turns rotation off and keeps labels.
    pending = sm.put_secret_value(
        SecretId="rot", SecretString="half", VersionStages=["AWSPENDING"]
    )["VersionId"]
    code, _ = error_of(sm.rotate_secret, SecretId="rot")
    assert code == "InvalidRequestException"
    c = sm.cancel_rotate_secret(SecretId="rot")
    assert c["VersionId"] == pending
    d = sm.describe_secret(SecretId="rot")
    assert d["RotationEnabled"] is False and "NextRotationDate" not in d
    assert d["VersionIdsToStages"][pending] == ["AWSPENDING"]
    # A plain string is replaced by a fresh password.
    sm.create_secret(Name="plain", SecretString="hunter2")
    sm.rotate_secret(SecretId="plain", RotationLambdaARN=LAMBDA)
    new = sm.get_secret_value(SecretId="plain")["SecretString"]
    assert new != "hunter2" and len(new) == 32


def test_tags(sm):
    arn = sm.create_secret(Name="tagged", Tags=[{"Key": "a", "Value": "1"}])["ARN"]
    sm.tag_resource(SecretId=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert sm.describe_secret(SecretId=arn)["Tags"] == [
        {"Key": "a", "Value": "3"},
        {"Key": "b", "Value": "2"},
    ]
    sm.untag_resource(SecretId=arn, TagKeys=["a", "b"])
    assert sm.describe_secret(SecretId=arn)["Tags"] == []


def test_resource_policies(sm):
    sm.create_secret(Name="pol", SecretString="x")
    public = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
            ],
        }
    )
    private = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ],
        }
    )
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="pol")
    assert sm.list_resource_policies(SecretId="pol")["ResourcePolicies"] == []
    code, _ = error_of(sm.put_resource_policy, SecretId="pol", ResourcePolicy=public, BlockPublicPolicy=True)
    assert code == "PublicPolicyException"
    code, _ = error_of(sm.put_resource_policy, SecretId="pol", ResourcePolicy="{broken")
    assert code == "MalformedPolicyDocumentException"
    code, _ = error_of(sm.put_resource_policy, SecretId="pol", ResourcePolicy=private, PolicyName="other")
    assert code == "InvalidParameterException"
    sm.put_resource_policy(SecretId="pol", ResourcePolicy=private, BlockPublicPolicy=True)
    assert json.loads(sm.get_resource_policy(SecretId="pol")["ResourcePolicy"]) == json.loads(private)
    assert sm.list_resource_policies(SecretId="pol")["ResourcePolicies"] == [{"PolicyName": "default"}]
    assert sm.validate_resource_policy(ResourcePolicy=private)["PolicyValidationPassed"] is True
    v = sm.validate_resource_policy(SecretId="pol", ResourcePolicy=public)
    assert v["PolicyValidationPassed"] is False and v["ValidationErrors"]
    sm.delete_resource_policy(SecretId="pol")
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="pol")


def test_random_password(sm):
    p = sm.get_random_password(PasswordLength=120, ExcludeCharacters="xyzDje@?!.")["RandomPassword"]
    assert len(p) == 120 and not set(p) & set("xyzDje@?!.")
    p = sm.get_random_password(
        PasswordLength=16, ExcludePunctuation=True, ExcludeUppercase=True, IncludeSpace=False
    )["RandomPassword"]
    assert len(p) == 16 and all(c.islower() or c.isdigit() for c in p)
    assert len(sm.get_random_password()["RandomPassword"]) == 32
    code, _ = error_of(
        sm.get_random_password,
        ExcludeLowercase=True,
        ExcludeUppercase=True,
        ExcludeNumbers=True,
        ExcludePunctuation=True,
    )
    assert code == "InvalidParameterException"


def test_batch_get_secret_value(sm):
    for i in range(5):
        sm.create_secret(Name=f"batch/{i}", SecretString=f"value-{i}")
    sm.delete_secret(SecretId="batch/4")
    r = sm.batch_get_secret_value(SecretIdList=["batch/0", "batch/1", "missing", "batch/4"])
    assert [v["SecretString"] for v in r["SecretValues"]] == ["value-0", "value-1"]
    assert {e["SecretId"]: e["ErrorCode"] for e in r["Errors"]} == {
        "missing": "ResourceNotFoundException",
        "batch/4": "InvalidRequestException",
    }
    kwargs = {"Filters": [{"Key": "name", "Values": ["batch/"]}], "MaxResults": 3}
    first = sm.batch_get_secret_value(**kwargs)
    rest = sm.batch_get_secret_value(NextToken=first["NextToken"], **kwargs)
    assert "NextToken" not in rest
    values = [v["SecretString"] for p in (first, rest) for v in p["SecretValues"]]
    assert values == [f"value-{i}" for i in range(4)]
    code, _ = error_of(sm.batch_get_secret_value)
    assert code == "InvalidParameterException"


def test_region_replicas(endpoint):
    us = client(endpoint, "us-east-1")
    eu = client(endpoint, "eu-west-1")
    ap = client(endpoint, "ap-south-1")
    r = us.create_secret(Name="rep", SecretString="v1", AddReplicaRegions=[{"Region": "eu-west-1"}])
    assert r["ReplicationStatus"] == [
        {"Region": "eu-west-1", "KmsKeyId": "alias/aws/secretsmanager", "Status": "InSync"}
    ]
    replica = eu.describe_secret(SecretId="rep")
    assert replica["PrimaryRegion"] == "us-east-1"
    assert replica["ARN"] == r["ARN"].replace("us-east-1", "eu-west-1")
    assert eu.get_secret_value(SecretId="rep")["SecretString"] == "v1"
    code, _ = error_of(eu.put_secret_value, SecretId="rep", SecretString="x")
    assert code == "InvalidParameterException"
    us.put_secret_value(SecretId="rep", SecretString="v2")
    us.tag_resource(SecretId="rep", Tags=[{"Key": "k", "Value": "v"}])
    assert eu.get_secret_value(SecretId="rep")["SecretString"] == "v2"
    assert eu.describe_secret(SecretId="rep")["Tags"] == [{"Key": "k", "Value": "v"}]
    us.replicate_secret_to_regions(SecretId="rep", AddReplicaRegions=[{"Region": "ap-south-1", "KmsKeyId": "alias/k"}])
    d = us.describe_secret(SecretId="rep")
    assert {s["Region"]: s["Status"] for s in d["ReplicationStatus"]} == {
        "eu-west-1": "InSync",
        "ap-south-1": "InSync",
    }
    code, _ = error_of(us.delete_secret, SecretId="rep")
    assert code == "InvalidParameterException"
    eu.stop_replication_to_replica(SecretId="rep")
    eu.put_secret_value(SecretId="rep", SecretString="eu")
    us.put_secret_value(SecretId="rep", SecretString="v3")
    assert eu.get_secret_value(SecretId="rep")["SecretString"] == "eu"
    assert ap.get_secret_value(SecretId="rep")["SecretString"] == "v3"
    us.remove_regions_from_replication(SecretId="rep", RemoveReplicaRegions=["ap-south-1"])
    assert error_of(ap.get_secret_value, SecretId="rep")[0] == "ResourceNotFoundException"
    us.delete_secret(SecretId="rep", ForceDeleteWithoutRecovery=True)
    # A name taken in the target region fails unless overwriting is forced.
    eu.create_secret(Name="taken", SecretString="eu-own")
    r = us.create_secret(Name="taken", SecretString="us", AddReplicaRegions=[{"Region": "eu-west-1"}])
    assert r["ReplicationStatus"][0]["Status"] == "Failed"
    r = us.replicate_secret_to_regions(
        SecretId="taken", AddReplicaRegions=[{"Region": "eu-west-1"}], ForceOverwriteReplicaSecret=True
    )
    assert r["ReplicationStatus"][0]["Status"] == "InSync"
    assert eu.get_secret_value(SecretId="taken")["SecretString"] == "us"


def test_cross_account_replicas(endpoint):
    a = client(endpoint, key="111111111111")
    b = client(endpoint, key="222222222222")
    primary = a.create_secret(Name="shared", SecretString="p1")["ARN"]
    replica = b.create_secret(Name="copy", CrossAccountPrimaryARN=primary)["ARN"]
    assert b.describe_secret(SecretId="copy")["CrossAccountPrimary"] == {
        "PrimarySecretARN": primary,
        "ReplicationStatus": "Pending",
    }
    r = a.associate_cross_account_replica(SecretId="shared", CrossAccountReplicaARN=replica)
    assert r["ReplicationStatus"] == "InSync" and r["CrossAccountReplicaARN"] == replica
    assert b.get_secret_value(SecretId="copy")["SecretString"] == "p1"
    a.put_secret_value(SecretId="shared", SecretString="p2")
    assert b.get_secret_value(SecretId="copy")["SecretString"] == "p2"
    assert a.describe_secret(SecretId="shared")["CrossAccountReplicas"] == [
        {"ReplicaSecretARN": replica, "ReplicationStatus": "InSync"}
    ]
    assert error_of(a.delete_secret, SecretId="shared")[0] == "InvalidRequestException"
    a.disassociate_cross_account_replica(SecretId="shared", CrossAccountReplicaARN=replica)
    assert b.describe_secret(SecretId="copy")["CrossAccountPrimary"]["ReplicationStatus"] == "Detached"
    b.stop_replication_to_replica(SecretId="copy")
    b.put_secret_value(SecretId="copy", SecretString="own")
    assert "CrossAccountPrimary" not in b.describe_secret(SecretId="copy")


def test_accounts_come_from_access_keys(endpoint):
    mine = client(endpoint, key="333333333333")
    default = client(endpoint, key="AKIAIOSFODNN7EXAMPLE")
    arn = mine.create_secret(Name="acct", SecretString="x")["ARN"]
    assert ":333333333333:" in arn
    assert error_of(default.get_secret_value, SecretId="acct")[0] == "ResourceNotFoundException"
    assert ":000000000000:" in default.create_secret(Name="acct", SecretString="y")["ARN"]
    assert error_of(mine.get_secret_value, SecretId=arn.replace("us-east-1", "eu-west-1"))[0] == (
        "ResourceNotFoundException"
    )


def test_server_side_validation(sm, endpoint):
    name_error = (
        "ValidationException",
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the "
        "following: -/_+=.@!",
    )
    for name in ["Inv Name", " Inv*Name? "]:
        assert error_of(sm.create_secret, Name=name, SecretString="x") == name_error
        assert error_of(sm.describe_secret, SecretId=name) == name_error

    def raw(target, body):
        req = urllib.request.Request(
            endpoint + "/",
            data=body,
            method="POST",
            headers={
                "X-Amz-Target": f"secretsmanager.{target}",
                "Content-Type": "application/x-amz-json-1.1",
                "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCOUNT}/20240101/us-east-1/"
                "secretsmanager/aws4_request, SignedHeaders=host, Signature=0",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    for target, body, code in [
        ("DescribeSecret", b"{", "SerializationException"),
        ("DescribeSecret", b'{"SecretId": 42}', "SerializationException"),
        ("DescribeSecret", b"{}", "ValidationException"),
        ("ListSecrets", b'{"MaxResults": "ten"}', "SerializationException"),
        ("ListSecrets", b'{"MaxResults": 1000}', "ValidationException"),
        ("CreateSecret", b'{"Name": "x", "SecretBinary": "%%%", "ClientRequestToken": "'
         + b"t" * 32 + b'"}', "SerializationException"),
        ("PutSecretValue", b'{"SecretId": "x", "SecretString": "s"}', "InvalidRequestException"),
        ("NoSuchOperation", b"{}", "UnknownOperationException"),
    ]:
        status, answer = raw(target, body)
        assert (status, answer["__type"]) == (400, code), (target, body, answer)
        assert answer["Message"]
    status, answer = raw("GetSecretValue", json.dumps({"SecretId": "nope"}).encode())
    assert status == 400 and answer == {
        "__type": "ResourceNotFoundException",
        "Message": "Secrets Manager can't find the specified secret.",
    }
    # The plain HTTP answer carries base64 for binary values.
    sm.create_secret(Name="b64", SecretBinary=b"footest")
    status, answer = raw("GetSecretValue", json.dumps({"SecretId": "b64"}).encode())
    assert status == 200 and answer["SecretBinary"] == base64.b64encode(b"footest").decode()
    assert isinstance(answer["CreatedDate"], float)
