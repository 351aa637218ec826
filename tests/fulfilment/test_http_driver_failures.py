"""The HTTP activation driver against an endpoint that refuses: the item fails after the
configured attempts, each attempt having survived the configured transient failures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from cascade.settings import Settings
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


def _failed_activations(chain: Chain) -> list[dict[str, Any]]:
    """Every activation the order tried, once all ended: resources in alarm, services inactive.

    (The order may fail before its last activations end: an item fails with its first child.)
    """

    def ended() -> bool:
        resources = chain.get(f"{TMF702}/resource")
        services = chain.get(f"{TMF640}/service")
        return all(r["resourceStatus"] != "reserved" for r in resources) and all(
            s["state"] != "reserved" for s in services
        )

    chain.until(ended)
    resources = chain.get(f"{TMF702}/resource")
    services = chain.get(f"{TMF640}/service")
    assert all(r["resourceStatus"] == "alarm" for r in resources)
    assert all(s["state"] == "inactive" for s in services)
    return [*resources, *services]


@pytest.mark.parametrize("endpoint", ["fail500"], indirect=True)
def test_an_endpoint_answering_500_fails_the_item_after_the_attempts(
    chain: Chain, endpoint: ScriptedEndpoint
) -> None:
    order = chain.wait_for(chain.place(broadband())["id"])
    assert order["state"] == "failed"
    notes = " | ".join(n["text"] for n in order["note"])
    assert "answered 500: boom" in notes

    failed = _failed_activations(chain)
    assert failed
    # Each activation: ATTEMPTS attempts of 1 + RETRIES tries, all with the activation's own key
    # (a remote failure that may not have happened is never repeated under a new key).
    posts = Counter(r.idempotency_key for r in endpoint.posts())
    assert {r.authorization for r in endpoint.received} == {"Bearer csk_test"}
    assert posts == {r["id"]: ATTEMPTS * (1 + RETRIES) for r in failed}
    for resource in failed:
        texts = [n["text"] for n in resource["note"]]
        assert len(texts) == ATTEMPTS
        assert texts[-1].startswith(f"activation failed after {ATTEMPTS} attempt(s): POST ")
        assert texts[-1].endswith(f"answered 500: boom ({1 + RETRIES} tries)")
    for api in (TMF640, TMF702):
        assert {m["state"] for m in chain.get(f"{api}/monitor")} <= {"InError"}


@pytest.mark.parametrize("endpoint", ["inerror"], indirect=True)
def test_a_monitor_ending_in_error_fails_the_item_after_the_attempts(
    chain: Chain, endpoint: ScriptedEndpoint
) -> None:
    order = chain.wait_for(chain.place(broadband())["id"])
    assert order["state"] == "failed"
    failed = _failed_activations(chain)
    assert failed
    # One POST per attempt; the attempt after a refusal has a key of its own.
    keys = sorted(r.idempotency_key or "" for r in endpoint.posts())
    assert keys == sorted(k for r in failed for k in (str(r["id"]), f"{r['id']}/2"))
    # Each monitor was followed: InProgress first, then InError.
    gets = Counter(r.path for r in endpoint.received if r.method == "GET")
    assert set(gets.values()) == {2}
    assert len(gets) == len(keys)
    for resource in failed:
        last = resource["note"][-1]["text"]
        assert last.startswith(f"activation failed after {ATTEMPTS} attempt(s): GET ")
        assert last.endswith("monitor InError: the OLT refused it")
