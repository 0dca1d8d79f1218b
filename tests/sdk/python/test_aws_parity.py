"""Parity with recorded AWS behaviour: every flow of
tests/data/parity/aws/localstack_secretsmanager.snapshot.json is replayed through boto3 against
the server and each recorded answer is compared field by field.

Masking follows the file: `<...>` placeholders (secret names, ARN suffixes, version ids,
partition, region, Lambda ARNs) must bind consistently — the same placeholder always to the
same value, different placeholders to different values — and "datetime" stands for any
timestamp. As the recording's transformers did, `VersionStages` lists are compared sorted,
`Versions` lists ordered by CreatedDate, JSON policy strings parsed, bytes as their repr, and
`ResponseMetadata` (only its status code counts) dropped where the recording dropped it.
"""

import datetime
import json
import os
import re
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "111111111111"  # the recording's account; the access key selects it here
REGION = "us-east-1"
LAMBDA = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rotate-secret"
PARITY = os.path.join(os.path.dirname(__file__), "..", "..", "data", "parity", "aws")
SNAPSHOT = os.path.join(PARITY, "localstack_secretsmanager.snapshot.json")

# Flows that cannot be replayed, and why (also listed in the README).
NOT_REPLAYABLE = {
    "test_rotate_secret_invalid_lambda_arn": "AWS refused a Lambda ARN that does not exist "
    "(AccessDeniedException from Lambda); localsecrets has no Lambda service and rotates "
    "with its built-in function whatever ARN is given.",
}


def load_snapshot():
    # The recording is part of the repository: a missing file is a broken checkout, not a
    # reason to pass without comparing anything.
    if not os.path.isfile(SNAPSHOT):
        raise FileNotFoundError(f"AWS parity recording {os.path.abspath(SNAPSHOT)} is required")
    with open(SNAPSHOT) as f:
        raw = json.load(f)
    return {key.split("::")[-1]: value["recorded-content"] for key, value in raw.items()}


RECORDED = load_snapshot()


# --- comparison -------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"<[^<>]+>")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def placeholder_pattern(name):
    if name.startswith("<ArnPart"):
        return r"-[A-Za-z0-9]{6}"
    if "uuid" in name or name == "<version-id>":
        return UUID
    if name == "<partition>":
        return r"aws[a-z-]*"
    if name == "<region>":
        return r"[a-z]+(?:-[a-z]+)+-\d+"
    return r".+"


class Bindings:
    def __init__(self):
        self.values = {}
        self.owners = {}

    def bind(self, name, value, where):
        if name in self.values:
            assert self.values[name] == value, f"{where}: {name} was {self.values[name]!r}, now {value!r}"
            return
        owner = self.owners.get(value)
        assert owner is None, f"{where}: {value!r} is already {owner}, cannot also be {name}"
        self.values[name] = value
        self.owners[value] = name

    def copy(self):
        b = Bindings()
        b.values = dict(self.values)
        b.owners = dict(self.owners)
        return b


def match_string(expected, actual, b, where):
    names = PLACEHOLDER.findall(expected)
    if not names:
        assert expected == actual, f"{where}: expected {expected!r}, got {actual!r}"
        return
    parts = PLACEHOLDER.split(expected)
    regex, groups, seen = "", [], {}
    for i, literal in enumerate(parts):
        regex += re.escape(literal)
        if i < len(names):
            name = names[i]
            if name in b.values:
                regex += re.escape(b.values[name])
            elif name in seen:
                regex += f"(?P=g{seen[name]})"
            else:
                seen[name] = len(groups)
                regex += f"(?P<g{len(groups)}>{placeholder_pattern(name)})"
                groups.append(name)
    m = re.fullmatch(regex, actual, re.S)
    assert m, f"{where}: {actual!r} does not match {expected!r}"
    for i, name in enumerate(groups):
        b.bind(name, m.group(f"g{i}"), where)


def normalise(key, actual):
    if isinstance(actual, bytes):
        return repr(actual)
    if key == "VersionStages" and isinstance(actual, list):
        return sorted(actual)
    if key == "Versions" and isinstance(actual, list):
        return sorted(actual, key=lambda v: v.get("CreatedDate"))
    if key == "ResourcePolicy" and isinstance(actual, str):
        return json.loads(actual)
    return actual


def match(expected, actual, b, where="$"):
    if expected == "datetime":
        assert isinstance(actual, (datetime.datetime, float, int)), f"{where}: {actual!r} is no date"
        return
    if isinstance(expected, str):
        assert isinstance(actual, str), f"{where}: expected a string, got {actual!r}"
        match_string(expected, actual, b, where)
        return
    if isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(expected) == len(actual), f"{where}: {len(actual)} items, recorded {len(expected)}: {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            match(e, a, b, f"{where}[{i}]")
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        actual = dict(actual)
        if "ResponseMetadata" in actual:
            meta = actual.pop("ResponseMetadata")
            if "ResponseMetadata" in expected:
                assert meta["HTTPStatusCode"] == expected["ResponseMetadata"]["HTTPStatusCode"], where
        expected = {k: v for k, v in expected.items() if k != "ResponseMetadata"}
        match_object(expected, actual, b, where)
        return
    assert expected == actual, f"{where}: expected {expected!r}, got {actual!r}"


def match_object(expected, actual, b, where):
    fixed = [k for k in expected if not PLACEHOLDER.search(k)]
    for k in fixed:
        assert k in actual, f"{where}: missing {k} in {sorted(actual)}"
        match(expected[k], normalise(k, actual[k]), b, f"{where}.{k}")
    free_expected = [k for k in expected if k not in fixed]
    free_actual = [k for k in actual if k not in fixed]
    assert len(free_expected) == len(free_actual), (
        f"{where}: keys {sorted(actual)} differ from recorded {sorted(expected)}"
    )
    # Keys that are placeholders (version ids): find the pairing that binds consistently.
    if free_expected and not try_pairings(expected, actual, free_expected, free_actual, b, where):
        raise AssertionError(f"{where}: no consistent pairing of {free_expected} with {free_actual}")


def try_pairings(expected, actual, free_expected, free_actual, b, where):
    if not free_expected:
        return True
    first, rest = free_expected[0], free_expected[1:]
    for candidate in free_actual:
        trial = b.copy()
        try:
            match_string(first, candidate, trial, where)
            match(expected[first], normalise(first, actual[candidate]), trial, f"{where}.{candidate}")
            remaining = [a for a in free_actual if a != candidate]
            if try_pairings(expected, actual, rest, remaining, trial, where):
                b.values, b.owners = trial.values, trial.owners
                return True
        except AssertionError:
            continue
    return False


# --- clients and flows ------------------------------------------------------------------


def client(endpoint):
    return boto3.client(
        "secretsmanager",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCOUNT,
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}),
    )


def failure(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value


def raw_post(endpoint, operation, body):
    req = urllib.request.Request(
        endpoint + "/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "X-Amz-Target": f"secretsmanager.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCOUNT}/20240101/{REGION}/"
            "secretsmanager/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def short_uid():
    return uuid.uuid4().hex[:8]


FLOWS = {}


def flow(*names):
    def register(fn):
        for n in names:
            FLOWS[n] = fn
        return fn

    return register


@flow("test_can_recreate_delete_secret")
def recreate_deleted(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_res_0"] = sm.create_secret(Name=name, SecretString="secretstr")
    out["delete_res_1"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    out["create_secret_res_1"] = sm.create_secret(Name=name, SecretString="secretstr")


@flow("test_exp_raised_on_creation_of_secret_scheduled_for_deletion")
def create_while_scheduled(sm, out, _):
    name = f"s-{short_uid()}"
    sm.create_secret(Name=name, SecretString="secretstr")
    out["delete_res"] = sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    out["invalid_req_ex"] = failure(sm.create_secret, Name=name, SecretString="secretstr").response


@flow("test_create_and_update_secret")
def create_and_update(sm, out, param):
    name, partial_arn_works = param, True
    for flag in ("-True", "-False"):
        if param.endswith(flag):
            name, partial_arn_works = param[: -len(flag)], flag == "-True"
    out["create_secret_rs_1"] = r = sm.create_secret(
        Name=name, SecretString="my_secret", Description="Testing secret creation."
    )
    arn = r["ARN"]
    out["get_secret_value_rs_1"] = sm.get_secret_value(SecretId=name)
    out["describe_secret_rs_1"] = sm.describe_secret(SecretId=name)
    out["get_secret_value_rs_2"] = sm.get_secret_value(SecretId=arn)
    if partial_arn_works:
        out["get_secret_value_rs_3"] = sm.get_secret_value(SecretId=arn[:-7])
    else:
        out["resource_not_found_dict_1"] = failure(sm.get_secret_value, SecretId=arn[:-7]).response
    out["put_secret_value_rs_1"] = sm.put_secret_value(SecretId=name, SecretString="new_secret")
    out["get_secret_value_rs_4"] = sm.get_secret_value(SecretId=name)
    out["update_secret_res_1"] = sm.update_secret(SecretId=arn, SecretString="test123", Description="d1")
    out["delete_secret_res_1"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_call_lists_secrets_multiple_times", "test_call_lists_secrets_multiple_times_snapshots")
def list_repeatedly(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs_1"] = sm.create_secret(
        Name=name, SecretString="my_secret", Description="testing creation of secrets"
    )
    for i in range(3):
        out[f"list_secrets_res_{i}"] = sm.get_paginator("list_secrets").paginate().build_full_result()
    out["delete_secret_res_1"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_create_multi_secrets", "test_create_multi_secrets_snapshot")
def create_several(sm, out, _):
    names = [f"m{i}-{short_uid()}" for i in range(3)]
    for n in names:
        sm.create_secret(Name=n, SecretString=f"my_secret_{n}", Description="Testing secrets creation.")
    out["list_secrets_res"] = sm.get_paginator("list_secrets").paginate().build_full_result()
    for i, n in enumerate(names):
        out[f"delete_secret_res{i}"] = sm.delete_secret(SecretId=n, ForceDeleteWithoutRecovery=True)


@flow("test_put_secret_value_with_version_stages")
def put_with_stages(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs_0"] = sm.create_secret(Name=name, SecretString="secret_string_v0")
    out["get_secret_value_res_0"] = sm.get_secret_value(SecretId=name)
    puts = [
        ("secret_string_v1", ["SAMPLESTAGE1", "SAMPLESTAGE0"]),
        ("secret_string_v2", ["SAMPLESTAGE1", "SAMPLESTAGE0"]),
        ("secret_string_v3", ["AWSPENDING"]),
        ("secret_string_v4", None),
    ]
    for i, (value, stages) in enumerate(puts, start=1):
        kwargs = {"VersionStages": stages} if stages else {}
        out[f"put_secret_value_res_{i}"] = sm.put_secret_value(
            SecretId=name, SecretString=value, ClientRequestToken=str(uuid.uuid4()), **kwargs
        )
        out[f"get_secret_value_res_{i}"] = sm.get_secret_value(SecretId=name)
    out["delete_secret_res_1"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_invalid_secret_name")
def invalid_names(sm, out, param):
    name = param.encode().decode("unicode_escape")
    policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}'
    calls = [
        (sm.create_secret, {"Name": name, "SecretString": "MySecretString"}),
        (sm.delete_secret, {"SecretId": name, "ForceDeleteWithoutRecovery": True}),
        (sm.describe_secret, {"SecretId": name}),
        (sm.get_secret_value, {"SecretId": name}),
        (sm.list_secret_version_ids, {"SecretId": name, "IncludeDeprecated": True}),
        (sm.put_secret_value, {"SecretId": name, "SecretString": "MySecretString"}),
        (sm.tag_resource, {"SecretId": name, "Tags": [{"Key": "FirstTag", "Value": "SomeValue"}]}),
        (sm.untag_resource, {"SecretId": name, "TagKeys": ["FirstTag"]}),
        (sm.update_secret, {"SecretId": name, "Description": "MyNewDescription"}),
        (sm.validate_resource_policy, {"SecretId": name, "ResourcePolicy": policy}),
    ]
    for i, (call, kwargs) in enumerate(calls, start=1):
        out[f"ex_log_{i}"] = failure(call, **kwargs).response


@flow("test_update_secret_description")
def update_description(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs_0"] = sm.create_secret(Name=name, SecretString="MySecretString")
    out["describe_secret_res_0"] = sm.describe_secret(SecretId=name)
    updates = [
        {"Description": "MyDescription"},
        {"SecretString": "MyNewSecretString", "Description": "MyNewDescription"},
        {"SecretString": "MyNewSecretString" * 2},
        {},
    ]
    for i, kwargs in enumerate(updates):
        out[f"update_secret_res_{i}"] = sm.update_secret(SecretId=name, **kwargs)
        out[f"describe_secret_res_{i + 1}"] = sm.describe_secret(SecretId=name)
    out["delete_secret_res_0"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


def move_current(sm, name, frm, to):
    return sm.update_secret_version_stage(
        SecretId=name, RemoveFromVersionId=frm, MoveToVersionId=to, VersionStage="AWSCURRENT"
    )


@flow("test_update_secret_version_stages_return_type")
def stage_return_type(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs_0"] = c = sm.create_secret(Name=name, SecretString="Something1")
    out["put_secret_value_res_0"] = p = sm.put_secret_value(
        SecretId=name, SecretString="Something2", VersionStages=["AWSPENDING"]
    )
    out["update_secret_version_stage_res_0"] = move_current(sm, name, c["VersionId"], p["VersionId"])
    out["delete_secret_res_0"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_update_secret_version_stages_current_previous")
def stage_current_previous(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs_0"] = sm.create_secret(Name=name, SecretString="secret_string_v0")
    out["list_secret_version_ids_res_0"] = sm.list_secret_version_ids(SecretId=name)
    out["update_secret_res_0"] = sm.update_secret(SecretId=name, SecretString="secret_string_v1")
    out["list_secret_version_ids_res_1"] = sm.list_secret_version_ids(SecretId=name)
    out["delete_secret_res_0"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_update_secret_version_stages_current_pending")
def stage_current_pending(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs_0"] = c = sm.create_secret(Name=name, SecretString="Something1")
    out["put_secret_value_res_0"] = p = sm.put_secret_value(
        SecretId=name, SecretString="Something2", VersionStages=["AWSPENDING"]
    )
    out["list_secret_version_ids_res_0"] = sm.list_secret_version_ids(SecretId=name)
    out["update_secret_version_stage_res_0"] = move_current(sm, name, c["VersionId"], p["VersionId"])
    out["list_secret_version_ids_res_1"] = sm.list_secret_version_ids(SecretId=name)
    out["put_secret_value_res_1"] = sm.put_secret_value(SecretId=name, SecretString="SS3")
    out["list_secret_version_ids_res_2"] = sm.list_secret_version_ids(SecretId=name)
    out["delete_secret_res_0"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_update_secret_version_stages_current_pending_cycle")
def stage_cycle(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs_0"] = c = sm.create_secret(Name=name, SecretString="S1")
    out["put_secret_value_res_0"] = p1 = sm.put_secret_value(
        SecretId=name, SecretString="S2", VersionStages=["AWSPENDING"]
    )
    out["list_secret_version_ids_res_0"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_0"] = sm.get_secret_value(SecretId=name)
    out["update_secret_version_stage_res_0"] = move_current(sm, name, c["VersionId"], p1["VersionId"])
    out["list_secret_version_ids_res_1"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_1"] = sm.get_secret_value(SecretId=name)
    out["put_secret_value_res_1"] = p2 = sm.put_secret_value(
        SecretId=name, SecretString="S3", VersionStages=["AWSPENDING"]
    )
    out["list_secret_version_ids_res_2"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_2"] = sm.get_secret_value(SecretId=name)
    out["put_secret_value_res_2"] = move_current(sm, name, p1["VersionId"], p2["VersionId"])
    out["list_secret_version_ids_res_3"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_3"] = sm.get_secret_value(SecretId=name)
    out["delete_secret_res_0"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_update_secret_version_stages_current_pending_cycle_custom_stages_1")
def stage_cycle_custom_1(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs_0"] = c = sm.create_secret(Name=name, SecretString="S1")
    out["put_secret_value_res_0"] = p1 = sm.put_secret_value(
        SecretId=name, SecretString="S2", VersionStages=["AWSSOMETHING", "AWSPENDING", "PUT1"]
    )
    out["list_secret_version_ids_res_0"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_0"] = sm.get_secret_value(SecretId=name)
    out["update_secret_version_stage_res_0"] = move_current(sm, name, c["VersionId"], p1["VersionId"])
    out["list_secret_version_ids_res_1"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_1"] = sm.get_secret_value(SecretId=name)
    out["put_secret_value_res_1"] = p2 = sm.put_secret_value(
        SecretId=name, SecretString="S3", VersionStages=["AWSPENDING", "PUT2"]
    )
    out["list_secret_version_ids_res_2"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_2"] = sm.get_secret_value(SecretId=name)
    out["update_secret_version_stage_res_1"] = move_current(sm, name, p1["VersionId"], p2["VersionId"])
    out["list_secret_version_ids_res_3"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_3"] = sm.get_secret_value(SecretId=name)
    out["delete_secret_res_0"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_update_secret_version_stages_current_pending_cycle_custom_stages_2")
def stage_cycle_custom_2(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs_0"] = sm.create_secret(Name=name, SecretString="SS")
    out["put_secret_value_res_0"] = p0 = sm.put_secret_value(
        SecretId=name, SecretString="S1", VersionStages=["AWSCURRENT", "PUT0"]
    )
    out["list_secret_version_ids_res_0"] = sm.list_secret_version_ids(SecretId=name)
    out["put_secret_value_res_1"] = p1 = sm.put_secret_value(
        SecretId=name, SecretString="S2", VersionStages=["AWSPENDING", "PUT1"]
    )
    out["list_secret_version_ids_res_1"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_0"] = sm.get_secret_value(SecretId=name)
    out["update_secret_version_stage_res_0"] = move_current(sm, name, p0["VersionId"], p1["VersionId"])
    out["list_secret_version_ids_res_2"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_1"] = sm.get_secret_value(SecretId=name)
    out["put_secret_value_res_2"] = p2 = sm.put_secret_value(
        SecretId=name, SecretString="S3", VersionStages=["AWSPENDING", "PUT2"]
    )
    out["list_secret_version_ids_res_3"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_2"] = sm.get_secret_value(SecretId=name)
    out["update_secret_version_stage_res_1"] = move_current(sm, name, p1["VersionId"], p2["VersionId"])
    out["list_secret_version_ids_res_4"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_res_3"] = sm.get_secret_value(SecretId=name)
    out["delete_secret_res_0"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_update_secret_version_stages_current_pending_cycle_custom_stages_3")
def stage_cycle_custom_3(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_rs"] = c = sm.create_secret(Name=name, SecretString="SS")
    v1 = c["VersionId"]
    out["put_secret_value_res_0"] = p = sm.put_secret_value(
        SecretId=name, SecretString="S1", VersionStages=["PENDING"]
    )
    v2 = p["VersionId"]
    out["list_secret_version_ids_rs"] = sm.list_secret_version_ids(SecretId=name)
    out["get_secret_value_v1_rs"] = sm.get_secret_value(SecretId=name, VersionId=v1)
    out["get_secret_value_v2_rs"] = sm.get_secret_value(SecretId=name, VersionId=v2)
    out["update_secret_version_stage_res_1"] = move_current(sm, name, v1, v2)
    out["get_secret_value_v1_rs_1"] = sm.get_secret_value(SecretId=name, VersionId=v1)
    out["get_secret_value_v2_rs_1"] = sm.get_secret_value(SecretId=name, VersionId=v2)
    out["update_secret_version_stage_res_2"] = sm.update_secret_version_stage(
        SecretId=name, RemoveFromVersionId=v2, VersionStage="PENDING"
    )
    out["get_secret_value_v1_rs_2"] = sm.get_secret_value(SecretId=name, VersionId=v1)
    out["get_secret_value_v2_rs_2"] = sm.get_secret_value(SecretId=name, VersionId=v2)
    out["delete_secret_res_0"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_non_versioning_version_stages_replacement")
def custom_stage_replacement(sm, out, _, second=("one", "two", "three", "four")):
    name = f"s-{short_uid()}"
    out["create_secret_rs_0"] = sm.create_secret(Name=name, SecretString="S0")
    out["put_secret_value_res_0"] = sm.put_secret_value(
        SecretId=name, SecretString="S1", VersionStages=["one", "two", "three"]
    )
    out["list_secret_version_ids_res_0"] = sm.list_secret_version_ids(SecretId=name)
    out["put_secret_value_res_1"] = sm.put_secret_value(
        SecretId=name, SecretString="S2", VersionStages=list(second)
    )
    out["list_secret_version_ids_res_1"] = sm.list_secret_version_ids(SecretId=name)
    out["delete_secret_res_0"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_non_versioning_version_stages_no_replacement")
def custom_stage_partial_replacement(sm, out, param):
    custom_stage_replacement(sm, out, param, second=("one", "two", "four"))


@flow("test_secret_not_found")
def not_found(sm, out, _):
    out["get_secret_value_not_found_ex"] = failure(
        sm.get_secret_value, SecretId=f"s-{short_uid()}"
    ).response
    out["list_secret_version_ids_not_found_ex"] = failure(
        sm.list_secret_version_ids, SecretId=f"s-{short_uid()}"
    ).response


@flow("test_secret_exists_snapshots")
def exists(sm, out, _):
    name = f"s-{short_uid()}"
    args = {"Name": name, "SecretString": f"my_secret_{name}", "Description": "Snapshot testing secret already exists."}
    sm.create_secret(**args)
    out["ex_log"] = failure(sm.create_secret, **args).response
    out["delete_secret_res"] = sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


@flow("test_no_client_request_token")
def no_token(sm, out, operation, endpoint=None):
    params = {"SecretString": "thisisthesecret", "Description": "My secret string"}
    params["Name" if operation == "CreateSecret" else "SecretId"] = short_uid()
    status, body = raw_post(endpoint, operation, params)
    out["no-client-request-exc"] = {"Error": body, "Metadata": {"StatusCode": status}}


@flow("test_create_secret_version_from_empty_secret")
def from_empty(sm, out, _):
    out["create-empty-secret"] = r = sm.create_secret(Name=f"test-version-{short_uid()}", Description="")
    out["describe-secret"] = sm.describe_secret(SecretId=r["ARN"])
    out["put-secret-value"] = sm.put_secret_value(SecretId=r["ARN"], SecretString="example-string-to-protect")


def rotation_secret(sm):
    name = f"s-{short_uid()}"
    r = sm.create_secret(Name=name, SecretString="my_secret", Description="testing rotation of secrets")
    return name, r["VersionId"]


@flow("test_rotate_secret_with_lambda_success")
def rotate_once(sm, out, param):
    name, _ = rotation_secret(sm)
    config = {"RotationRules": {"AutomaticallyAfterDays": 1}, "RotationLambdaARN": LAMBDA}
    if param == "True":
        config["RotateImmediately"] = True
    out["rotate_secret_immediately"] = sm.rotate_secret(SecretId=name, **config)
    out["describe_secret_rotated"] = sm.describe_secret(SecretId=name)
    out["list_secret_versions_rotated_1"] = sm.list_secret_version_ids(SecretId=name)


@flow("test_rotate_secret_multiple_times_with_lambda_success")
def rotate_twice(sm, out, _):
    name, _ = rotation_secret(sm)
    runs = [
        {"RotationRules": {"AutomaticallyAfterDays": 1}, "RotateImmediately": True, "RotationLambdaARN": LAMBDA},
        {},
    ]
    for i, config in enumerate(runs, start=1):
        out[f"rotate_secret_immediately_{i}"] = sm.rotate_secret(SecretId=name, **config)
        out[f"describe_secret_rotated_{i}"] = sm.describe_secret(SecretId=name)
        out[f"list_secret_versions_rotated_1_{i}"] = sm.list_secret_version_ids(SecretId=name)
        sm.get_secret_value(SecretId=name)


@flow("test_first_rotate_secret_with_missing_lambda_arn")
def rotate_without_function(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret"] = sm.create_secret(Name=name, SecretString="init")
    out["rotate_secret_no_arn_exc"] = failure(
        sm.rotate_secret, SecretId=name, RotationRules={"AutomaticallyAfterDays": 1}
    ).response
    out["describe_secret"] = sm.describe_secret(SecretId=name)


@flow("test_resource_policy")
def resource_policy(sm, out, _):
    name = f"s-{short_uid()}"
    sm.create_secret(Name=name, SecretString="my_secret", Description="testing creation of secrets")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
        ],
    }
    out["put_resource_policy"] = sm.put_resource_policy(SecretId=name, ResourcePolicy=json.dumps(policy))
    out["get_resource_policy"] = sm.get_resource_policy(SecretId=name)
    sm.delete_resource_policy(SecretId=name)


@flow("test_secret_restore")
def restore(sm, out, _):
    name = f"s-{short_uid()}"
    sm.create_secret(Name=name, SecretString="my_secret", Description="test description")
    out["delete_secret_res"] = sm.delete_secret(SecretId=name)
    out["restore_secret_res"] = sm.restore_secret(SecretId=name)


@flow("test_secret_tags")
def tags(sm, out, _):
    out["create_secret"] = r = sm.create_secret(Name=short_uid())
    arn = r["ARN"]
    out["describe_secret"] = sm.describe_secret(SecretId=arn)
    out["tag_resource_1"] = sm.tag_resource(SecretId=arn, Tags=[{"Key": "tag1", "Value": "value1"}])
    out["describe_secret_1"] = sm.describe_secret(SecretId=arn)
    out["tag_resource_2"] = sm.tag_resource(SecretId=arn, Tags=[{"Key": "tag2", "Value": "value2"}])
    out["describe_secret_2"] = sm.describe_secret(SecretId=arn)
    out["untag_resource_1"] = sm.untag_resource(SecretId=arn, TagKeys=["tag1"])
    out["describe_secret_3"] = sm.describe_secret(SecretId=arn)
    out["untag_resource_2"] = sm.untag_resource(SecretId=arn, TagKeys=["tag2"])
    out["describe_secret_4"] = sm.describe_secret(SecretId=arn)
    sm.tag_resource(SecretId=arn, Tags=[{"Key": "tag3", "Value": "value3"}, {"Key": "tag4", "Value": "value4"}])
    out["describe_secret_5"] = sm.describe_secret(SecretId=arn)
    sm.untag_resource(SecretId=arn, TagKeys=["tag3", "tag4"])
    out["describe_secret_6"] = sm.describe_secret(SecretId=arn)


@flow("test_deprecated_secret_version_stage")
def deprecated_versions(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret"] = sm.create_secret(Name=name, SecretString="original", Description="My secret")
    out["list_secret_version_ids"] = sm.list_secret_version_ids(SecretId=name)
    out["put_secret_value_1"] = sm.put_secret_value(SecretId=name, SecretString="update1")
    out["list_secret_version_ids_1"] = sm.list_secret_version_ids(SecretId=name)
    out["put_secret_value_2"] = sm.put_secret_value(SecretId=name, SecretString="update2")
    out["list_secret_version_ids_2"] = sm.list_secret_version_ids(SecretId=name)
    out["list_secret_version_ids_3"] = sm.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)
    out["put_secret_value_3"] = sm.put_secret_value(SecretId=name, SecretString="update3")
    out["list_secret_version_ids_4"] = sm.list_secret_version_ids(SecretId=name)
    out["list_secret_version_ids_5"] = sm.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)


@flow("test_get_secret_value_errors")
def get_errors(sm, out, _):
    name = short_uid()
    r = sm.create_secret(Name=name, SecretString="test")
    out["error_get_secret_value_non_existing"] = failure(
        sm.get_secret_value, SecretId=r["ARN"], VersionStage="AWSPREVIOUS"
    ).response
    out["mismatch_version_id_and_stage"] = failure(
        sm.get_secret_value, SecretId=name, VersionId=r["VersionId"], VersionStage="AWSPREVIOUS"
    ).response


@flow("test_secret_version_not_found")
def version_not_found(sm, out, _):
    name = f"s-{short_uid()}"
    sm.create_secret(Name=name)
    out["get_secret_value_no_version_ex"] = str(failure(sm.get_secret_value, SecretId=name))
    out["get_secret_value_version_not_found_ex"] = str(
        failure(sm.get_secret_value, SecretId=name, VersionId=str(uuid.uuid4()))
    )
    out["get_secret_value_stage_not_found_ex"] = str(
        failure(sm.get_secret_value, SecretId=name, VersionStage="AWSPENDING")
    )


@flow("test_get_secret_value")
def get_binary(sm, out, _, endpoint=None):
    name = short_uid()
    r = sm.create_secret(Name=name, SecretBinary="footest")
    out["secret_value_response"] = sm.get_secret_value(SecretId=r["ARN"])
    status, body = raw_post(endpoint, "GetSecretValue", {"SecretId": name})
    assert status == 200
    out["secret_value_http_response"] = body


@flow("test_force_delete_deleted_secret")
def force_delete_deleted(sm, out, _):
    name = f"s-{short_uid()}"
    out["create_secret_response"] = r = sm.create_secret(Name=name, SecretString="secretstr")
    out["delete_secret_response"] = sm.delete_secret(SecretId=r["ARN"])
    out["describe_secret_response"] = sm.describe_secret(SecretId=r["ARN"])
    out["force_delete_secret_response"] = sm.delete_secret(SecretId=r["ARN"], ForceDeleteWithoutRecovery=True)


@flow("test_tag_untag_resource_on_deleted_secret")
def tag_deleted(sm, out, _):
    out["create_secret"] = r = sm.create_secret(
        Name=short_uid(), SecretString="test-secret-value", Tags=[{"Key": "initial-tag", "Value": "initial-value"}]
    )
    out["delete_secret"] = sm.delete_secret(SecretId=r["ARN"])
    out["tag_deleted_secret_error"] = failure(
        sm.tag_resource, SecretId=r["ARN"], Tags=[{"Key": "new-tag", "Value": "new-value"}]
    ).response
    out["untag_deleted_secret_error"] = failure(
        sm.untag_resource, SecretId=r["ARN"], TagKeys=["initial-tag"]
    ).response


CHANGED_VALUES = {
    "footest-updated1": (b"footest", b"updated1"),
    "tops3cret-updated2": (b"tops3cret", b"updated2"),
    "\\x00\\x01\\x02\\xff-\\xfe\\xfd": (b"\x00\x01\x02\xff", b"\xfe\xfd"),
}


@flow("test_change_secret_value_after_creation")
def change_binary(sm, out, param):
    put, update = CHANGED_VALUES[param]
    name = short_uid()
    sm.create_secret(Name=name, SecretBinary=b"initial")
    out["put_secret_value_secret_response"] = sm.get_secret_value(SecretId=name)
    sm.put_secret_value(SecretId=name, SecretBinary=put)
    out["put_secret_binary_response_updated"] = sm.get_secret_value(SecretId=name)
    sm.update_secret(SecretId=name, SecretBinary=update)
    out["update_secret_binary_response_updated"] = sm.get_secret_value(SecretId=name)


def split_id(test_id):
    if "[" in test_id:
        name, param = test_id.split("[", 1)
        return name, param[:-1]
    return test_id, None


@pytest.mark.parametrize("test_id", sorted(RECORDED))
def test_recorded_flow(test_id, endpoint):
    name, param = split_id(test_id)
    if name in NOT_REPLAYABLE:
        pytest.skip(NOT_REPLAYABLE[name])
    assert name in FLOWS, f"no replay for recorded flow {test_id}"
    sm = client(endpoint)
    out = {}
    fn = FLOWS[name]
    if "endpoint" in fn.__code__.co_varnames:
        fn(sm, out, param, endpoint=endpoint)
    else:
        fn(sm, out, param)
    recorded = RECORDED[test_id]
    assert sorted(out) == sorted(recorded), "the replay produced other answers than were recorded"
    bindings = Bindings()
    for key in recorded:  # in recording order, as the file's placeholders were assigned
        match(recorded[key], out[key], bindings, key)


def test_every_flow_but_the_documented_ones_is_replayed():
    names = {split_id(t)[0] for t in RECORDED}
    assert names, "the recording is missing"
    assert names - set(FLOWS) == set(NOT_REPLAYABLE)
