"""AWS STS through boto3 on the Secrets Manager endpoint: GetCallerIdentity, AssumeRole and
GetSessionToken over the query protocol, temporary credentials then used with Secrets Manager
in the role's account, and SigV4 requests for services not emulated answered in AWS's shapes."""

import datetime
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from conftest import Server

ACCOUNT = "111111111111"
OTHER = "222222222222"
ROLE = f"arn:aws:iam::{OTHER}:role/team/Deployer"
CONFIG = Config(retries={"max_attempts": 1})


def client(service, endpoint, key=ACCOUNT, secret="secret", token=None):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=CONFIG,
    )


def error_of(call, status=400, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    err = e.value.response["Error"]
    return err["Code"], err["Message"]


def with_credentials(service, endpoint, creds):
    return client(
        service,
        endpoint,
        key=creds["AccessKeyId"],
        secret=creds["SecretAccessKey"],
        token=creds["SessionToken"],
    )


def server_now(server):
    status, clock = server.admin("GET", "/_localsecrets/clock")
    assert status == 200
    return datetime.datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))


def test_get_caller_identity_follows_the_access_key(endpoint):
    me = client("sts", endpoint).get_caller_identity()
    assert me["Account"] == ACCOUNT
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert me["UserId"] == ACCOUNT
    assert me["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "text/xml"

    default = client("sts", endpoint, key="test").get_caller_identity()
    assert default["Account"] == "000000000000"
    assert default["Arn"] == "arn:aws:iam::000000000000:root"


def test_assume_role_works_in_the_roles_account(endpoint, server):
    sts = client("sts", endpoint)
    r = sts.assume_role(RoleArn=ROLE, RoleSessionName="ci-run", DurationSeconds=1800)
    creds, user = r["Credentials"], r["AssumedRoleUser"]
    assert creds["AccessKeyId"].startswith("ASIA" + OTHER) and len(creds["AccessKeyId"]) == 20
    assert creds["SessionToken"] and len(creds["SecretAccessKey"]) == 40
    assert creds["Expiration"] > server_now(server) + datetime.timedelta(seconds=1700)
    assert user["Arn"] == f"arn:aws:sts::{OTHER}:assumed-role/Deployer/ci-run"
    assert user["AssumedRoleId"].startswith("AROA") and user["AssumedRoleId"].endswith(":ci-run")

    me = with_credentials("sts", endpoint, creds).get_caller_identity()
    assert (me["Account"], me["Arn"], me["UserId"]) == (OTHER, user["Arn"], user["AssumedRoleId"])

    # Secrets Manager with the role's credentials: the secret lands in the role's account.
    sm = with_credentials("secretsmanager", endpoint, creds)
    arn = sm.create_secret(Name="shared/db", SecretString="s3cret")["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:us-east-1:{OTHER}:secret:shared/db-")
    assert [s["Name"] for s in sm.list_secrets()["SecretList"]] == ["shared/db"]
    assert OTHER in sm.describe_secret(SecretId="shared/db")["ARN"]
    # The role's account sees it with a plain key, the caller's own account does not.
    assert client("secretsmanager", endpoint, key=OTHER).get_secret_value(
        SecretId="shared/db"
    )["SecretString"] == "s3cret"
    mine = client("secretsmanager", endpoint)
    code, _ = error_of(mine.describe_secret, SecretId="shared/db")
    assert code == "ResourceNotFoundException"
    assert mine.list_secrets()["SecretList"] == []


def test_assume_role_validation(endpoint):
    sts = client("sts", endpoint)
    # botocore checks only minimums, so the maximum reaches the server.
    code, message = error_of(
        sts.assume_role, RoleArn=ROLE, RoleSessionName="s1", DurationSeconds=43201
    )
    assert code == "ValidationError"
    assert message == (
        "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 43200"
    )
    code, message = error_of(
        sts.assume_role, RoleArn=ROLE, RoleSessionName="has space", DurationSeconds=900
    )
    assert code == "ValidationError" and "roleSessionName" in message
    code, message = error_of(
        sts.assume_role, RoleArn="arn:aws:iam::222222222222:user/bob", RoleSessionName="s1"
    )
    assert (code, message) == ("ValidationError", "Request ARN is invalid")


def test_get_session_token_expires_on_the_servers_clock():
    # A server of its own: the clock moves.
    own = Server()
    try:
        status, _ = own.admin("POST", "/_localsecrets/clock", {"advance_seconds": 400 * 86400})
        assert status == 200
        sts = client("sts", own.url)
        r = sts.get_session_token()
        creds = r["Credentials"]
        now = server_now(own)
        assert now > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=399)
        expected = now + datetime.timedelta(seconds=43200)
        assert abs((creds["Expiration"] - expected).total_seconds()) < 5
        assert creds["AccessKeyId"].startswith("ASIA" + ACCOUNT)

        short = sts.get_session_token(DurationSeconds=900)["Credentials"]
        assert abs((short["Expiration"] - now).total_seconds() - 900) < 5

        # Session credentials are the caller's own account.
        me = with_credentials("sts", own.url, creds).get_caller_identity()
        assert (me["Account"], me["Arn"]) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root")
        sm = with_credentials("secretsmanager", own.url, creds)
        assert ACCOUNT in sm.create_secret(Name="mine", SecretString="v")["ARN"]

        code, message = error_of(sts.get_session_token, DurationSeconds=129601)
        assert code == "ValidationError" and "less than or equal to 129600" in message
        code, _ = error_of(
            with_credentials("sts", own.url, creds).get_session_token, status=403
        )
        assert code == "AccessDenied"
    finally:
        own.stop()


def test_unsupported_sts_actions_are_invalid_actions(endpoint):
    sts = client("sts", endpoint)
    code, message = error_of(sts.get_federation_token, Name="bob")
    assert code == "InvalidAction"
    assert message == "Could not find operation GetFederationToken for version 2011-06-15"
    code, _ = error_of(sts.decode_authorization_message, EncodedMessage="x")
    assert code == "InvalidAction"


def signed(endpoint, service, body, headers):
    """A raw request signed with SigV4 for `service`, sent with urllib."""
    req = AWSRequest(method="POST", url=endpoint + "/", data=body.encode(), headers=headers)
    SigV4Auth(Credentials("AKIAEXAMPLE", "secret"), service, "us-east-1").add_auth(req)
    prepared = req.prepare()
    raw = urllib.request.Request(
        prepared.url, data=prepared.body, headers=dict(prepared.headers), method="POST"
    )
    try:
        with urllib.request.urlopen(raw, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def test_unsupported_sts_action_raw_is_xml(endpoint):
    status, headers, body = signed(
        endpoint,
        "sts",
        "Action=AssumeRoleWithSAML&Version=2011-06-15",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert status == 400
    assert headers["content-type"] == "text/xml"
    assert body.startswith('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
    assert "<Type>Sender</Type><Code>InvalidAction</Code>" in body
    assert "Could not find operation AssumeRoleWithSAML for version 2011-06-15" in body
    assert "<RequestId>" in body


def test_services_not_emulated_answer_in_their_own_protocol(endpoint):
    # IAM speaks the query protocol: XML InvalidAction naming the service, not Alibaba JSON.
    iam = client("iam", endpoint)
    code, message = error_of(iam.list_users)
    assert code == "InvalidAction"
    assert "service iam" in message

    status, headers, body = signed(
        endpoint,
        "iam",
        "Action=ListUsers&Version=2010-05-08",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert status == 400 and headers["content-type"] == "text/xml"
    assert body.startswith("<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>")
    assert "service iam" in body and '"Code"' not in body

    # SQS speaks JSON (X-Amz-Target): AWS's JSON error, naming the service.
    sqs = client("sqs", endpoint)
    code, message = error_of(sqs.list_queues)
    assert code == "UnknownOperationException"
    assert "service sqs" in message
