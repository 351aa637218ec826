"""One running change per service and per resource, one order after another (the race is in
test_service_resource_claims.py): a second order changing what a running order changes is
`rejected` naming it, a refused order keeps no claim, an order gives its claims back as it
ends (ADR 0029), and COM's own service orders -- a cease after a modify of one product -- still
run.

The first order cannot end by itself while the second is placed: its network request is made
to take ten minutes; the test then makes the network answer at once and wakes the order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from cascade.apis import kinds
from cascade.domain.decomposition import CFS
from cascade.fulfilment.activation.simulated import SimulatedBehaviour, SimulatedNetwork
from cascade.storage import work
from cascade.storage.tables import claim, simulated_network
from tests.fulfilment.conftest import RO, SO, Chain, broadband
from tests.fulfilment.test_lifecycle import change, fulfilled, product_of, service_tree
from tests.fulfilment.test_resource_order_items import item
from tests.fulfilment.test_service_resource_claims import msisdn_cease, qos_modify

TEN_MINUTES = SimulatedBehaviour(latency_ms=600_000)


def slow_network(chain: Chain, *specifications: str) -> None:
    network = chain.cascade.chain.driver
    assert isinstance(network, SimulatedNetwork)
    network.by_specification = {spec: TEN_MINUTES for spec in specifications}


def answer_now(chain: Chain, kind: str, order_id: str) -> None:
    """The network applies every request now, and the order is woken to see it."""

    def answered(connection: Connection) -> None:
        connection.execute(update(simulated_network).values(ready_ms=0))
        work.schedule(connection, kind, order_id)

    chain.cascade.database.write_sync(answered)


def claims_of(chain: Chain, scope: str) -> dict[str, str]:
    """The claims of one scope: holder by subject."""
    query = select(claim.c.subject, claim.c.holder).where(claim.c.scope == scope)
    rows = chain.cascade.database.read_sync(lambda c: c.execute(query).all())
    return {row.subject: row.holder for row in rows}


def post(chain: Chain, path: str, body: dict[str, Any]) -> str:
    response = chain.client.post(path, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def running(chain: Chain, path: str, order_id: str) -> None:
    chain.until(lambda: chain.get(f"{path}/{order_id}")["state"] == "inProgress")


def test_a_service_change_waits_for_the_running_one_then_takes_its_claim(chain: Chain) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    services = service_tree(chain, product_id)
    qos_id = services["rfs-qos-profile"]["id"]
    cfs = next(service for service in services.values() if service["category"] == CFS)
    slow_network(chain, "rfs-qos-profile")
    first = post(chain, SO, qos_modify(qos_id, 100))
    running(chain, SO, first)

    # Another change of the QoS service, beside one of the CFS: refused, and holds nothing.
    body = qos_modify(qos_id, 200)
    cfs_service = {key: cfs[key] for key in ("id", "serviceSpecification")}
    body["serviceOrderItem"].append({"id": "2", "action": "modify", "service": cfs_service})
    refused = chain.wait_for(post(chain, SO, body), SO)
    assert refused["state"] == "rejected"
    assert [error["reason"] for error in refused["errorMessage"]] == [
        f"item 1: service '{qos_id}' is being changed by service order {first}; "
        "place this change once that order has ended"
    ]
    assert claims_of(chain, "serviceChange") == {qos_id: first}

    answer_now(chain, kinds.SERVICE_ORDER.name, first)
    assert chain.wait_for(first, SO)["state"] == "completed"
    slow_network(chain)
    after = chain.wait_for(post(chain, SO, qos_modify(qos_id, 300)), SO)
    assert after["state"] == "completed", after.get("errorMessage")
    assert claims_of(chain, "serviceChange") == {}  # gone with the order's end


def test_a_resource_cease_while_another_runs_is_refused(chain: Chain) -> None:
    origin = chain.wait_for(post(chain, RO, {"orderItem": [item("1", "rs-msisdn")]}), RO)
    assert origin["state"] == "completed", origin.get("note")
    slow_network(chain, "rs-msisdn")
    first = post(chain, RO, msisdn_cease(origin, "slow-a"))
    running(chain, RO, first)
    refused = chain.wait_for(post(chain, RO, msisdn_cease(origin, "slow-b")), RO)
    assert refused["state"] == "rejected"
    resource_id = origin["orderItem"][0]["resource"]["id"]
    assert (
        f"resource '{resource_id}' is being changed by resource order {first}"
        in (refused["note"][0]["text"])
    )
    assert claims_of(chain, "resourceChange") == {resource_id: first}


def test_com_ceases_a_product_it_modified_before(chain: Chain) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    services = {service["id"] for service in service_tree(chain, product_id).values()}
    modified = fulfilled(chain, change("1", "modify", product_id, downloadSpeed=1000))
    (modify,) = chain.get(SO, **{"externalReference.id": modified["id"]})
    assert modify["state"] == "completed"
    assert change_claims(chain) == {}  # each order gave its claims back as it completed

    ceased = fulfilled(chain, change("1", "delete", product_id))
    (cease,) = chain.get(SO, **{"externalReference.id": ceased["id"]})
    assert cease["state"] == "completed"
    ceased_services = {item["service"]["id"] for item in cease["serviceOrderItem"]}
    assert ceased_services == services  # each claimed as the cease was accepted
    assert change_claims(chain) == {}


def change_claims(chain: Chain) -> dict[str, dict[str, str]]:
    """The change claims of every layer that are held, by scope."""
    scopes = ("productChange", "serviceChange", "resourceChange")
    return {scope: held for scope in scopes if (held := claims_of(chain, scope))}
