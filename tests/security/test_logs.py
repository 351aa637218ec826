"""Request ids echoed in `X-Request-ID`, JSON log lines carrying them, secrets masked."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade
from cascade.security.logs import JsonFormatter, mask_secrets, request_id
from cascade.security.settings import SecuritySettings
from tests.conftest import PUBLIC_URL, _empty_tables
from tests.security.conftest import PO, Client, NewKey, secured_cascade


def test_every_response_echoes_a_request_id(client: Client) -> None:
    given = client.get(PO, headers={"X-Request-ID": "trace-42"})
    assert given.headers["X-Request-ID"] == "trace-42"
    made = client.get(PO).headers["X-Request-ID"]
    assert made and made != client.get(PO).headers["X-Request-ID"]
    assert client.get("/no/such/path").headers["X-Request-ID"]  # even outside every route
    odd = client.get(PO, headers={"X-Request-ID": "<script>" + "x" * 100})
    assert odd.headers["X-Request-ID"] != "<script>" + "x" * 100  # not echoed as given


def test_secrets_are_masked() -> None:
    line = (
        "connect postgresql+psycopg://cascade:s3cret@db:5432/cascade with Bearer eyJhbGciOi.x.y "
        "key csk_0a1b2c_SECRETPART-and_more and ?password=hunter2&x=1"
    )
    masked = mask_secrets(line)
    for secret in ("s3cret", "eyJhbGciOi", "SECRETPART", "hunter2"):
        assert secret not in masked
    assert "cascade:***@db" in masked and "csk_0a1b2c_***" in masked


def test_json_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("cascade.x", logging.ERROR, __file__, 1, "failed: %s", ("a",), None)
    token = request_id.set("abc123")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["requestId"] == "abc123"
    assert (line["level"], line["logger"], line["message"]) == ("ERROR", "cascade.x", "failed: a")


@pytest.fixture(scope="module")
def logged(database_url: str) -> Iterator[Cascade]:
    security = SecuritySettings(auth_mode="apikey", access_log=True, api_key_cache_s=0)
    cascade = secured_cascade(database_url, security)
    yield cascade
    cascade.close()


def test_access_logs_name_the_client_and_never_the_key(
    logged: Cascade, new_key: NewKey, caplog: pytest.LogCaptureFixture
) -> None:
    logged.database.write_sync(_empty_tables)
    headers = new_key("productOrdering")  # the key is in the shared database
    caplog.set_level(logging.INFO, logger="cascade.access")
    with TestClient(logged.app, base_url=PUBLIC_URL) as client:
        response = client.get(PO, headers={**headers, "X-Request-ID": "req-7"})
        assert response.status_code == 200
    records = [r for r in caplog.records if r.name == "cascade.access"]
    assert len(records) == 1
    record = records[0]
    assert record.__dict__["status"] == 200
    assert record.__dict__["subject"].startswith("apikey:")
    line = JsonFormatter().format(record)
    assert headers["X-API-Key"] not in line
    assert headers["X-API-Key"].split("_", 2)[2] not in caplog.text


@pytest.fixture
def client(apikey_client: Client) -> Client:
    return apikey_client
