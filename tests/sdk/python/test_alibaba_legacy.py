"""Alibaba Cloud KMS secrets through the legacy SDK (`aliyun-python-sdk-core` +
`aliyun-python-sdk-kms`): every parameter, SecretData included, in the query of a POST signed
with RPC v1 HMAC-SHA1, `Format=JSON`, `RegionId` from the client."""

import json
import threading

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkkms.request.v20160120.CreateSecretRequest import CreateSecretRequest
from aliyunsdkkms.request.v20160120.DeleteSecretRequest import DeleteSecretRequest
from aliyunsdkkms.request.v20160120.DescribeSecretRequest import DescribeSecretRequest
from aliyunsdkkms.request.v20160120.GetRandomPasswordRequest import GetRandomPasswordRequest
from aliyunsdkkms.request.v20160120.GetSecretPolicyRequest import GetSecretPolicyRequest
from aliyunsdkkms.request.v20160120.GetSecretValueRequest import GetSecretValueRequest
from aliyunsdkkms.request.v20160120.ListResourceTagsRequest import ListResourceTagsRequest
from aliyunsdkkms.request.v20160120.ListSecretsRequest import ListSecretsRequest
from aliyunsdkkms.request.v20160120.ListSecretVersionIdsRequest import ListSecretVersionIdsRequest
from aliyunsdkkms.request.v20160120.ListTagResourcesRequest import ListTagResourcesRequest
from aliyunsdkkms.request.v20160120.PutSecretValueRequest import PutSecretValueRequest
from aliyunsdkkms.request.v20160120.RestoreSecretRequest import RestoreSecretRequest
from aliyunsdkkms.request.v20160120.RotateSecretRequest import RotateSecretRequest
from aliyunsdkkms.request.v20160120.SetSecretPolicyRequest import SetSecretPolicyRequest
from aliyunsdkkms.request.v20160120.TagResourceRequest import TagResourceRequest
from aliyunsdkkms.request.v20160120.TagResourcesRequest import TagResourcesRequest
from aliyunsdkkms.request.v20160120.UntagResourceRequest import UntagResourceRequest
from aliyunsdkkms.request.v20160120.UntagResourcesRequest import UntagResourcesRequest
from aliyunsdkkms.request.v20160120.UpdateSecretRequest import UpdateSecretRequest
from aliyunsdkkms.request.v20160120.UpdateSecretRotationPolicyRequest import UpdateSecretRotationPolicyRequest
from aliyunsdkkms.request.v20160120.UpdateSecretVersionStageRequest import UpdateSecretVersionStageRequest

DEFAULT_ACCOUNT = "1000000000000000"


class Kms:
    """An AcsClient whose requests go to the local endpoint over http."""

    def __init__(self, endpoint, ak="LTAI5tLocalTestKey", region="cn-hangzhou"):
        self.host = endpoint.split("://", 1)[1]
        self.client = AcsClient(ak, "local-test-secret", region, auto_retry=False)

    def __call__(self, request_class, **params):
        req = request_class()
        for k, v in params.items():
            getattr(req, f"set_{k}")(v)
        req.set_endpoint(self.host)
        req.set_protocol_type("http")
        raw = self.client.do_action_with_exception(req)
        return json.loads(raw)

    def error(self, request_class, **params):
        with pytest.raises(ServerException) as e:
            self(request_class, **params)
        return e.value


@pytest.fixture
def kms(endpoint):
    return Kms(endpoint)


def create(kms, name, data="s3cr3t", version="v1", **kw):
    return kms(CreateSecretRequest, SecretName=name, VersionId=version, SecretData=data, **kw)


def create_rds(kms, name):
    return kms(
        CreateSecretRequest,
        SecretName=name,
        VersionId="v1",
        SecretType="Rds",
        SecretData=json.dumps({"Accounts": [{"AccountName": "app", "AccountPassword": "pw0"}]}),
        ExtendedConfig=json.dumps({"SecretSubType": "SingleUser", "DBInstanceId": "rm-1"}),
    )


def get(kms, name, **kw):
    return kms(GetSecretValueRequest, SecretName=name, **kw)


def test_create_and_read_with_spaces_and_symbols(kms):
    c = create(
        kms,
        "probe-secret",
        data='{"user":"root","passwd":"p@ss w/ord"}',
        Description="probe * desc ~",
        Tags=json.dumps([{"TagKey": "env", "TagValue": "dev"}]),
    )
    assert c["Arn"] == f"acs:kms:cn-hangzhou:{DEFAULT_ACCOUNT}:secret/probe-secret"
    assert (c["SecretName"], c["VersionId"], c["SecretType"]) == ("probe-secret", "v1", "Generic")
    v = get(kms, "probe-secret", VersionStage="ACSCurrent", FetchExtendedConfig=True)
    assert v["SecretData"] == '{"user":"root","passwd":"p@ss w/ord"}'
    assert v["VersionStages"] == {"VersionStage": ["ACSCurrent"]}
    assert "ExtendedConfig" not in v
    d = kms(DescribeSecretRequest, SecretName="probe-secret", FetchTags="true")
    assert d["Description"] == "probe * desc ~"
    assert d["Tags"] == {"Tag": [{"TagKey": "env", "TagValue": "dev"}]}


def test_errors(kms):
    e = kms.error(GetSecretValueRequest, SecretName="missing")
    assert (e.get_error_code(), e.get_http_status()) == ("Forbidden.ResourceNotFound", 404)
    assert e.get_request_id()
    create(kms, "dup")
    e = kms.error(CreateSecretRequest, SecretName="dup", VersionId="v1", SecretData="x")
    assert (e.get_error_code(), e.get_http_status()) == ("Rejected.ResourceExist", 409)
    e = kms.error(RotateSecretRequest, SecretName="dup", VersionId="v2")
    assert (e.get_error_code(), e.get_http_status()) == ("UnsupportedOperation", 400)
    assert "PutSecretValue" in e.get_error_msg()


def test_versions_stages_and_idempotency(kms):
    create(kms, "s", data="one")
    r = kms(PutSecretValueRequest, SecretName="s", VersionId="v2", SecretData="two")
    assert r["VersionStages"] == {"VersionStage": ["ACSCurrent"]}
    kms(PutSecretValueRequest, SecretName="s", VersionId="v2", SecretData="two")
    e = kms.error(PutSecretValueRequest, SecretName="s", VersionId="v2", SecretData="other")
    assert (e.get_error_code(), e.get_http_status()) == ("Rejected.ResourceExist", 409)
    kms(PutSecretValueRequest, SecretName="s", VersionId="v3", SecretData="three",
        VersionStages=json.dumps(["staging"]))
    assert get(kms, "s")["VersionId"] == "v2"
    assert get(kms, "s", VersionStage="ACSPrevious")["VersionId"] == "v1"
    assert get(kms, "s", VersionStage="staging")["SecretData"] == "three"
    kms(UpdateSecretVersionStageRequest, SecretName="s", VersionStage="ACSCurrent", MoveToVersion="v3")
    assert get(kms, "s")["VersionId"] == "v3"
    ids = kms(ListSecretVersionIdsRequest, SecretName="s", IncludeDeprecated="true")
    assert ids["TotalCount"] == 3
    stages = {v["VersionId"]: sorted(v["VersionStages"]["VersionStage"]) for v in ids["VersionIds"]["VersionId"]}
    assert stages == {"v1": [], "v2": ["ACSPrevious"], "v3": ["ACSCurrent", "staging"]}


def test_list_update_and_policy(kms):
    create(kms, "a")
    create(kms, "b", Description="the b secret")
    listed = kms(ListSecretsRequest, Filters=json.dumps([{"Key": "Description", "Values": ["b secret"]}]))
    assert [s["SecretName"] for s in listed["SecretList"]["Secret"]] == ["b"]
    page = kms(ListSecretsRequest, PageNumber=2, PageSize=1)
    assert page["TotalCount"] == 2 and len(page["SecretList"]["Secret"]) == 1
    kms(UpdateSecretRequest, SecretName="a", Description="changed")
    assert kms(DescribeSecretRequest, SecretName="a")["Description"] == "changed"
    policy = json.dumps({"Version": "1", "Statement": [{"Effect": "Deny", "Principal": {"RAM": ["*"]},
                                                        "Action": ["kms:*"], "Resource": ["*"]}]})
    kms(SetSecretPolicyRequest, SecretName="a", Policy=policy)
    assert json.loads(kms(GetSecretPolicyRequest, SecretName="a")["Policy"]) == json.loads(policy)


def test_managed_rotation_and_policy(kms):
    create_rds(kms, "db")
    r = kms(RotateSecretRequest, SecretName="db", VersionId="r1")
    assert r == {"RequestId": r["RequestId"], "SecretName": "db", "VersionId": "r1",
                 "Arn": f"acs:kms:cn-hangzhou:{DEFAULT_ACCOUNT}:secret/db"}
    cur = json.loads(get(kms, "db")["SecretData"])
    assert cur["AccountName"] == "app" and cur["AccountPassword"] != "pw0"
    # Idempotent on VersionId.
    kms(RotateSecretRequest, SecretName="db", VersionId="r1")
    assert json.loads(get(kms, "db")["SecretData"]) == cur
    kms(UpdateSecretRotationPolicyRequest, SecretName="db", EnableAutomaticRotation="true", RotationInterval="24h")
    d = kms(DescribeSecretRequest, SecretName="db")
    assert (d["AutomaticRotation"], d["RotationInterval"]) == ("Enabled", "86400s")
    assert "LastRotationDate" in d and "NextRotationDate" in d
    assert json.loads(d["ExtendedConfig"])["DBInstanceId"] == "rm-1"


def test_deletion_window(kms):
    create(kms, "s")
    d = kms(DeleteSecretRequest, SecretName="s", RecoveryWindowInDays="10")
    assert d["PlannedDeleteTime"].endswith("Z")
    e = kms.error(GetSecretValueRequest, SecretName="s")
    assert (e.get_error_code(), e.get_http_status()) == ("Rejected.ResourceInDeleteWindow", 409)
    assert kms(DescribeSecretRequest, SecretName="s")["PlannedDeleteTime"] == d["PlannedDeleteTime"]
    kms(RestoreSecretRequest, SecretName="s")
    assert get(kms, "s")["SecretData"] == "s3cr3t"
    kms(DeleteSecretRequest, SecretName="s", ForceDeleteWithoutRecovery="true")
    assert kms.error(DescribeSecretRequest, SecretName="s").get_http_status() == 404


def test_tags(kms):
    create(kms, "a")
    create(kms, "b")
    kms(TagResourceRequest, SecretName="a", Tags=json.dumps([{"TagKey": "k1", "TagValue": "v1"}]))
    kms(TagResourcesRequest, ResourceType="secret", ResourceIds=["a", "b"], Tags=[{"Key": "k2", "Value": "v2"}])
    rows = kms(ListTagResourcesRequest, ResourceType="secret", Tags=[{"Key": "k2", "Value": "v2"}])
    assert sorted(r["ResourceId"] for r in rows["TagResources"]["TagResource"]) == ["a", "b"]
    kms(UntagResourceRequest, SecretName="a", TagKeys=json.dumps(["k1"]))
    kms(UntagResourcesRequest, ResourceType="secret", ResourceIds=["a", "b"], TagKeys=["k2"])
    rows = kms(ListTagResourcesRequest, ResourceType="secret")
    assert rows["TagResources"]["TagResource"] == []
    e = kms.error(ListResourceTagsRequest, KeyId="key-1")
    assert (e.get_error_code(), e.get_http_status()) == ("Forbidden.KeyNotFound", 404)


def test_random_password(kms):
    p = kms(GetRandomPasswordRequest, PasswordLength="16", ExcludeNumbers="true", ExcludePunctuation="true")
    assert len(p["RandomPassword"]) == 16 and p["RandomPassword"].isalpha()


def test_add_endpoint_variant_and_account_isolation(endpoint):
    a = AcsClient("2222333344445555", "sk", "cn-hangzhou", auto_retry=False)
    a.add_endpoint("cn-hangzhou", "kms", endpoint)
    req = CreateSecretRequest()
    req.set_SecretName("mine")
    req.set_VersionId("v1")
    req.set_SecretData("a's data")
    created = json.loads(a.do_action_with_exception(req))
    assert created["Arn"] == "acs:kms:cn-hangzhou:2222333344445555:secret/mine"
    other = Kms(endpoint, ak="6666777788889999")
    assert other.error(GetSecretValueRequest, SecretName="mine").get_http_status() == 404
    assert other.error(GetSecretValueRequest, SecretName=created["Arn"]).get_error_code() == "Forbidden.NoPermission"
    assert other(ListSecretsRequest)["TotalCount"] == 0
    # The client's region is another namespace.
    beijing = Kms(endpoint, ak="2222333344445555", region="cn-beijing")
    assert beijing.error(GetSecretValueRequest, SecretName="mine").get_http_status() == 404


def test_parallel_rotations_hit_the_hourly_limit(endpoint):
    setup = Kms(endpoint)
    create_rds(setup, "db")
    outcomes = []
    lock = threading.Lock()

    def rotate(i):
        k = Kms(endpoint)
        try:
            k(RotateSecretRequest, SecretName="db", VersionId=f"r{i}")
            o = 200
        except ServerException as e:
            o = (e.get_http_status(), e.get_error_code())
        with lock:
            outcomes.append(o)

    threads = [threading.Thread(target=rotate, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(200) == 50
    assert outcomes.count((429, "Rejected.Throttling")) == 10
