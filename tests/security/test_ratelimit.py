"""Rate limiting per client: 429 with Retry-After once a client's burst is spent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade
from cascade.security.apikeys import create_key
from cascade.security.ratelimit import RateLimiter, retry_after
from cascade.security.settings import DEFAULT_RATE_PER_CLIENT, SecuritySettings
from tests.conftest import PUBLIC_URL, _empty_tables
from tests.security.conftest import PO, Client, assert_error, secured_cascade


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_refills_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.wait_for("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.wait_for("a") == pytest.approx(0.5)
    assert limiter.wait_for("b") == 0.0  # clients are counted apart
    clock.now += 0.5
    assert limiter.wait_for("a") == 0.0
    assert limiter.wait_for("a") > 0
    assert retry_after(0.2) == "1" and retry_after(2.5) == "3"


def test_off_by_default_on_loopback_only() -> None:
    default = SecuritySettings()
    assert default.rate_for("127.0.0.1") == 0 and default.rate_for("::1") == 0
    assert default.rate_for("0.0.0.0") == DEFAULT_RATE_PER_CLIENT
    assert SecuritySettings(rate_limit=5).rate_for("127.0.0.1") == 5
    assert SecuritySettings(rate_limit=0).rate_for("10.0.0.1") == 0


@pytest.fixture(scope="module")
def limited(database_url: str) -> Iterator[Cascade]:
    security = SecuritySettings(auth_mode="apikey", rate_limit=0.001, rate_burst=2)
    cascade = secured_cascade(database_url, security)
    yield cascade
    cascade.close()


@pytest.fixture
def client(limited: Cascade) -> Iterator[Client]:
    limited.database.write_sync(_empty_tables)
    with TestClient(limited.app, base_url=PUBLIC_URL) as client:
        yield client


def test_over_the_limit_is_429_with_retry_after(client: Client, limited: Cascade) -> None:
    def admin_key(name: str) -> str:
        return limited.database.write_sync(lambda c: create_key(c, name, frozenset({"admin"})))[1]

    keys = [admin_key("one"), admin_key("two")]
    first, second = ({"X-API-Key": key} for key in keys)
    assert client.get(PO, headers=first).status_code == 200
    assert client.get(PO, headers=first).status_code == 200
    response = client.get(PO, headers=first)
    body = assert_error(response, 429)
    assert body["code"] == "tooManyRequests"
    assert int(response.headers["Retry-After"]) >= 1
    assert client.get(PO, headers=second).status_code == 200  # another client is not slowed
