"""Who may ask a process how it is: health checks need no credentials; `/metrics` neither
by default (Prometheus scrapes without a user token), or an administrator's with
CASCADE_METRICS_PUBLIC=false (docs/operations.md, ADR 0024)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from cascade.security.settings import SecuritySettings, security_from_environment
from tests.conftest import PUBLIC_URL
from tests.security.conftest import Client, NewKey, assert_error, secured_cascade

PUBLIC = ("/health/live", "/health/ready", "/metrics")


def test_health_and_metrics_need_no_credentials(apikey_client: Client) -> None:
    for path in PUBLIC:
        assert apikey_client.get(path).status_code == 200, path
    assert_error(apikey_client.get("/tmf-api/productOrderingManagement/v4/productOrder"), 401)


@pytest.fixture
def private_metrics(database_url: str) -> Iterator[Client]:
    security = SecuritySettings(auth_mode="apikey", api_key_cache_s=0, metrics_public=False)
    cascade = secured_cascade(database_url, security)
    try:
        with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
            yield client
    finally:
        cascade.close()


def test_private_metrics_need_an_administrator(
    private_metrics: Client, apikey_client: Client, new_key: NewKey
) -> None:
    assert_error(private_metrics.get("/metrics"), 401)
    reader = new_key("productOrdering:read")
    assert_error(private_metrics.get("/metrics", headers=reader), 403)
    admin = new_key("admin")
    assert private_metrics.get("/metrics", headers=admin).status_code == 200
    assert private_metrics.get("/health/ready").status_code == 200  # probes stay open


def test_the_variable_makes_metrics_private() -> None:
    assert security_from_environment(environ={}).metrics_public is True
    environ = {"CASCADE_METRICS_PUBLIC": "false"}
    assert security_from_environment(environ=environ).metrics_public is False
