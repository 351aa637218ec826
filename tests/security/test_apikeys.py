"""Mode `apikey`: keys as hashes, shown once; 401 with an Error body and WWW-Authenticate."""

from __future__ import annotations

from sqlalchemy import select

from cascade.bootstrap import Cascade
from cascade.security.apikeys import list_keys, revoke_key, split_key
from cascade.storage.tables import api_key
from tests.security.conftest import PO, Client, NewKey, assert_error, order_body


def test_no_key_is_401_with_a_challenge(apikey_client: Client) -> None:
    response = apikey_client.get(PO)
    body = assert_error(response, 401)
    assert body["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("ApiKey")
    assert response.headers["X-Request-ID"]


def test_a_valid_key_is_accepted_in_either_header(apikey_client: Client, new_key: NewKey) -> None:
    headers = new_key("productOrdering")
    assert apikey_client.get(PO, headers=headers).status_code == 200
    bearer = {"Authorization": f"Bearer {headers['X-API-Key']}"}
    assert apikey_client.get(PO, headers=bearer).status_code == 200


def test_unknown_tampered_and_revoked_keys_are_401(
    apikey_client: Client, apikey_cascade: Cascade, new_key: NewKey
) -> None:
    key = new_key("productOrdering")["X-API-Key"]
    assert_error(apikey_client.get(PO, headers={"X-API-Key": "csk_nope_nope"}), 401)
    assert_error(apikey_client.get(PO, headers={"X-API-Key": "not a key"}), 401)
    assert_error(apikey_client.get(PO, headers={"X-API-Key": key[:-1] + "x"}), 401)
    split = split_key(key)
    assert split is not None
    assert apikey_cascade.database.write_sync(lambda c: revoke_key(c, split[0]))
    assert_error(apikey_client.get(PO, headers={"X-API-Key": key}), 401)


def test_only_a_hash_of_the_key_is_stored(apikey_cascade: Cascade, new_key: NewKey) -> None:
    key = new_key("admin", name="ops")["X-API-Key"]
    split = split_key(key)
    assert split is not None
    rows = apikey_cascade.database.read_sync(lambda c: list(c.execute(select(api_key))))
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert split[1] not in stored and key not in stored
    listed = apikey_cascade.database.read_sync(list_keys)
    assert [(k.id, k.name) for k in listed] == [(split[0], "ops")]


def test_docs_descriptions_and_health_need_no_key(apikey_client: Client) -> None:
    for path in ("/health", "/docs", "/docs/tmf622", f"{PO.rsplit('/', 1)[0]}/openapi.json"):
        assert apikey_client.get(path).status_code == 200, path


def test_a_key_works_for_writes_too(apikey_client: Client, new_key: NewKey) -> None:
    headers = new_key("productOrdering:write productOrdering:read")
    created = apikey_client.post(PO, json=order_body(), headers=headers)
    assert created.status_code == 201, created.text
    assert apikey_client.get(created.headers["Location"], headers=headers).status_code == 200
