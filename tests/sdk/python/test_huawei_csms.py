"""Huawei Cloud CSMS through huaweicloudsdkcsms: every operation the emulator answers, driven
by the SDK's own request building (AK/SK signing, path escaping) and error parsing."""

import base64
import json
import urllib.error
import urllib.request

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcsms.v1 import CsmsClient
from huaweicloudsdkcsms.v1.model import (
    BatchCreateOrDeleteTagsRequest,
    BatchCreateOrDeleteTagsRequestBody,
    BatchImportSecretsRequest,
    CheckSecretsRequest,
    CheckSecretsRequestBody,
    CreateAgencyRequest,
    CreateAgencyRequestBody,
    CreateGrantsRequest,
    CreatePasswordRequestBody,
    CreateSecretEventRequest,
    CreateSecretEventRequestBody,
    CreateSecretRequest,
    CreateSecretRequestBody,
    CreateSecretTagRequest,
    CreateSecretTagRequestBody,
    CreateSecretVersionRequest,
    CreateSecretVersionRequestBody,
    DeleteGrantRequest,
    DeleteSecretEventRequest,
    DeleteSecretForScheduleRequest,
    DeleteSecretForScheduleRequestBody,
    DeleteSecretRequest,
    DeleteSecretStageRequest,
    DeleteSecretTagRequest,
    DownloadSecretBlobRequest,
    GenerateRandomPasswordRequest,
    GrantSecretReqBody,
    ImportSecretsRequest,
    ListGrantsRequest,
    ListNotificationRecordsRequest,
    ListProjectSecretsTagsRequest,
    ListResourceInstancesRequest,
    ListResourceInstancesRequestBody,
    ListSecretEventsRequest,
    ListSecretTagsRequest,
    ListSecretTaskRequest,
    ListSecretVersionsRequest,
    ListSecretsRequest,
    ListUsersRequest,
    Notification,
    RestoreSecretRequest,
    RotateSecretRequest,
    ShowAgencyRequest,
    ShowSecretEventRequest,
    ShowSecretFunctionTemplatesRequest,
    ShowSecretRequest,
    ShowSecretStageRequest,
    ShowSecretVersionRequest,
    ShowSecretsConfigRequest,
    ShowUserDetailRequest,
    Tag,
    TagItem,
    TagMatches,
    UpdateGrantRequest,
    UpdateSecretEventRequest,
    UpdateSecretEventRequestBody,
    UpdateSecretRequest,
    UpdateSecretRequestBody,
    UpdateSecretStageRequest,
    UpdateSecretStageRequestBody,
    UpdateSecretsConfigRequest,
    UpdateSecretsConfigRequestBody,
    UpdateUserPasswordRequest,
    ChangeUsersPassword,
    UpdateVersionRequest,
    UpdateVersionRequestBody,
    UploadSecretBlobRequest,
    UploadSecretBlobRequestBody,
)

PROJECT = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"
RDS_CONFIG = json.dumps({"InstanceId": "i-0123", "SecretSubType": "SingleUser"})
FUNC_URN = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:rotate:latest"


def client(endpoint, project=PROJECT):
    creds = BasicCredentials("HWTESTAK0000000000", "secret-key", project)
    return CsmsClient.new_builder().with_credentials(creds).with_endpoints([endpoint]).build()


@pytest.fixture
def csms(endpoint):
    return client(endpoint)


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientRequestException) as e:
        call(*args, **kwargs)
    assert e.value.request_id, "the request id comes from the X-Request-Id header"
    return e.value.status_code, e.value.error_code, e.value.error_msg


def create(csms, name, value="value", **kwargs):
    body = CreateSecretRequestBody(name=name, secret_string=value, **kwargs)
    return csms.create_secret(CreateSecretRequest(body=body)).secret


def add_version(csms, name, value, stages=None, expire_time=None):
    body = CreateSecretVersionRequestBody(
        secret_string=value, version_stages=stages, expire_time=expire_time
    )
    return csms.create_secret_version(
        CreateSecretVersionRequest(secret_name=name, body=body)
    ).version_metadata


def show_version(csms, name, version_id="latest"):
    return csms.show_secret_version(
        ShowSecretVersionRequest(secret_name=name, version_id=version_id)
    ).version


def stage_holder(csms, name, stage):
    return csms.show_secret_stage(
        ShowSecretStageRequest(secret_name=name, stage_name=stage)
    ).stage.version_id


def raw(endpoint, method, path, body=None, headers=None):
    """A request the SDK would never send (malformed bodies, unknown routes)."""
    req = urllib.request.Request(endpoint + path, data=body, method=method)
    for k, v in (headers or {"Content-Type": "application/json"}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


# ---------------------------------------------------------------------------------------
# Secrets


def test_secret_lifecycle(csms):
    s = create(csms, "app-db", '{"user":"root","passwd":"p@ss w/ord"}', description="probe")
    assert s.name == "app-db" and s.state == "ENABLED" and s.secret_type == "COMMON"
    assert s.description == "probe" and s.enterprise_project_id == "0"
    assert s.create_time > 1_600_000_000_000, "epoch milliseconds"
    assert len(s.kms_key_id) == 36
    shown = csms.show_secret(ShowSecretRequest(secret_name="app-db")).secret
    assert shown.id == s.id and shown.create_time == s.create_time
    v = show_version(csms, "app-db")
    assert v.secret_string == '{"user":"root","passwd":"p@ss w/ord"}'
    assert v.version_metadata.id == "v1" and v.version_metadata.version_stages == ["SYSCURRENT"]

    updated = csms.update_secret(
        UpdateSecretRequest(
            secret_name="app-db",
            body=UpdateSecretRequestBody(
                description="new", kms_key_id="0d0466b0-e727-4d9c-b35d-f84bb474a37f"
            ),
        )
    ).secret
    assert updated.description == "new"
    assert updated.kms_key_id == "0d0466b0-e727-4d9c-b35d-f84bb474a37f"
    assert updated.update_time >= s.update_time

    assert error_of(csms.create_secret, CreateSecretRequest(
        body=CreateSecretRequestBody(name="app-db", secret_string="again"))) == (
        400, "CSMS.0201", "The secret app-db already exists.")

    resp = csms.delete_secret(DeleteSecretRequest(secret_name="app-db"))
    assert resp.status_code == 204
    status, code, msg = error_of(csms.show_secret, ShowSecretRequest(secret_name="app-db"))
    assert (status, code) == (400, "CSMS.0106") and "app-db" in msg
    assert error_of(csms.delete_secret, DeleteSecretRequest(secret_name="app-db"))[1] == "CSMS.0106"


def test_binary_secrets(csms):
    csms.create_secret(CreateSecretRequest(body=CreateSecretRequestBody(
        name="bin", secret_binary=base64.b64encode(b"\x00\x01\xff").decode())))
    v = show_version(csms, "bin")
    assert base64.b64decode(v.secret_binary) == b"\x00\x01\xff"
    assert v.secret_string is None


def test_list_secrets_pages_by_name(csms):
    for n in ["e", "a", "c", "b", "d"]:
        create(csms, n)
    first = csms.list_secrets(ListSecretsRequest(limit="2"))
    assert [s.name for s in first.secrets] == ["a", "b"]
    assert first.page_info.next_marker == "b" and first.page_info.current_count == 2
    second = csms.list_secrets(ListSecretsRequest(limit="2", marker=first.page_info.next_marker))
    assert [s.name for s in second.secrets] == ["c", "d"]
    assert second.page_info.previous_marker == "b"
    last = csms.list_secrets(ListSecretsRequest(limit="2", marker="d"))
    assert [s.name for s in last.secrets] == ["e"] and last.page_info.next_marker is None
    assert len(csms.list_secrets(ListSecretsRequest()).secrets) == 5
    assert error_of(csms.list_secrets, ListSecretsRequest(limit="0"))[1] == "CSMS.0002"


def test_batch_import(csms):
    create(csms, "taken")
    resp = csms.batch_import_secrets(BatchImportSecretsRequest(body=ImportSecretsRequest(secrets=[
        CreateSecretRequestBody(name="imp-a", secret_string="1"),
        CreateSecretRequestBody(name="taken", secret_string="2"),
        CreateSecretRequestBody(name="bad name", secret_string="3"),
        CreateSecretRequestBody(name="imp-b", secret_string="4", description="d"),
    ])))
    assert (resp.total, resp.success, resp.failed) == (4, 2, 2)
    assert [e.name for e in resp.error_list] == ["taken", "bad name"]
    assert show_version(csms, "imp-b").secret_string == "4"


def test_backup_and_restore(csms):
    create(csms, "db", "one", description="backed up")
    add_version(csms, "db", "two")
    blob = csms.download_secret_blob(DownloadSecretBlobRequest(secret_name="db")).secret_blob
    assert blob and "two" not in blob
    assert error_of(csms.upload_secret_blob, UploadSecretBlobRequest(
        body=UploadSecretBlobRequestBody(secret_blob=blob)))[1] == "CSMS.0201"
    csms.delete_secret(DeleteSecretRequest(secret_name="db"))
    restored = csms.upload_secret_blob(
        UploadSecretBlobRequest(body=UploadSecretBlobRequestBody(secret_blob=blob))).secret
    assert restored.name == "db" and restored.description == "backed up"
    assert show_version(csms, "db", "v1").secret_string == "one"
    assert show_version(csms, "db").version_metadata.version_stages == ["SYSCURRENT"]
    assert stage_holder(csms, "db", "SYSPREVIOUS") == "v1"
    assert error_of(csms.upload_secret_blob, UploadSecretBlobRequest(
        body=UploadSecretBlobRequestBody(secret_blob="bm90IGEgYmxvYg==")))[1] == "CSMS.0002"


# ---------------------------------------------------------------------------------------
# Deletion


def test_scheduled_deletion_and_cancel(csms):
    create(csms, "db")

    def schedule(days):
        return csms.delete_secret_for_schedule(DeleteSecretForScheduleRequest(
            secret_name="db",
            body=DeleteSecretForScheduleRequestBody(recovery_window_in_days=days)))

    for bad in (6, 31):
        assert error_of(schedule, bad)[:2] == (400, "CSMS.0002")
    s = schedule(7).secret
    assert s.state == "PENDING_DELETE"
    assert s.scheduled_delete_time - s.update_time == 7 * 86_400_000
    assert error_of(schedule, 10)[1] == "CSMS.0107"
    # Pending secrets are listed and shown but cannot be used.
    assert csms.show_secret(ShowSecretRequest(secret_name="db")).secret.state == "PENDING_DELETE"
    assert csms.list_secrets(ListSecretsRequest()).secrets[0].state == "PENDING_DELETE"
    assert error_of(csms.show_secret_version, ShowSecretVersionRequest(
        secret_name="db", version_id="latest"))[1] == "CSMS.0103"
    assert error_of(csms.create_secret_version, CreateSecretVersionRequest(
        secret_name="db", body=CreateSecretVersionRequestBody(secret_string="x")))[1] == "CSMS.0103"
    assert error_of(csms.rotate_secret, RotateSecretRequest(secret_name="db"))[1] == "CSMS.0103"

    s = csms.restore_secret(RestoreSecretRequest(secret_name="db")).secret
    assert s.state == "ENABLED" and s.scheduled_delete_time == 0
    assert error_of(csms.restore_secret, RestoreSecretRequest(secret_name="db"))[1] == "CSMS.0108"
    assert show_version(csms, "db").secret_string == "value"

    # The default window is 30 days, and a pending secret can still be deleted at once.
    s = csms.delete_secret_for_schedule(DeleteSecretForScheduleRequest(
        secret_name="db", body=DeleteSecretForScheduleRequestBody())).secret
    assert s.scheduled_delete_time - s.update_time == 30 * 86_400_000
    csms.delete_secret(DeleteSecretRequest(secret_name="db"))
    assert error_of(csms.show_secret, ShowSecretRequest(secret_name="db"))[1] == "CSMS.0106"


# ---------------------------------------------------------------------------------------
# Versions and stages


def test_new_versions_move_syscurrent_or_only_the_named_stages(csms):
    create(csms, "app", "one")
    v2 = add_version(csms, "app", "two")
    assert v2.id == "v2" and v2.version_stages == ["SYSCURRENT"]
    assert stage_holder(csms, "app", "SYSPREVIOUS") == "v1"
    v3 = add_version(csms, "app", "three", stages=["blue", "green"])
    assert v3.id == "v3" and v3.version_stages == ["blue", "green"]
    assert stage_holder(csms, "app", "SYSCURRENT") == "v2"
    assert show_version(csms, "app", "latest").secret_string == "three"
    assert show_version(csms, "app", "v2").secret_string == "two"
    # A stage named again moves off its old holder.
    add_version(csms, "app", "four", stages=["blue"])
    assert stage_holder(csms, "app", "blue") == "v4"
    assert stage_holder(csms, "app", "green") == "v3"
    status, code, _ = error_of(csms.show_secret_version, ShowSecretVersionRequest(
        secret_name="app", version_id="v99"))
    assert (status, code) == (400, "CSMS.0005")


def test_list_versions_and_paging(csms):
    create(csms, "app", "1")
    for i in range(2, 6):
        add_version(csms, "app", str(i))
    everything = csms.list_secret_versions(ListSecretVersionsRequest(secret_name="app"))
    assert [v.id for v in everything.version_metadatas] == ["v1", "v2", "v3", "v4", "v5"]
    assert everything.version_metadatas[4].version_stages == ["SYSCURRENT"]
    assert everything.version_metadatas[3].version_stages == ["SYSPREVIOUS"]
    assert everything.version_metadatas[0].version_stages == []
    page = csms.list_secret_versions(ListSecretVersionsRequest(secret_name="app", limit=2))
    assert [v.id for v in page.version_metadatas] == ["v1", "v2"]
    page = csms.list_secret_versions(ListSecretVersionsRequest(
        secret_name="app", limit=2, marker=page.page_info.next_marker))
    assert [v.id for v in page.version_metadatas] == ["v3", "v4"]
    assert page.page_info.next_marker == "v4"


def test_twenty_versions_oldest_unlabelled_evicted(csms):
    create(csms, "many", "1")
    for i in range(2, 26):
        add_version(csms, "many", str(i))
    ids = [v.id for v in csms.list_secret_versions(
        ListSecretVersionsRequest(secret_name="many", limit=100)).version_metadatas]
    assert len(ids) == 20 and ids[0] == "v6" and ids[-1] == "v25"
    assert error_of(csms.show_secret_version, ShowSecretVersionRequest(
        secret_name="many", version_id="v1"))[1] == "CSMS.0005"


def test_update_version_expire_time(csms):
    create(csms, "app")
    m = csms.update_version(UpdateVersionRequest(
        secret_name="app", version_id="v1",
        body=UpdateVersionRequestBody(expire_time=1_900_000_000_000))).version_metadata
    assert m.id == "v1" and m.expire_time == 1_900_000_000_000
    assert show_version(csms, "app").version_metadata.expire_time == 1_900_000_000_000
    v = add_version(csms, "app", "two", expire_time=1_950_000_000_000)
    assert v.expire_time == 1_950_000_000_000
    assert error_of(csms.update_version, UpdateVersionRequest(
        secret_name="app", version_id="v9",
        body=UpdateVersionRequestBody(expire_time=1)))[1] == "CSMS.0005"


def test_stages_show_update_delete(csms):
    create(csms, "app", "one")
    add_version(csms, "app", "two")
    stage = csms.show_secret_stage(ShowSecretStageRequest(
        secret_name="app", stage_name="SYSCURRENT")).stage
    assert (stage.name, stage.secret_name, stage.version_id) == ("SYSCURRENT", "app", "v2")
    assert stage.update_time > 1_600_000_000_000

    def move(stage_name, version_id):
        return csms.update_secret_stage(UpdateSecretStageRequest(
            secret_name="app", stage_name=stage_name,
            body=UpdateSecretStageRequestBody(version_id=version_id))).stage

    moved = move("SYSCURRENT", "v1")
    assert moved.version_id == "v1" and moved.update_time >= stage.update_time
    assert stage_holder(csms, "app", "SYSPREVIOUS") == "v2"
    assert show_version(csms, "app", "v1").version_metadata.version_stages == ["SYSCURRENT"]
    move("canary", "v2")
    assert stage_holder(csms, "app", "canary") == "v2"

    for system in ("SYSCURRENT", "SYSPREVIOUS"):
        assert error_of(csms.delete_secret_stage, DeleteSecretStageRequest(
            secret_name="app", stage_name=system))[:2] == (400, "CSMS.0105")
    resp = csms.delete_secret_stage(DeleteSecretStageRequest(secret_name="app", stage_name="canary"))
    assert resp.status_code == 204
    assert error_of(csms.show_secret_stage, ShowSecretStageRequest(
        secret_name="app", stage_name="canary"))[1] == "CSMS.0005"
    assert error_of(move, "x", "v77")[1] == "CSMS.0005"
    assert error_of(move, "bad stage", "v1")[1] == "CSMS.0002"


def test_at_most_twelve_stages_per_version(csms):
    create(csms, "app")
    for i in range(11):
        csms.update_secret_stage(UpdateSecretStageRequest(
            secret_name="app", stage_name=f"s{i}",
            body=UpdateSecretStageRequestBody(version_id="v1")))
    assert len(show_version(csms, "app").version_metadata.version_stages) == 12
    assert error_of(csms.update_secret_stage, UpdateSecretStageRequest(
        secret_name="app", stage_name="one-more",
        body=UpdateSecretStageRequestBody(version_id="v1")))[:2] == (400, "CSMS.0203")
    assert error_of(add_version, csms, "app", "x", [f"t{i}" for i in range(13)])[1] == "CSMS.0203"


# ---------------------------------------------------------------------------------------
# Rotation


@pytest.mark.parametrize("secret_type", ["RDS-FG", "GaussDB-FG", "RDS"])
def test_rotation_of_database_secrets(csms, secret_type):
    value = {"username": "admin", "password": "old-password", "host": "10.0.0.8", "port": 3306}
    extra = {} if secret_type == "RDS" else {"rotation_config": RDS_CONFIG}
    before = create(csms, "db", json.dumps(value), secret_type=secret_type, **extra)
    assert before.rotation_time is None
    r = csms.rotate_secret(RotateSecretRequest(secret_name="db"))
    assert (r.version_id, r.secret_name) == ("v2", "db")
    assert r.rotation_task_id

    current = show_version(csms, "db")
    assert current.version_metadata.id == "v2"
    assert current.version_metadata.version_stages == ["SYSCURRENT"]
    new = json.loads(current.secret_string)
    assert {k: new[k] for k in ("username", "host", "port")} == {
        "username": "admin", "host": "10.0.0.8", "port": 3306}
    assert new["password"] != "old-password" and len(new["password"]) == 16
    assert stage_holder(csms, "db", "SYSPREVIOUS") == "v1"
    assert json.loads(show_version(csms, "db", "v1").secret_string) == value

    after = csms.show_secret(ShowSecretRequest(secret_name="db")).secret
    assert after.rotation_time >= before.create_time

    tasks = csms.list_secret_task(ListSecretTaskRequest(secret_name="db"))
    assert tasks.total == 1
    task = tasks.tasks[0]
    assert task.task_id == r.rotation_task_id
    assert (task.secret_name, task.task_status, task.attempt_nums) == ("db", "SUCCESS", 1)
    assert task.task_time >= before.create_time
    by_id = csms.list_secret_task(ListSecretTaskRequest(task_id=r.rotation_task_id))
    assert [t.task_id for t in by_id.tasks] == [r.rotation_task_id]

    again = csms.rotate_secret(RotateSecretRequest(secret_name="db"))
    assert again.version_id == "v3" and again.rotation_task_id != r.rotation_task_id
    assert stage_holder(csms, "db", "SYSPREVIOUS") == "v2"


def test_rotation_refused_for_shared_secrets_without_a_function(csms):
    create(csms, "shared", "token")
    status, code, msg = error_of(csms.rotate_secret, RotateSecretRequest(secret_name="shared"))
    assert (status, code) == (400, "CSMS.0003")
    assert "COMMON" in msg and "rotation_func_urn" in msg
    versions = csms.list_secret_versions(ListSecretVersionsRequest(secret_name="shared"))
    assert [v.id for v in versions.version_metadatas] == ["v1"]
    assert csms.list_secret_task(ListSecretTaskRequest()).total == 0

    csms.update_secret(UpdateSecretRequest(
        secret_name="shared", body=UpdateSecretRequestBody(rotation_func_urn=FUNC_URN)))
    r = csms.rotate_secret(RotateSecretRequest(secret_name="shared"))
    assert r.version_id == "v2"
    assert show_version(csms, "shared").secret_string != "token"
    task = csms.list_secret_task(ListSecretTaskRequest(secret_name="shared")).tasks[0]
    assert task.rotation_func_urn == FUNC_URN and task.task_id == r.rotation_task_id
    assert error_of(csms.rotate_secret, RotateSecretRequest(secret_name="absent"))[1] == "CSMS.0106"


def test_multi_user_rotation_resets_the_other_account(csms):
    config = json.dumps({"InstanceId": "i-1", "SecretSubType": "MultiUser"})
    create(csms, "db", json.dumps({"username": "app", "password": "a"}),
           secret_type="RDS-FG", rotation_config=config)
    add_version(csms, "db", json.dumps({"username": "app_clone", "password": "b"}))
    csms.rotate_secret(RotateSecretRequest(secret_name="db"))
    current = json.loads(show_version(csms, "db").secret_string)
    assert current["username"] == "app" and current["password"] != "a"
    previous = json.loads(show_version(csms, "db", stage_holder(csms, "db", "SYSPREVIOUS")).secret_string)
    assert previous == {"username": "app_clone", "password": "b"}


def test_task_listing_filters_and_pages(csms):
    create(csms, "r1", '{"password":"x"}', secret_type="RDS-FG", rotation_config=RDS_CONFIG)
    create(csms, "r2", '{"password":"x"}', secret_type="RDS-FG", rotation_config=RDS_CONFIG)
    ids = [csms.rotate_secret(RotateSecretRequest(secret_name=n)).rotation_task_id
           for n in ("r1", "r2", "r1")]
    everything = csms.list_secret_task(ListSecretTaskRequest())
    assert everything.total == 3 and [t.task_id for t in everything.tasks] == ids
    assert csms.list_secret_task(ListSecretTaskRequest(secret_name="r1")).total == 2
    assert csms.list_secret_task(ListSecretTaskRequest(status="FAILED")).total == 0
    page = csms.list_secret_task(ListSecretTaskRequest(limit=2))
    assert [t.task_id for t in page.tasks] == ids[:2] and page.next_marker == ids[1]
    rest = csms.list_secret_task(ListSecretTaskRequest(limit=2, marker=page.next_marker))
    assert [t.task_id for t in rest.tasks] == ids[2:] and rest.next_marker is None
    assert error_of(csms.list_secret_task, ListSecretTaskRequest(
        task_id=ids[0], secret_name="r1"))[1] == "CSMS.0002"


def test_automatic_rotation_settings(csms):
    s = create(csms, "auto", '{"password":"x"}', secret_type="RDS-FG", rotation_config=RDS_CONFIG,
               auto_rotation=True, rotation_period="30d")
    assert s.auto_rotation is True and s.rotation_period == "30d"
    assert s.next_rotation_time - s.create_time == 30 * 86_400_000
    s = csms.update_secret(UpdateSecretRequest(
        secret_name="auto", body=UpdateSecretRequestBody(rotation_period="12h"))).secret
    assert s.rotation_period == "12h"
    s = csms.update_secret(UpdateSecretRequest(
        secret_name="auto", body=UpdateSecretRequestBody(auto_rotation=False))).secret
    assert s.auto_rotation is False and s.next_rotation_time is None
    assert error_of(csms.update_secret, UpdateSecretRequest(
        secret_name="auto", body=UpdateSecretRequestBody(rotation_period="1h")))[1] == "CSMS.0002"
    assert error_of(csms.create_secret, CreateSecretRequest(body=CreateSecretRequestBody(
        name="rds", secret_string="{}", secret_type="RDS-FG")))[1] == "CSMS.0002"


# ---------------------------------------------------------------------------------------
# Tags


def test_tags_by_secret_id(csms):
    db = create(csms, "db")
    cache = create(csms, "cache")

    def tag(secret_id, key, value):
        return csms.create_secret_tag(CreateSecretTagRequest(
            secret_id=secret_id, body=CreateSecretTagRequestBody(tag=TagItem(key=key, value=value))))

    def tags(secret_id):
        r = csms.list_secret_tags(ListSecretTagsRequest(secret_id=secret_id))
        return {t.key: t.value for t in r.tags}

    assert tag(db.id, "env", "prod").status_code == 204
    tag(db.id, "env", "dev")
    assert tags(db.id) == {"env": "dev"}
    # Tag operations take the id, not the name.
    assert error_of(tag, "db", "k", "v")[1] == "CSMS.0106"
    assert error_of(tag, db.id, "_sys_x", "v")[1] == "CSMS.0002"

    def batch(secret_id, action, items):
        return csms.batch_create_or_delete_tags(BatchCreateOrDeleteTagsRequest(
            secret_id=secret_id, body=BatchCreateOrDeleteTagsRequestBody(action=action, tags=items)))

    assert batch(db.id, "create", [TagItem(key="team", value="a"), TagItem(key="tier", value="1")]).status_code == 204
    batch(cache.id, "create", [TagItem(key="team", value="b")])
    batch(db.id, "delete", [TagItem(key="tier")])
    assert tags(db.id) == {"env": "dev", "team": "a"}
    assert error_of(batch, db.id, "merge", [TagItem(key="x", value="y")])[1] == "CSMS.0002"
    too_many = [TagItem(key=f"k{i}", value="v") for i in range(19)]
    assert error_of(batch, db.id, "create", too_many)[1] == "CSMS.0002"

    assert csms.delete_secret_tag(DeleteSecretTagRequest(secret_id=db.id, key="env")).status_code == 204
    assert error_of(csms.delete_secret_tag, DeleteSecretTagRequest(secret_id=db.id, key="env"))[1] == "CSMS.0005"

    project = csms.list_project_secrets_tags(ListProjectSecretsTagsRequest())
    assert [(t.key, sorted(t.values)) for t in project.tags] == [("team", ["a", "b"])]

    def find(**kwargs):
        return csms.list_resource_instances(ListResourceInstancesRequest(
            resource_instances="resource_instances", body=ListResourceInstancesRequestBody(**kwargs)))

    found = find(action="filter", limit="10", offset="0", tags=[Tag(key="team", values=["a"])])
    assert found.total_count == 1
    res = found.resources[0]
    assert (res.resource_id, res.resource_name, res.resource_detail.name) == (db.id, "db", "db")
    assert [(t.key, t.value) for t in res.tags] == [("team", "a")]
    assert find(action="count", tags=[Tag(key="team", values=[])]).total_count == 2
    named = find(action="filter", matches=[TagMatches(key="resource_name", value="cac")])
    assert [r.resource_name for r in named.resources] == ["cache"]
    assert error_of(find, action="explode")[1] == "CSMS.0002"


# ---------------------------------------------------------------------------------------
# Events and notification records


def event_body(name, types, state="ENABLED"):
    return CreateSecretEventRequestBody(
        name=name, event_types=types, state=state,
        notification=Notification(target_type="SMN", target_id="urn:smn:cn-north-4:p:topic",
                                  target_name="topic"))


def test_events_crud(csms):
    e = csms.create_secret_event(CreateSecretEventRequest(
        body=event_body("ev1", ["SECRET_ROTATED"]))).event
    assert (e.name, e.state, e.event_types) == ("ev1", "ENABLED", ["SECRET_ROTATED"])
    assert e.notification.target_name == "topic" and e.event_id
    assert error_of(csms.create_secret_event, CreateSecretEventRequest(
        body=event_body("ev1", ["SECRET_ROTATED"])))[1] == "CSMS.0201"
    assert error_of(csms.create_secret_event, CreateSecretEventRequest(
        body=event_body("ev2", ["SECRET_EXPLODED"])))[1] == "CSMS.0002"
    csms.create_secret_event(CreateSecretEventRequest(body=event_body("ev0", ["SECRET_DELETED"])))

    shown = csms.show_secret_event(ShowSecretEventRequest(event_name="ev1")).event
    assert shown.event_id == e.event_id
    updated = csms.update_secret_event(UpdateSecretEventRequest(
        event_name="ev1", body=UpdateSecretEventRequestBody(
            state="DISABLED", event_types=["SECRET_ROTATED", "SECRET_DELETED"]))).event
    assert updated.state == "DISABLED" and updated.event_types == ["SECRET_ROTATED", "SECRET_DELETED"]
    assert updated.update_time >= e.update_time

    page = csms.list_secret_events(ListSecretEventsRequest(limit="1"))
    assert [x.name for x in page.events] == ["ev0"] and page.page_info.next_marker == "ev0"
    page = csms.list_secret_events(ListSecretEventsRequest(limit="1", marker="ev0"))
    assert [x.name for x in page.events] == ["ev1"] and page.page_info.next_marker is None

    assert csms.delete_secret_event(DeleteSecretEventRequest(event_name="ev0")).status_code == 204
    assert error_of(csms.show_secret_event, ShowSecretEventRequest(event_name="ev0"))[1] == "CSMS.0005"


def test_subscribed_events_leave_notification_records(csms):
    csms.create_secret_event(CreateSecretEventRequest(body=event_body(
        "ev1", ["SECRET_VERSION_CREATED", "SECRET_ROTATED", "SECRET_DELETED"])))
    create(csms, "db", '{"password":"p"}', secret_type="RDS-FG", rotation_config=RDS_CONFIG,
           event_subscriptions=["ev1"])
    create(csms, "quiet")
    listed = csms.list_secrets(ListSecretsRequest(event_name="ev1"))
    assert [s.name for s in listed.secrets] == ["db"]
    assert listed.secrets[0].event_subscriptions == ["ev1"]

    add_version(csms, "db", '{"password":"q"}')
    add_version(csms, "quiet", "w")
    csms.rotate_secret(RotateSecretRequest(secret_name="db"))
    # An event a secret subscribes to cannot be deleted.
    assert error_of(csms.delete_secret_event, DeleteSecretEventRequest(event_name="ev1"))[1] == "CSMS.0003"
    csms.delete_secret(DeleteSecretRequest(secret_name="db"))

    records = csms.list_notification_records(ListNotificationRecordsRequest())
    assert [r.trigger_event_type for r in records.records] == [
        "SECRET_VERSION_CREATED", "SECRET_ROTATED", "SECRET_DELETED"]
    first = records.records[0]
    assert (first.event_name, first.secret_name, first.secret_type) == ("ev1", "db", "RDS-FG")
    assert first.notification_target_id == "urn:smn:cn-north-4:p:topic"
    assert first.notification_status == "SUCCESS" and first.create_time > 1_600_000_000_000
    assert '"q"' not in first.notification_content
    assert records.page_info.current_count == 3

    # A disabled event records nothing.
    csms.update_secret_event(UpdateSecretEventRequest(
        event_name="ev1", body=UpdateSecretEventRequestBody(state="DISABLED")))
    create(csms, "db2", event_subscriptions=["ev1"])
    add_version(csms, "db2", "again")
    assert len(csms.list_notification_records(ListNotificationRecordsRequest()).records) == 3
    assert error_of(create, csms, "db3", event_subscriptions=["missing"])[1] == "CSMS.0005"


# ---------------------------------------------------------------------------------------
# Passwords, account-level operations, what is not supported


def generate(csms, **kwargs):
    return csms.generate_random_password(GenerateRandomPasswordRequest(
        body=CreatePasswordRequestBody(**kwargs))).password


def test_generate_password_options(csms):
    assert len(generate(csms)) == 32
    digits = generate(csms, length=20, exclude_lowercase=True, exclude_uppercase=True,
                      exclude_punctuation=True)
    assert len(digits) == 20 and digits.isdigit()
    upper = generate(csms, length=40, exclude_characters="abcdefghijklmnopqrstuvwxyz0123456789",
                     exclude_punctuation=True)
    assert upper.isalpha() and upper.isupper()
    every = generate(csms, length=12, include_space=True, require_each_included_type=True,
                     password_policy_name="default")
    assert " " in every and any(c.isdigit() for c in every) and any(c.islower() for c in every)
    assert error_of(generate, csms, length=7)[1] == "CSMS.0002"
    assert error_of(generate, csms, exclude_lowercase=True, exclude_uppercase=True,
                    exclude_numbers=True, exclude_punctuation=True)[1] == "CSMS.0002"


def test_agencies_and_checker_config(csms):
    assert csms.show_agency(ShowAgencyRequest(secret_type="RDS-FG")).agency_granted == "false"
    agencies = csms.create_agency(CreateAgencyRequest(
        body=CreateAgencyRequestBody(secret_type="RDS-FG"))).agencies
    assert agencies[0].agency_name and agencies[0].agency_id
    assert csms.show_agency(ShowAgencyRequest(secret_type="RDS-FG")).agency_granted == "true"
    assert csms.show_agency(ShowAgencyRequest(secret_type="GaussDB-FG")).agency_granted == "false"
    assert error_of(csms.show_agency, ShowAgencyRequest(secret_type="COMMON"))[1] == "CSMS.0002"

    assert csms.show_secrets_config(ShowSecretsConfigRequest()).checking_secret_strength is False
    on = csms.update_secrets_config(UpdateSecretsConfigRequest(
        body=UpdateSecretsConfigRequestBody(checking_secret_strength=True)))
    assert on.checking_secret_strength is True
    assert csms.show_secrets_config(ShowSecretsConfigRequest()).checking_secret_strength is True


UNSUPPORTED = [
    ("show_secret_function_templates", ShowSecretFunctionTemplatesRequest(
        secret_type="RDS-FG", secret_sub_type="SingleUser", engine="mysql")),
    ("list_users", ListUsersRequest(offset=0, limit=10)),
    ("show_user_detail", ShowUserDetailRequest(user_id="u1")),
    ("update_user_password", UpdateUserPasswordRequest(
        body=ChangeUsersPassword(password="n", old_password="o"))),
    ("list_grants", ListGrantsRequest(resource_id="r")),
    ("create_grants", CreateGrantsRequest(body=GrantSecretReqBody(
        resource_id="r", type="SECRET", grantee_type="0", grantee_target_id="u"))),
    ("update_grant", UpdateGrantRequest(resource_id="r", body=GrantSecretReqBody(
        resource_id="r", type="SECRET", grantee_type="0", grantee_target_id="u"))),
    ("delete_grant", DeleteGrantRequest(resource_id="r", grantee_user="u")),
    ("check_secrets", CheckSecretsRequest(body=CheckSecretsRequestBody(type="t", data={}))),
]


@pytest.mark.parametrize("method,request_", UNSUPPORTED, ids=[m for m, _ in UNSUPPORTED])
def test_unsupported_operations_say_so(csms, method, request_):
    status, code, msg = error_of(getattr(csms, method), request_)
    assert (status, code) == (400, "CSMS.0003")
    assert "not supported" in msg


# ---------------------------------------------------------------------------------------
# Projects, endpoints, bad input


def test_projects_are_isolated(endpoint):
    mine, theirs = client(endpoint), client(endpoint, OTHER)
    create(mine, "db", "mine")
    create(theirs, "db", "theirs")
    assert show_version(mine, "db").secret_string == "mine"
    assert show_version(theirs, "db").secret_string == "theirs"
    create(mine, "only-mine")
    assert error_of(theirs.show_secret, ShowSecretRequest(secret_name="only-mine"))[1] == "CSMS.0106"
    assert [s.name for s in theirs.list_secrets(ListSecretsRequest()).secrets] == ["db"]


def test_missing_project_id_is_a_clear_error(endpoint):
    creds = BasicCredentials("HWTESTAK0000000000", "secret-key")
    c = CsmsClient.new_builder().with_credentials(creds).with_endpoints([endpoint]).build()
    status, code, msg = error_of(c.list_secrets, ListSecretsRequest())
    assert (status, code) == (400, "CSMS.0003")
    assert "project id" in msg and "BasicCredentials" in msg


def test_region_with_endpoint_works_too(endpoint):
    creds = BasicCredentials("HWTESTAK0000000000", "secret-key", PROJECT)
    c = CsmsClient.new_builder().with_credentials(creds).with_region(
        Region("local", endpoint)).build()
    create(c, "via-region")
    assert [s.name for s in client(endpoint).list_secrets(ListSecretsRequest()).secrets] == ["via-region"]


def test_bad_names(csms):
    for name in ["a b", "x" * 65, "dots.not.allowed", "é"]:
        status, code, msg = error_of(csms.create_secret, CreateSecretRequest(
            body=CreateSecretRequestBody(name=name, secret_string="v")))
        assert (status, code) == (400, "CSMS.0002"), name
    # The SDK escapes path parameters; the decoded name is still checked.
    status, code, msg = error_of(csms.show_secret_version, ShowSecretVersionRequest(
        secret_name="a b/c", version_id="v 1"))
    assert (status, code) == (400, "CSMS.0002") and "a b/c" in msg
    assert error_of(csms.create_secret, CreateSecretRequest(body=CreateSecretRequestBody(
        name="both", secret_string="v", secret_binary="AA==")))[1] == "CSMS.0002"
    assert error_of(csms.create_secret, CreateSecretRequest(body=CreateSecretRequestBody(
        name="neither")))[1] == "CSMS.0002"
    assert error_of(csms.create_secret, CreateSecretRequest(body=CreateSecretRequestBody(
        name="typed", secret_string="v", secret_type="IAM")))[1] == "CSMS.0002"
    assert error_of(csms.create_secret, CreateSecretRequest(body=CreateSecretRequestBody(
        name="big", secret_string="x" * (32 * 1024 + 1))))[1] == "CSMS.0002"
    assert csms.list_secrets(ListSecretsRequest()).secrets == []


def test_bad_bodies_and_routes_over_raw_http(endpoint):
    base = f"/v1/{PROJECT}/secrets"
    for body, code in [
        (b"{not json", "CSMS.0004"),
        (b"[1, 2]", "CSMS.0004"),
        (b"", "CSMS.0004"),
        (b'{"name": 5, "secret_string": "v"}', "CSMS.0002"),
    ]:
        status, headers, raw_body = raw(endpoint, "POST", base, body)
        assert status == 400, body
        assert json.loads(raw_body)["error_code"] == code, body
        assert headers.get("X-Request-Id"), "every response carries X-Request-Id"
    status, _, raw_body = raw(endpoint, "POST", base, b'{"name": "t", "secret_string": "v"}',
                              {"Content-Type": "text/plain"})
    assert (status, json.loads(raw_body)["error_code"]) == (400, "CSMS.0004")
    status, _, _ = raw(endpoint, "POST", base, b'{"name": "ct", "secret_string": "v"}',
                       {"Content-Type": "Application/JSON;Charset=UTF-8"})
    assert status == 200
    status, headers, raw_body = raw(endpoint, "GET", f"/v1/{PROJECT}/nothing-here")
    assert (status, json.loads(raw_body)["error_code"]) == (404, "APIGW.0101")
    assert headers.get("X-Request-Id")
    status, _, raw_body = raw(endpoint, "GET", "/v1/not-a-project/secrets")
    assert (status, json.loads(raw_body)["error_code"]) == (400, "CSMS.0002")
    status, _, raw_body = raw(endpoint, "GET", base, headers={"X-Project-Id": OTHER})
    assert (status, json.loads(raw_body)["error_code"]) == (400, "CSMS.0003")
    # Deletes answer 204 with no body.
    status, headers, raw_body = raw(endpoint, "DELETE", f"{base}/ct")
    assert (status, raw_body) == (204, b"") and headers.get("X-Request-Id")
