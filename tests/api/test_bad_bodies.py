"""Bodies that are not UTF-8 JSON: a 400 (or 415 for a declared non-UTF-8 charset) with a
TMF Error on every body-taking route of every API, and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from cascade.apis import ALL_APIS
from cascade.bootstrap import Cascade
from cascade.frontend.bodies import decode_json
from cascade.storage.tables import entity
from cascade.tmf.errors import TmfError

Client = TestClient[Any]
JSON = "application/json"
MERGE = "application/merge-patch+json"

# (method, path, content type) of every POST and PATCH every API serves, the hubs included.
ROUTES = [
    pytest.param(method, f"{api.base_path}/{resource.name}{suffix}", media, id=label)
    for api in ALL_APIS
    for resource in api.all_resources
    for operation, method, suffix, media in (
        ("create", "POST", "", JSON),
        ("patch", "PATCH", "/some-id", MERGE),
    )
    if operation in api.operations(resource)
    for label in [f"{method} {api.code}/{resource.name}"]
]
BAD_BODIES = {
    "not-utf8": (b'{"description": "caf\xe9"}', "invalidEncoding"),
    "utf8-bom": (b'\xef\xbb\xbf{"description": "x"}', "invalidEncoding"),
    "utf16": ('{"description": "x"}'.encode("utf-16"), "invalidEncoding"),
    "utf16-no-bom": ('{"description": "x"}'.encode("utf-16-le"), "invalidEncoding"),
    "invalid-in-a-name": (b'{"descr\xff": "x"}', "invalidEncoding"),
    "empty": (b"", "invalidBody"),
    "blank": (b" \r\n ", "invalidBody"),
    "truncated": (b'{"description": ', "malformedJson"),
}


def _stored(cascade: Cascade) -> int:
    count: int = cascade.database.read_sync(
        lambda c: c.execute(select(func.count()).select_from(entity)).scalar_one()
    )
    return count


def _assert_error(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == str(status) and body["reason"] and body["message"]
    if code is not None:
        assert body["code"] == code, body


@pytest.mark.parametrize(("method", "path", "media"), ROUTES)
@pytest.mark.parametrize("bad", list(BAD_BODIES), ids=str)
def test_a_body_that_is_not_utf8_json_is_a_400_and_stores_nothing(
    method: str, path: str, media: str, bad: str, client: Client, cascade: Cascade
) -> None:
    raw, code = BAD_BODIES[bad]
    response = client.request(method, path, content=raw, headers={"content-type": media})
    _assert_error(response, 400, code)
    assert _stored(cascade) == 0


@pytest.mark.parametrize(("method", "path", "media"), ROUTES)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "{media}; charset=latin-1", "{media}; charset=utf-16"],
)
def test_another_media_type_or_charset_is_a_415_and_stores_nothing(
    method: str, path: str, media: str, content_type: str, client: Client, cascade: Cascade
) -> None:
    headers = {"content-type": content_type.format(media=media)}
    response = client.request(method, path, content=b'{"description": "x"}', headers=headers)
    _assert_error(response, 415, "unsupportedMediaType")
    assert _stored(cascade) == 0


def test_utf8_with_a_declared_utf8_charset_is_read(client: Client) -> None:
    path = f"{ALL_APIS[0].base_path}/hub"
    body = '{"callback": "https://listener.example/caf\u00e9"}'.encode()
    for charset in ("utf-8", "UTF-8", '"utf-8"', "utf8"):
        headers = {"content-type": f"application/json; charset={charset}"}
        assert client.post(path, content=body, headers=headers).status_code == 201


@pytest.mark.parametrize("bad", list(BAD_BODIES), ids=str)
def test_the_decoder_says_what_is_wrong(bad: str) -> None:
    raw, code = BAD_BODIES[bad]
    with pytest.raises(TmfError) as raised:
        decode_json(raw)
    assert (raised.value.status, raised.value.code) == (400, code)
    if code == "invalidEncoding":
        assert "UTF-8" in raised.value.message
