"""Which callback hosts a subscription may name (hub_allowed_hosts), checked at creation and
again before every delivery."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from cascade.bootstrap import Cascade, build
from cascade.storage.tables import event_delivery
from tests.conftest import PUBLIC_URL, _empty_tables
from tests.events.conftest import (
    CREATES,
    EVENTS_FAST,
    PO_HUB,
    Listener,
    new_offering,
    subscribe,
    until,
)

REFUSED = "callbackNotAllowed"


@contextmanager
def hub_client(
    database_url: str, *, controllers: bool = False, empty: bool = True, **settings: Any
) -> Iterator[tuple[Cascade, TestClient[Any]]]:
    cascade = build(
        replace(EVENTS_FAST, database_url=database_url, controllers=controllers, **settings)
    )
    if empty:
        cascade.database.write_sync(_empty_tables)
    try:
        with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
            yield cascade, client
    finally:
        cascade.close()


def status_of(client: TestClient[Any], callback: str) -> tuple[int, str | None]:
    response = client.post(PO_HUB, json={"callback": callback})
    code = response.json().get("code") if response.status_code >= 400 else None
    if response.status_code == 400:
        body = response.json()
        assert body["status"] == "400" and body["message"], body
    return response.status_code, code


def test_an_allow_list_refuses_every_other_host(database_url: str, listener: Listener) -> None:
    with hub_client(database_url, hub_allowed_hosts="listener.example.test,10.0.0.0/8") as (
        _,
        client,
    ):
        assert status_of(client, listener.url()) == (400, REFUSED)
        assert status_of(client, "http://localhost:9/x") == (400, REFUSED)
        assert status_of(client, "http://11.0.0.1/x") == (400, REFUSED)
        assert status_of(client, "http://listener.example.test/x") == (201, None)
        assert status_of(client, "http://10.1.2.3/x") == (201, None)
        listed = client.get(PO_HUB).json()
        assert sorted(s["callback"] for s in listed) == [
            "http://10.1.2.3/x",
            "http://listener.example.test/x",
        ]


DEFAULT_REFUSED = [
    "http://10.1.2.3/x",
    "http://169.254.169.254/latest/meta-data",
    "http://192.168.1.1/x",
    "http://172.16.0.1/x",
    "http://[fc00::1]/x",
    "http://0.0.0.0/x",
]


@pytest.mark.parametrize("callback", DEFAULT_REFUSED)
def test_the_default_policy_refuses_private_and_link_local_addresses(
    database_url: str, callback: str
) -> None:
    with hub_client(database_url) as (_, client):
        assert status_of(client, callback) == (400, REFUSED)
        assert client.get(PO_HUB).json() == []


def test_the_default_policy_allows_loopback_only_on_a_loopback_server(
    database_url: str, listener: Listener
) -> None:
    with hub_client(database_url) as (_, client):  # host 127.0.0.1
        assert status_of(client, listener.url()) == (201, None)
        assert status_of(client, "http://[::1]:9/x") == (201, None)
        assert status_of(client, "http://8.8.8.8/x") == (201, None)  # public
    with hub_client(database_url, host="0.0.0.0") as (_, client):
        assert status_of(client, listener.url()) == (400, REFUSED)
        assert status_of(client, "http://8.8.8.8/x") == (201, None)


def test_a_star_allows_any_host(database_url: str) -> None:
    with hub_client(database_url, hub_allowed_hosts="*") as (_, client):
        for callback in ("http://10.1.2.3/x", "http://169.254.169.254/x", "http://127.0.0.1/x"):
            assert status_of(client, callback) == (201, None), callback


def test_a_callback_no_longer_allowed_is_not_called(database_url: str, listener: Listener) -> None:
    """Checked before each delivery: a subscription made under a wider policy gets nothing."""
    with hub_client(database_url, hub_allowed_hosts="*") as (_, client):
        subscribe(client, "tmf620", listener.url(), query=CREATES)
    with hub_client(database_url, controllers=True, empty=False, host="0.0.0.0") as (
        cascade,
        client,
    ):
        new_offering(client, "not for loopback")

        def errors() -> list[tuple[int, str | None]]:
            query = select(event_delivery.c.attempts, event_delivery.c.last_error)
            return cascade.database.read_sync(
                lambda c: [(int(a), e) for a, e in c.execute(query).all()]
            )

        until(lambda: any(a >= 2 for a, _ in errors()), what="refused delivery attempts")
        assert listener.attempts == 0, "the hub called a callback its policy refuses"
        assert all("not allowed" in (e or "") for _, e in errors()), errors()


def test_a_redirect_does_not_lead_the_hub_to_a_refused_host(
    database_url: str, listener: Listener
) -> None:
    """An allowed listener answering 307 towards a host the policy refuses must not get the
    event there: following redirects would let any subscriber reach internal addresses."""
    inside = Listener("127.0.0.2")  # a loopback address outside the allow list
    try:
        listener.status = 307
        listener.location = inside.url("/stolen")
        with hub_client(database_url, controllers=True, hub_allowed_hosts="127.0.0.1") as (
            _,
            client,
        ):
            subscribe(client, "tmf620", listener.url(), query=CREATES)
            new_offering(client, "redirected")
            until(
                lambda: listener.attempts >= 2 or inside.attempts > 0,
                what="a retry after the 307, or a POST on the refused host",
            )
        assert inside.attempts == 0, (
            "BUG: the sender followed a 307 redirect from an allowed callback to 127.0.0.2, "
            "a host hub_allowed_hosts refuses (aiohttp follows redirects by default)"
        )
    finally:
        inside.down()
