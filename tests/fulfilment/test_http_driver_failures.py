"""The HTTP activation driver against an endpoint that refuses: the item fails after the
configured attempts, each attempt having survived the configured transient failures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from cascade.settings import Settings
from cascade.storage.tables import remote_activation
from tests.fulfilment.conftest import FAST, Chain, broadband
from tests.fulfilment.scripted_endpoint import ScriptedEndpoint, scripted_endpoint

TMF640 = "/tmf-api/ServiceActivationAndConfiguration/v4"
TMF702 = "/tmf-api/ResourceActivationAndConfiguration/v4"
ATTEMPTS = 2
RETRIES = 1


@pytest.fixture
def endpoint(request: pytest.FixtureRequest) -> Iterator[ScriptedEndpoint]:
    with scripted_endpoint(request.param) as scripted:
        yield scripted


@pytest.fixture
def chain_settings(endpoint: ScriptedEndpoint) -> Settings:
    return replace(
        FAST,
        activation_driver="http",
        activation_service_url=endpoint.base_url,
        activation_resource_url=endpoint.base_url,
        activation_attempts=ATTEMPTS,
        activation_http_retries=RETRIES,
        activation_follow_ms=20,
        activation_http_timeout_s=5.0,
        activation_http_authorization="Bearer csk_test",
    )


def _settled(chain: Chain) -> tuple[list[Any], list[dict[str, Any]]]:
    """The HTTP driver's rows once the sender is done with them all, and the activations that
    ended (resources in alarm, services inactive).

    An order can fail before all its activations end, and the resource order controller then
    leaves an activation whose item failed for another reason where it was (a VLAN whose OLT
    came from a port that failed): such activations have fewer attempts and stay reserved.
    """

    def quiet() -> bool:
        rows = _rows(chain)
        return bool(rows) and all(r.phase not in ("post", "follow") for r in rows)

    chain.until(quiet)
    resources = chain.get(f"{TMF702}/resource")
    services = chain.get(f"{TMF640}/service")
    ended = [r for r in resources if r["resourceStatus"] == "alarm"]
    ended += [s for s in services if s["state"] == "inactive"]
    assert ended
    assert all(r["resourceStatus"] in ("alarm", "reserved") for r in resources)
    assert all(s["state"] in ("inactive", "reserved") for s in services)
    return _rows(chain), ended


def _rows(chain: Chain) -> list[Any]:
    return chain.cascade.database.read_sync(
        lambda c: list(c.execute(select(remote_activation)).all())
    )


@pytest.mark.parametrize("endpoint", ["fail500"], indirect=True)
def test_an_endpoint_answering_500_fails_the_item_after_the_attempts(
    chain: Chain, endpoint: ScriptedEndpoint
) -> None:
    order = chain.wait_for(chain.place(broadband())["id"])
    assert order["state"] == "failed"
    notes = " | ".join(n["text"] for n in order["note"])
    assert "answered 500: boom" in notes

    rows, ended = _settled(chain)
    # Each attempt: 1 + RETRIES tries, all with the activation's own key (a remote failure that
    # may not have happened is never repeated under a new key).
    posts = Counter(r.idempotency_key for r in endpoint.posts())
    assert posts == {row.activation: row.attempt * (1 + RETRIES) for row in rows}
    assert {r.authorization for r in endpoint.received} == {"Bearer csk_test"}
    attempts = {row.activation: row.attempt for row in rows}
    for activation in ended:
        assert attempts[activation["id"]] == ATTEMPTS
        texts = [n["text"] for n in activation["note"]]
        assert len(texts) == ATTEMPTS
        assert texts[-1].startswith(f"activation failed after {ATTEMPTS} attempt(s): POST ")
        assert texts[-1].endswith(f"answered 500: boom ({1 + RETRIES} tries)")
    for api in (TMF640, TMF702):
        monitors = chain.get(f"{api}/monitor")
        assert {m["state"] for m in monitors} <= {"InError", "InProgress"}
    in_error = [m for api in (TMF640, TMF702) for m in chain.get(f"{api}/monitor")]
    assert sum(m["state"] == "InError" for m in in_error) == len(ended)


@pytest.mark.parametrize("endpoint", ["inerror"], indirect=True)
def test_a_monitor_ending_in_error_fails_the_item_after_the_attempts(
    chain: Chain, endpoint: ScriptedEndpoint
) -> None:
    order = chain.wait_for(chain.place(broadband())["id"])
    assert order["state"] == "failed"
    rows, ended = _settled(chain)
    # One POST per attempt; an attempt after a refusal has a key of its own.
    keys = sorted(r.idempotency_key or "" for r in endpoint.posts())
    expected = [
        row.activation if attempt == 1 else f"{row.activation}/{attempt}"
        for row in rows
        for attempt in range(1, row.attempt + 1)
    ]
    assert keys == sorted(expected)
    # Each monitor was followed: InProgress first, then InError.
    gets = Counter(r.path for r in endpoint.received if r.method == "GET")
    assert set(gets.values()) == {2}
    assert len(gets) == len(keys)
    for activation in ended:
        last = activation["note"][-1]["text"]
        assert last.startswith(f"activation failed after {ATTEMPTS} attempt(s): GET ")
        assert last.endswith("monitor InError: the OLT refused it")
