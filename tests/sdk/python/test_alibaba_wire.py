"""Alibaba Cloud KMS secrets on the wire, without an SDK: the three request shapes (all in
the query; form body; ACS3-style `x-acs-action` header), GET and POST, JSON and XML answers
(the XML parses with xml.etree and carries the same data as the JSON), errors in both
formats, identity from the AccessKeyId or the ACS3 Credential, region from the Host."""

import json
import threading
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

DEFAULT_ACCOUNT = "1000000000000000"


def send(endpoint, params=None, method="POST", body=None, headers=None, raw_query=None):
    """Returns (status, headers, raw body)."""
    query = raw_query or urllib.parse.urlencode(params or {}, quote_via=urllib.parse.quote)
    url = f"{endpoint}/?{query}" if query else f"{endpoint}/"
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def rpc(endpoint, action, fmt=None, **params):
    p = {"Action": action, "Version": "2016-01-20", **params}
    if fmt:
        p["Format"] = fmt
    return send(endpoint, p)


def ok_json(endpoint, action, **params):
    status, _, raw = rpc(endpoint, action, **params)
    body = json.loads(raw)
    assert status == 200, body
    return body


def xml_carries(elem, value, path="root"):
    """Whether an XML element holds exactly the data of a JSON value (lists as repeated
    elements, the RPC way)."""
    if isinstance(value, dict):
        tags = [c.tag for c in elem]
        assert set(tags) <= set(value), f"{path}: extra elements {set(tags) - set(value)}"
        for k, v in value.items():
            children = elem.findall(k)
            if isinstance(v, list):
                assert len(children) == len(v), f"{path}/{k}: {len(children)} elements for {len(v)} items"
                for c, item in zip(children, v):
                    xml_carries(c, item, f"{path}/{k}")
            else:
                assert len(children) == 1, f"{path}/{k}: {len(children)} elements"
                xml_carries(children[0], v, f"{path}/{k}")
    elif isinstance(value, bool):
        raise AssertionError(f"{path}: booleans are not part of this API's answers")
    elif isinstance(value, int):
        assert int(elem.text) == value, path
    else:
        assert (elem.text or "") == value, f"{path}: {elem.text!r} != {value!r}"


def same_in_both_formats(endpoint, action, **params):
    """Calls twice, JSON then XML, and checks the XML document has the JSON's data."""
    status_j, headers_j, raw_j = rpc(endpoint, action, fmt="JSON", **params)
    status_x, headers_x, raw_x = rpc(endpoint, action, fmt="XML", **params)
    assert status_j == status_x
    assert headers_j["Content-Type"] == "application/json;charset=utf-8"
    body = json.loads(raw_j)
    root = ET.fromstring(raw_x)
    if status_j == 200:
        assert headers_x["Content-Type"] == "text/xml;charset=utf-8"
        assert root.tag == f"{action}Response"
    else:
        assert headers_x["Content-Type"] == "text/xml;charset=utf-8"
        assert root.tag == "Error"
    # Request ids differ between the two calls; everything else must match.
    assert root.find("RequestId").text == headers_x["x-acs-request-id"]
    body.pop("RequestId")
    root.remove(root.find("RequestId"))
    xml_carries(root, body)
    return status_j, body, root


@pytest.fixture
def populated(endpoint):
    ok_json(endpoint, "CreateSecret", SecretName="app/db", VersionId="v1", SecretData="<one & 'two'>",
            Description="shown in XML", Tags=json.dumps([{"TagKey": "env", "TagValue": "dev"},
                                                         {"TagKey": "team", "TagValue": "core"}]))
    ok_json(endpoint, "PutSecretValue", SecretName="app/db", VersionId="v2", SecretData="second",
            VersionStages=json.dumps(["ACSCurrent", "blue"]))
    ok_json(endpoint, "CreateSecret", SecretName="rds/app", VersionId="v1", SecretType="Rds",
            SecretData=json.dumps({"Accounts": [{"AccountName": "app", "AccountPassword": "pw"}]}),
            ExtendedConfig=json.dumps({"SecretSubType": "SingleUser", "DBInstanceId": "rm-1"}),
            EnableAutomaticRotation="true", RotationInterval="7d")
    return endpoint


@pytest.mark.parametrize(
    "action,params",
    [
        ("GetSecretValue", {"SecretName": "app/db"}),
        ("GetSecretValue", {"SecretName": "rds/app", "FetchExtendedConfig": "true"}),
        ("DescribeSecret", {"SecretName": "app/db", "FetchTags": "true"}),
        ("DescribeSecret", {"SecretName": "rds/app"}),
        ("ListSecrets", {"FetchTags": "true"}),
        ("ListSecretVersionIds", {"SecretName": "app/db", "IncludeDeprecated": "true"}),
        ("BatchGetSecretValue", {"SecretsList": json.dumps([{"SecretName": "app/db"}, {"SecretName": "x"}])}),
        ("ListTagResources", {"RegionId": "cn-hangzhou", "ResourceType": "secret"}),
        ("GetSecretPolicy", {"SecretName": "app/db"}),
        ("GetSecretValue", {"SecretName": "missing"}),
        ("GetSecretValue", {}),
    ],
)
def test_xml_carries_the_same_data_as_json(populated, action, params):
    status, body, root = same_in_both_formats(populated, action, **params)
    if status == 200:
        assert len(root) == len(body)
    else:
        assert root.find("Code").text == body["Code"]


def test_xml_lists_and_escaping(populated):
    _, _, raw = rpc(populated, "DescribeSecret", fmt="xml", SecretName="app/db", FetchTags="True")
    root = ET.fromstring(raw)
    assert [t.find("TagKey").text for t in root.findall("Tags/Tag")] == ["env", "team"]
    _, _, raw = rpc(populated, "GetSecretValue", fmt="Xml", SecretName="app/db", VersionId="v1")
    root = ET.fromstring(raw)
    assert root.find("SecretData").text == "<one & 'two'>"
    assert [s.text for s in root.findall("VersionStages/VersionStage")] == ["ACSPrevious"]
    _, _, raw = rpc(populated, "GetSecretValue", fmt="XML", SecretName="app/db")
    root = ET.fromstring(raw)
    assert [s.text for s in root.findall("VersionStages/VersionStage")] == ["ACSCurrent", "blue"]


def xml_allows(c):
    """XML 1.0's Char production (surrogates never reach here)."""
    return c in "\t\n\r" or (" " <= c and c not in "\ufffe\uffff")


def sample_of_every_category():
    """One character of each Unicode general category (surrogates excepted: UTF-8 can't
    carry them), plus CR and the two noncharacters XML forbids."""
    seen = {}
    for cp in range(0x110000):
        c = chr(cp)
        cat = unicodedata.category(c)
        if cat != "Cs" and cat not in seen:
            seen[cat] = c
    return "".join(seen.values()) + "a\r\nb\r\x01\x1f\ufffe\uffff\U0010fffd", sorted(seen)


def test_xml_is_well_formed_for_every_character(endpoint):
    value, categories = sample_of_every_category()
    assert len(categories) == 29
    ok_json(endpoint, "CreateSecret", SecretName="uni", SecretData=value, VersionId="v1")
    ok_json(endpoint, "PutSecretValue", SecretName="uni", SecretData=value + "2",
            VersionId="v2", VersionStages=json.dumps(["blue"]))
    want = "".join(c if xml_allows(c) else "\ufffd" for c in value)
    for version in ("v1", "v2"):
        status, _, raw = rpc(endpoint, "GetSecretValue", fmt="XML", SecretName="uni",
                             VersionId=version)
        assert status == 200
        root = ET.fromstring(raw)  # expat refuses any character XML forbids
        assert root.find("SecretData").text == want + ("2" if version == "v2" else "")
    # JSON carries every character as it is.
    assert ok_json(endpoint, "GetSecretValue", SecretName="uni")["SecretData"] == value
    # One such secret does not break the account's XML listing, nor its description.
    ok_json(endpoint, "UpdateSecret", SecretName="uni", Description="d\r\x02e")
    status, _, raw = rpc(endpoint, "ListSecrets", fmt="XML", FetchTags="true")
    assert status == 200
    assert [n.text for n in ET.fromstring(raw).iter("SecretName")] == ["uni"]
    status, _, raw = rpc(endpoint, "DescribeSecret", fmt="XML", SecretName="uni")
    assert ET.fromstring(raw).find("Description").text == "d\r\ufffde"


def test_error_shapes(endpoint):
    status, headers, raw = rpc(endpoint, "GetSecretValue", fmt="XML")
    assert status == 400
    assert headers["Content-Type"] == "text/xml;charset=utf-8"
    root = ET.fromstring(raw)
    assert root.tag == "Error"
    assert root.find("Code").text == "MissingParameter"
    assert '"SecretName"' in root.find("Message").text
    assert root.find("HostId").text == "kms.cn-hangzhou.aliyuncs.com"
    assert root.find("Recommend").text.endswith("MissingParameter")
    status, headers, raw = rpc(endpoint, "GetSecretValue", SecretName="nope")
    body = json.loads(raw)
    assert (status, body["Code"]) == (404, "Forbidden.ResourceNotFound")
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert headers["x-acs-request-id"] == body["RequestId"]
    status, _, raw = rpc(endpoint, "NoSuchOperation")
    assert (status, json.loads(raw)["Code"]) == (404, "InvalidAction.NotFound")
    status, _, raw = rpc(endpoint, "CreateKey")
    assert (status, json.loads(raw)["Code"]) == (400, "UnsupportedOperation")
    status, _, raw = send(endpoint, {"Action": "ListSecrets", "Version": "2099-01-01"})
    assert (status, json.loads(raw)["Code"]) == (400, "InvalidVersion")
    status, _, raw = rpc(endpoint, "ListSecrets", fmt="yaml")
    assert (status, json.loads(raw)["Code"]) == (400, "InvalidParameter")
    status, _, raw = rpc(endpoint, "ListSecrets", PageSize="lots")
    assert (status, json.loads(raw)["Code"]) == (400, "InvalidParameter")
    status, _, raw = send(endpoint, {"Action": "ListSecrets"}, method="DELETE")
    assert status == 400 and json.loads(raw)["Code"] == "UnsupportedHTTPMethod"
    status, _, raw = send(endpoint, {"Action": "ListSecrets"},
                          headers={"Authorization": "ACS3-HMAC-SHA256 SignedHeaders=host"})
    assert (status, json.loads(raw)["Code"]) == (400, "IncompleteSignature")


def test_three_request_shapes(endpoint):
    # 1. Everything in the query of a GET (curl users).
    status, _, raw = send(endpoint, {"Action": "CreateSecret", "Version": "2016-01-20", "SecretName": "get-made",
                                     "VersionId": "v1", "SecretData": "from a GET"}, method="GET")
    assert status == 200, raw
    # 2. A form body, with `+` for spaces, as the Tea SDK writes it.
    form = "Action=CreateSecret&Version=2016-01-20&SecretName=form-made&VersionId=v1&SecretData=a+b%2Bc"
    status, _, raw = send(endpoint, None, body=form,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, raw
    # 3. ACS3: Action and Version in headers, parameters in the query, SecretData in the body.
    status, _, raw = send(
        endpoint,
        raw_query="SecretName=acs3-made&VersionId=v1&Description=probe+%2A+desc+~",
        body="SecretData=p%40ss+w%2Ford",
        headers={"x-acs-action": "CreateSecret", "x-acs-version": "2016-01-20",
                 "Content-Type": "application/x-www-form-urlencoded",
                 "Authorization": "ACS3-HMAC-SHA256 Credential=3333444455556666,"
                                  "SignedHeaders=host;x-acs-action,Signature=00ff"},
    )
    assert status == 200, raw
    assert json.loads(raw)["Arn"] == "acs:kms:cn-hangzhou:3333444455556666:secret/acs3-made"
    assert ok_json(endpoint, "GetSecretValue", SecretName="get-made")["SecretData"] == "from a GET"
    assert ok_json(endpoint, "GetSecretValue", SecretName="form-made")["SecretData"] == "a b+c"
    acs3 = ok_json(endpoint, "GetSecretValue", SecretName="acs3-made", AccessKeyId="3333444455556666")
    assert acs3["SecretData"] == "p@ss w/ord"
    # The Tea SDK's `+` in the query was a space.
    d = ok_json(endpoint, "DescribeSecret", SecretName="acs3-made", AccessKeyId="3333444455556666")
    assert d["Description"] == "probe * desc ~"
    status, _, raw = send(endpoint, None, method="GET")
    assert status == 404  # no Action: not Alibaba's


def test_booleans_any_case_and_json_text_params(endpoint):
    ok_json(endpoint, "CreateSecret", SecretName="s", VersionId="v1", SecretData="x",
            Tags='[{"TagKey":"a","TagValue":"1"}]')
    for flag in ["true", "True", "TRUE"]:
        d = ok_json(endpoint, "DescribeSecret", SecretName="s", FetchTags=flag)
        assert d["Tags"]["Tag"] == [{"TagKey": "a", "TagValue": "1"}]
    assert "Tags" not in ok_json(endpoint, "DescribeSecret", SecretName="s", FetchTags="False")
    status, _, raw = rpc(endpoint, "DescribeSecret", SecretName="s", FetchTags="yes")
    assert (status, json.loads(raw)["Code"]) == (400, "InvalidParameter")
    status, _, raw = rpc(endpoint, "TagResource", SecretName="s", Tags="[{broken")
    body = json.loads(raw)
    assert (status, body["Code"]) == (400, "InvalidParameter") and "Tags" in body["Message"]


def test_region_from_host_and_region_id(endpoint):
    status, _, raw = send(endpoint, {"Action": "CreateSecret", "SecretName": "r", "VersionId": "v1",
                                     "SecretData": "x"}, headers={"Host": "kms.cn-shanghai.aliyuncs.com"})
    assert status == 200
    assert json.loads(raw)["Arn"] == f"acs:kms:cn-shanghai:{DEFAULT_ACCOUNT}:secret/r"
    # The same secret through RegionId, and not from another region.
    assert ok_json(endpoint, "GetSecretValue", SecretName="r", RegionId="cn-shanghai")["SecretData"] == "x"
    status, _, raw = rpc(endpoint, "GetSecretValue", SecretName="r")
    assert status == 404
    status, _, raw = send(endpoint, {"Action": "GetSecretValue", "SecretName": "nope"},
                          headers={"Host": "kms.cn-shanghai.aliyuncs.com"})
    assert json.loads(raw)["HostId"] == "kms.cn-shanghai.aliyuncs.com"


def test_account_isolation(endpoint):
    ok_json(endpoint, "CreateSecret", SecretName="s", VersionId="v1", SecretData="A", AccessKeyId="1111000011110000")
    ok_json(endpoint, "CreateSecret", SecretName="s", VersionId="v1", SecretData="B", AccessKeyId="2222000022220000")
    assert ok_json(endpoint, "GetSecretValue", SecretName="s", AccessKeyId="1111000011110000")["SecretData"] == "A"
    assert ok_json(endpoint, "GetSecretValue", SecretName="s", AccessKeyId="2222000022220000")["SecretData"] == "B"
    # Non-numeric keys share the default account, which has no secret yet.
    status, _, _ = rpc(endpoint, "GetSecretValue", SecretName="s", AccessKeyId="LTAIanything")
    assert status == 404
    arn = "acs:kms:cn-hangzhou:1111000011110000:secret/s"
    status, _, raw = rpc(endpoint, "GetSecretValue", SecretName=arn, AccessKeyId="2222000022220000")
    assert (status, json.loads(raw)["Code"]) == (403, "Forbidden.NoPermission")
    assert ok_json(endpoint, "GetSecretValue", SecretName=arn, AccessKeyId="1111000011110000")["SecretData"] == "A"


def test_sixty_parallel_raw_rotations(endpoint):
    ok_json(endpoint, "CreateSecret", SecretName="redis", VersionId="v1", SecretType="Redis", SecretData="$Auto",
            ExtendedConfig=json.dumps({"SecretSubType": "DoubleUsers", "AccountName": "r",
                                       "CloneAccountName": "r_clone", "AccountPrivilege": "RoleReadWrite",
                                       "InstanceId": "r-1", "RegionId": "cn-hangzhou"}))
    statuses = []
    lock = threading.Lock()

    def rotate(i):
        status, _, _ = rpc(endpoint, "RotateSecret", SecretName="redis", VersionId=f"r{i}")
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=rotate, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(statuses)) == [200, 429]
    assert statuses.count(200) == 50 and statuses.count(429) == 10
    # Fifty rotations alternate the two accounts; ten versions are kept.
    ids = ok_json(endpoint, "ListSecretVersionIds", SecretName="redis", IncludeDeprecated="true", PageSize="100")
    assert ids["TotalCount"] == 10
    cur = json.loads(ok_json(endpoint, "GetSecretValue", SecretName="redis")["SecretData"])
    prev = json.loads(ok_json(endpoint, "GetSecretValue", SecretName="redis", VersionStage="ACSPrevious")["SecretData"])
    assert {cur["AccountName"], prev["AccountName"]} == {"r", "r_clone"}
