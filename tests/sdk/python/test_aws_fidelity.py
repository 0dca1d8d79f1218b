"""AWS answers as AWS gives them, through boto3: word-splitting search filters, reused
ClientRequestTokens, replica refusals, DeleteSecret's check order, validation paths and the
primary-region filter."""

import uuid

import boto3
import pytest
from botocore.config import Config
from test_aws_boto3 import ACCOUNT, client, error_of


@pytest.fixture
def sm(endpoint):
    return client(endpoint)


def names(sm, *filters):
    found = []
    for page in sm.get_paginator("list_secrets").paginate(
        Filters=[{"Key": k, "Values": v} for k, v in filters]
    ):
        found += [s["Name"] for s in page["SecretList"]]
    return sorted(found)


def test_all_and_description_match_words_as_aws_splits_them(sm):
    sm.create_secret(Name="prod/AppBeta/x", SecretString="v", Description="DescTwo")
    sm.create_secret(
        Name="dev/plain", SecretString="v", Description="credsDatabase#892",
        Tags=[{"Key": "CostCenter", "Value": "team42"}],
    )
    assert names(sm, ("all", ["Beta"])) == ["prod/AppBeta/x"]
    assert names(sm, ("all", ["app beta"])) == ["prod/AppBeta/x"]
    assert names(sm, ("all", ["appbeta"])) == []
    assert names(sm, ("description", ["two"])) == ["prod/AppBeta/x"]
    assert names(sm, ("description", ["database 892"])) == ["dev/plain"]
    assert names(sm, ("all", ["center"])) == ["dev/plain"]
    assert names(sm, ("all", ["42"])) == ["dev/plain"]
    assert names(sm, ("description", ["!two"])) == ["dev/plain"]
    # BatchGetSecretValue filters the same way.
    got = sm.batch_get_secret_value(Filters=[{"Key": "all", "Values": ["Beta"]}])
    assert [s["Name"] for s in got["SecretValues"]] == ["prod/AppBeta/x"]


def test_a_reused_token_names_the_version_of_which_secret(sm):
    token = str(uuid.uuid4())
    arn = sm.create_secret(Name="tok", SecretString="one", ClientRequestToken=token)["ARN"]
    in_use = (
        "ResourceExistsException",
        f"You can't use ClientRequestToken {token} because that value is already in use for a "
        f"version of secret {arn}.",
    )
    # The same token and data is a retry: answered as the first call was.
    again = sm.create_secret(Name="tok", SecretString="one", ClientRequestToken=token)
    assert (again["ARN"], again["VersionId"]) == (arn, token)
    # The token is checked before the name.
    assert error_of(sm.create_secret, Name="tok", SecretString="two", ClientRequestToken=token) == in_use
    assert error_of(
        sm.create_secret, Name="tok", SecretString="two", ClientRequestToken=str(uuid.uuid4())
    ) == ("ResourceExistsException", "The operation failed because the secret tok already exists.")
    assert error_of(
        sm.put_secret_value, SecretId="tok", SecretString="two", ClientRequestToken=token
    ) == in_use
    assert error_of(
        sm.update_secret, SecretId="tok", SecretString="two", ClientRequestToken=token
    ) == in_use
    assert sm.get_secret_value(SecretId="tok")["SecretString"] == "one"


def test_replicas_refuse_writes_and_keep_their_primary(endpoint, sm):
    arn = sm.create_secret(
        Name="rep", SecretString="v", AddReplicaRegions=[{"Region": "eu-west-1"}]
    )["ARN"]
    sm.replicate_secret_to_regions(SecretId="rep", AddReplicaRegions=[{"Region": "ap-south-1"}])
    replica = client(endpoint, region="eu-west-1")
    refused = (
        "InvalidParameterException",
        "Operation not permitted on a replica secret. Call must be made in primary secret's "
        "region.",
    )
    assert error_of(replica.put_secret_value, SecretId="rep", SecretString="x") == refused
    assert error_of(replica.update_secret, SecretId="rep", Description="x") == refused
    assert error_of(replica.tag_resource, SecretId="rep", Tags=[{"Key": "k", "Value": "v"}]) == refused
    assert error_of(replica.delete_secret, SecretId="rep") == refused
    assert error_of(sm.delete_secret, SecretId="rep") == (
        "InvalidParameterException",
        f"You can't delete secret {arn} that still has replica regions [eu-west-1, ap-south-1].",
    )
    assert error_of(
        sm.replicate_secret_to_regions, SecretId="rep", AddReplicaRegions=[{"Region": "us-east-1"}]
    ) == ("InvalidParameterException", "Invalid replica region.")
    # Only replicated secrets have a primary region to filter on.
    sm.create_secret(Name="plain", SecretString="v")
    assert names(sm, ("primary-region", ["us-east-1"])) == ["rep"]
    assert names(sm, ("primary-region", ["!us-east-1"])) == ["plain"]
    assert names(replica, ("primary-region", ["us-east"])) == ["rep"]


def test_delete_checks_the_window_range_first(sm):
    sm.create_secret(Name="del", SecretString="v")
    for window in (3, 31):
        assert error_of(
            sm.delete_secret, SecretId="del", RecoveryWindowInDays=window,
            ForceDeleteWithoutRecovery=True,
        ) == (
            "InvalidParameterException",
            "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
        )
    code, msg = error_of(
        sm.delete_secret, SecretId="del", RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True
    )
    assert code == "InvalidParameterException" and "in conjunction with" in msg


def test_validation_paths_name_list_members(endpoint):
    # botocore would refuse an empty tag key itself; let the server see it.
    sm = boto3.client(
        "secretsmanager", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=ACCOUNT, aws_secret_access_key="secret",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )
    code, msg = error_of(
        sm.list_secrets,
        Filters=[{"Key": "name", "Values": ["a"]}, {"Key": "name", "Values": ["a*"]}],
    )
    assert code == "ValidationException"
    assert "at 'filters.2.member.values'" in msg
    code, msg = error_of(
        sm.tag_resource, SecretId="nothing", Tags=[{"Key": "", "Value": "v"}]
    )
    assert code == "ValidationException"
    assert "at 'tags.1.member.key'" in msg


def test_a_secret_carries_at_most_twenty_staging_labels(sm):
    # AWS's quota: 20 staging labels across all versions of a secret. Labelled versions are
    # never evicted, so without it a fresh label per call would keep every version.
    sm.create_secret(Name="labels", SecretString="v0")
    for i in range(19):
        sm.put_secret_value(SecretId="labels", SecretString=f"v{i + 1}", VersionStages=[f"L{i}"])
    code, msg = error_of(
        sm.put_secret_value, SecretId="labels", SecretString="over", VersionStages=["L19"]
    )
    assert code == "LimitExceededException"
    assert "20 staging labels" in msg
    versions = sm.list_secret_version_ids(SecretId="labels", IncludeDeprecated=True)["Versions"]
    assert len(versions) == 20
    assert sum(len(v["VersionStages"]) for v in versions) == 20
    # Moving a label it already has is fine; so is a new value that moves AWSCURRENT once
    # AWSPREVIOUS has room.
    current = sm.get_secret_value(SecretId="labels")["VersionId"]
    sm.update_secret_version_stage(
        SecretId="labels", VersionStage="L0", MoveToVersionId=current,
        RemoveFromVersionId=next(v["VersionId"] for v in versions if "L0" in v["VersionStages"]),
    )
    code, _ = error_of(sm.put_secret_value, SecretId="labels", SecretString="new")
    assert code == "LimitExceededException"
    sm.update_secret_version_stage(
        SecretId="labels", VersionStage="L1",
        RemoveFromVersionId=next(v["VersionId"] for v in versions if "L1" in v["VersionStages"]),
    )
    sm.put_secret_value(SecretId="labels", SecretString="new")
    assert sm.get_secret_value(SecretId="labels", VersionStage="AWSPREVIOUS")["VersionId"] == current
