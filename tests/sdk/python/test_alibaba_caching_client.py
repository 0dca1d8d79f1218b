"""Alibaba's secrets-manager caching client (`alibabacloud-secretsmanager-client-v2`) pointed at
the server the way the README shows: an explicit Tea `Config` with `protocol="http"` (set
through environment variables it always speaks https)."""

from alibabacloud_kms20160120 import models as kms
from alibabacloud_kms20160120.client import Client
from alibabacloud_secretsmanager_client_v2.secret_manager_cache_client_builder import (
    SecretManagerCacheClientBuilder,
)
from alibabacloud_secretsmanager_client_v2.service.default_secret_manager_client_builder import (
    DefaultSecretManagerClientBuilder,
)
from alibabacloud_tea_openapi import models as oa


def config(endpoint):
    return oa.Config(
        access_key_id="LTAI5tLocalTestKey",
        access_key_secret="local-test-secret",
        region_id="cn-hangzhou",
        endpoint=endpoint.split("://", 1)[1],
        protocol="http",
    )


def test_cache_client_reads_a_secret_and_sees_a_refresh(endpoint):
    kms_client = Client(config(endpoint))
    kms_client.create_secret(
        kms.CreateSecretRequest(secret_name="app/db", version_id="v1", secret_data='{"pw":"one"}')
    )

    inner = DefaultSecretManagerClientBuilder.standard().add_config(config(endpoint)).build()
    cache = SecretManagerCacheClientBuilder.new_cache_client_builder(inner).build()
    try:
        info = cache.get_secret_info("app/db")
        assert (info.secret_name, info.version_id, info.secret_value) == (
            "app/db",
            "v1",
            '{"pw":"one"}',
        )
        assert info.secret_type == "Generic"

        kms_client.put_secret_value(
            kms.PutSecretValueRequest(secret_name="app/db", version_id="v2", secret_data="two")
        )
        # Cached until refreshed; a refresh reads the new ACSCurrent version.
        assert cache.get_secret_value("app/db") == '{"pw":"one"}'
        assert cache.refresh_now("app/db")
        assert cache.get_secret_value("app/db") == "two"
    finally:
        cache.close()
