"""Product orders through real processes, and what must hold once they are fulfilled.

`check_fulfilled` reads the outcome through the TMF APIs, the tree endpoint and the database
tables the APIs do not show (work queue, allocations, simulated network), and asserts that
every order ended exactly as an undisturbed run ends it: same tree for each offering, one
child per parent item, one activation per item, one inventory record per completed item,
no value allocated twice, and nothing left in the work queue.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select

from cascade.storage.tables import allocation, simulated_network, work_item
from tests.waiting import PATIENCE_S

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
SO = "/tmf-api/serviceOrdering/v4/serviceOrder"
RO = "/tmf-api/resourceOrderingManagement/v4/resourceOrder"
PRODUCT = "/tmf-api/productInventory/v4/product"
SERVICE = "/tmf-api/serviceInventory/v4/service"
RESOURCE = "/tmf-api/resourceInventoryManagement/v4/resource"
TMF640 = "/tmf-api/ServiceActivationAndConfiguration/v4"
TMF702 = "/tmf-api/ResourceActivationAndConfiguration/v4"
TERMINAL = {"completed", "failed", "partial", "rejected", "cancelled"}

# What each offering becomes when nothing disturbs fulfilment (read off an undisturbed run):
# per service order item, (service name, category, activated through TMF640, resources).
Shape = list[tuple[str, str, bool, tuple[str, ...]]]
SHAPES: dict[str, Shape] = {
    "po-fibre-broadband": [
        ("GPON Access", "RFS", True, ("GPON Port", "VLAN", "IPv4 Address")),
        ("Internet Access", "CFS", False, ()),
        ("QoS Profile", "RFS", True, ()),
    ],
    "po-iptv": [
        ("IPTV", "CFS", False, ()),
        ("Multicast Video", "RFS", True, ("Multicast VLAN",)),
    ],
    "po-mobile-line": [
        ("Mobile Subscription", "RFS", True, ("MSISDN", "SIM Card")),
        ("Mobile Voice and Data", "CFS", False, ()),
    ],
}
# Simulated activation latency: every order needs at least two of these one after the other
# (a resource, then the service it supports), so it takes over 500 ms to fulfil.
LATENCY_MS = 250
SLOW_NETWORK = json.dumps(
    {
        spec: {"latency_ms": LATENCY_MS}
        for spec in (
            "rs-vlan",
            "rfs-gpon-access",
            "rfs-qos-profile",
            "rs-sim-card",
            "rfs-mobile-subscription",
            "rfs-multicast-video",
        )
    }
)
# What a server killed and restarted during fulfilment runs with: short leases (a killed
# process's work is taken over soon), quick polling, and the slow network above.
CRASH_ENVIRONMENT = {
    "CASCADE_LEASE_MS": "1500",
    "CASCADE_POLL_INTERVAL_S": "0.1",
    "CASCADE_SIMULATOR_SPECIFICATIONS": SLOW_NETWORK,
}


def broadband(item_id: str = "1", speed: int = 500) -> dict[str, Any]:
    return {
        "id": item_id,
        "action": "add",
        "productOffering": {"id": "po-fibre-broadband"},
        "product": {"productCharacteristic": [{"name": "downloadSpeed", "value": speed}]},
    }


def mobile_line(item_id: str = "1") -> dict[str, Any]:
    return {"id": item_id, "action": "add", "productOffering": {"id": "po-mobile-line"}}


def iptv(item_id: str, relies_on: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "action": "add",
        "productOffering": {"id": "po-iptv"},
        "product": {"productCharacteristic": [{"name": "channelPackage", "value": "Premium"}]},
        "productOrderItemRelationship": [{"id": relies_on, "relationshipType": "reliesOn"}],
    }


def order_mix(count: int) -> list[dict[str, Any]]:
    """`count` order bodies: broadband, mobile line, and broadband with IPTV relying on it."""
    kinds = [
        [broadband("1", speed=1000)],
        [mobile_line("1")],
        [broadband("1", speed=100), iptv("2", relies_on="1")],
    ]
    return [
        {
            "productOrderItem": kinds[n % len(kinds)],
            "relatedParty": [
                {"id": f"cust-{n}", "role": "customer", "@referredType": "Individual"}
            ],
        }
        for n in range(count)
    ]


def place(base: str, bodies: list[dict[str, Any]]) -> dict[str, list[str]]:
    """POST the orders at once; returns each order id with the offerings of its items."""

    async def post_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            return await asyncio.gather(*(client.post(PO, json=body) for body in bodies))

    responses = asyncio.run(post_all())
    assert [r.status_code for r in responses] == [201] * len(bodies), responses[0].text
    return {
        r.json()["id"]: [i["productOffering"]["id"] for i in body["productOrderItem"]]
        for r, body in zip(responses, bodies, strict=True)
    }


def wait_until_ended(
    base: str, ids: list[str], timeout: float = PATIENCE_S
) -> list[dict[str, Any]]:
    """Every order once all have reached a terminal state (AssertionError naming the stuck)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base, timeout=10) as client:
        while True:
            orders = [client.get(f"{PO}/{order_id}").json() for order_id in ids]
            stuck = [(o["id"], o["state"]) for o in orders if o["state"] not in TERMINAL]
            if not stuck:
                return orders
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(stuck)} orders not ended after {timeout}s: {stuck[:5]}")
            time.sleep(0.2)


def queue_length(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(work_item)).scalar_one())
    finally:
        engine.dispose()


def wait_for_empty_queue(database_url: str, timeout: float = PATIENCE_S) -> None:
    """The work queue drains once every order ended: nothing is left to look at."""
    deadline = time.monotonic() + timeout
    while (left := queue_length(database_url)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == 0, f"{left} work items left in the queue"


@dataclass
class Expected:
    """What the trees say was made, to compare with what the APIs and tables hold."""

    items: int = 0
    service_items: int = 0
    resource_orders: int = 0
    activations: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> characteristics
    owners: dict[str, str] = field(default_factory=dict)  # allocation owner -> resource id


def check_fulfilled(base: str, database_url: str, placed: Mapping[str, list[str]]) -> None:
    """Assert every invariant of a fulfilled batch (see the module docstring)."""
    expected = Expected()
    with httpx.Client(base_url=base, timeout=30) as client:
        for order_id, offerings in placed.items():
            _check_order(client, order_id, offerings, expected)
        _check_totals(client, expected)
        _check_resources(client, expected)
    _check_tables(database_url, expected)


def _check_order(
    client: httpx.Client, order_id: str, offerings: list[str], expected: Expected
) -> None:
    order = client.get(f"{PO}/{order_id}").json()
    assert order["state"] == "completed", (order_id, order["state"], order.get("note"))
    tree = client.get(f"/cascade/productOrder/{order_id}/tree").json()
    assert [item["productOffering"] for item in tree["items"]] == offerings
    for item, tree_item in zip(order["productOrderItem"], tree["items"], strict=True):
        assert item["state"] == tree_item["state"] == "completed", (order_id, item["id"])
        product = client.get(f"{PRODUCT}/{item['product']['id']}").json()
        assert product["status"] == "active"
        assert (
            product["productOrderItem"][0]["productOrderId"],
            product["productOrderItem"][0]["orderItemId"],
        ) == (order_id, item["id"])
        assert _shape(tree_item) == SHAPES[tree_item["productOffering"]], (order_id, item["id"])
        expected.items += 1
        _collect(tree_item["serviceOrder"], expected)


def _shape(tree_item: Mapping[str, Any]) -> Shape:
    return sorted(
        (
            i["service"]["name"],
            i["service"]["category"],
            i["activation"] is not None,
            tuple(
                r["resource"]["specification"]
                for r in (i["resourceOrder"] or {"items": ()})["items"]
            ),
        )
        for i in tree_item["serviceOrder"]["items"]
    )


def _collect(service_order: Mapping[str, Any], expected: Expected) -> None:
    assert service_order["state"] == "completed"
    for item in service_order["items"]:
        assert item["state"] == "completed"
        expected.service_items += 1
        expected.services.add(item["service"]["id"])
        if item["activation"] is not None:
            assert item["activation"]["state"] == "active"
            expected.activations.add(item["activation"]["id"])
        resource_order = item["resourceOrder"]
        if resource_order is None:
            continue
        assert resource_order["state"] == "completed"
        expected.resource_orders += 1
        for resource_item in resource_order["items"]:
            resource = resource_item["resource"]
            assert resource_item["state"] == "completed"
            assert resource_item["activation"]["state"] == "available"
            expected.activations.add(resource_item["activation"]["id"])
            expected.resources[resource["id"]] = resource["characteristic"]
            expected.owners[f"{resource_order['id']}/{resource_item['id']}"] = resource["id"]


def _total(client: httpx.Client, path: str) -> int:
    response = client.get(path, params={"limit": 1, "fields": "id"})
    assert response.status_code == 200, response.text
    return int(response.headers["X-Total-Count"])


def _check_totals(client: httpx.Client, expected: Expected) -> None:
    """Nothing made twice: exactly one child, activation and record per parent item."""
    resource_count = len(expected.resources)
    service_activations = len(expected.activations) - resource_count
    assert _total(client, SO) == expected.items
    assert _total(client, RO) == expected.resource_orders
    assert _total(client, PRODUCT) == expected.items
    assert _total(client, SERVICE) == expected.service_items == len(expected.services)
    assert _total(client, RESOURCE) == resource_count
    assert _total(client, f"{TMF640}/service") == service_activations
    assert _total(client, f"{TMF640}/monitor") == service_activations
    assert _total(client, f"{TMF702}/resource") == resource_count
    assert _total(client, f"{TMF702}/monitor") == resource_count


def _check_resources(client: httpx.Client, expected: Expected) -> None:
    """Each TMF639 resource holds its item's values, and no two of a kind hold the same."""
    response = client.get(RESOURCE, params={"limit": 1000})
    by_specification: dict[str, list[tuple[Any, ...]]] = {}
    for resource in response.json():
        values = {c["name"]: c["value"] for c in resource["resourceCharacteristic"]}
        assert values == expected.resources[resource["id"]], resource["id"]
        assert resource["resourceStatus"] == "available"
        key = tuple(sorted((k, str(v)) for k, v in values.items()))
        by_specification.setdefault(resource["resourceSpecification"]["id"], []).append(key)
    for specification, keys in by_specification.items():
        twice = [key for key, count in Counter(keys).items() if count > 1]
        assert not twice, f"{specification} values held twice: {twice}"


def _check_tables(database_url: str, expected: Expected) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            queued = connection.execute(select(work_item.c.kind, work_item.c.entity_id)).all()
            held = connection.execute(
                select(allocation.c.pool, allocation.c.owner, allocation.c.value)
            ).all()
            network = connection.execute(
                select(simulated_network.c.activation, simulated_network.c.outcome)
            ).all()
    finally:
        engine.dispose()
    assert queued == [], f"orders left in the work queue: {queued[:5]}"
    owners = [row.owner for row in held]
    assert len(owners) == len(set(owners)), "an owner holds two values"
    assert set(owners) == set(expected.owners), "allocations and resource order items differ"
    values = Counter((row.pool, row.value) for row in held)
    assert not [key for key, count in values.items() if count > 1], "a value allocated twice"
    for row in held:
        resource = expected.resources[expected.owners[row.owner]]
        assert json.loads(row.value).items() <= resource.items(), (row.owner, row.value)
    applied = [row.activation for row in network]
    assert len(applied) == len(set(applied)) == len(expected.activations)
    assert set(applied) == expected.activations, "activations and network configuration differ"
    assert {row.outcome for row in network} == {"applied"}


@contextmanager
def running_worker(
    database_url: str, environment: Mapping[str, str], output: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A `cascade worker` process, its stdout and stderr in `output`; SIGKILLed at the end."""
    with output.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cascade.cli", "worker", "--database", database_url],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **environment, "PYTHONUNBUFFERED": "1"},
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
