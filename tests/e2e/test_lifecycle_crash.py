"""Modify and cease survive SIGKILL mid-fulfilment: each change is made exactly once.

Products are fulfilled undisturbed first (test_fulfilment_crash.py covers adds under kills).
Then speed upgrades, DSL-to-fibre migrations and ceases are placed, and a real `cascade serve`
is killed (SIGKILL) 50-400 ms after it came up, 6 to 8 times, against a slow simulated
network. When the last server has run them to the end, every change order is completed and:
an upgrade re-configured QoS once and allocated nothing; a migration holds the new access's
values and none of the old; a cease left its product, services and resources terminated and
every value back in its pool; no value is held twice and the work queue is empty.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select

from cascade.storage.tables import allocation, simulated_network
from tests.conftest import fresh_database_url
from tests.e2e.fulfilment import (
    CRASH_ENVIRONMENT,
    PRODUCT,
    RESOURCE,
    SERVICE,
    TMF640,
    broadband,
    place,
    queue_length,
    wait_for_empty_queue,
    wait_until_ended,
)
from tests.e2e.server import free_port, running_server

ENVIRONMENT = CRASH_ENVIRONMENT
FIBRE = "po-fibre-broadband"
EACH = 3  # products of each kind of change


def dsl(item_id: str = "1") -> dict[str, Any]:
    return {
        "id": item_id,
        "action": "add",
        "productOffering": {"id": "po-broadband"},
        "product": {"productCharacteristic": [{"name": "accessTechnology", "value": "DSL"}]},
    }


def change(product_id: str, offering: str, action: str, **characteristics: Any) -> dict[str, Any]:
    product: dict[str, Any] = {"id": product_id}
    if characteristics:
        product["productCharacteristic"] = [
            {"name": k, "value": v} for k, v in characteristics.items()
        ]
    item = {"id": "1", "action": action, "productOffering": {"id": offering}, "product": product}
    return {"productOrderItem": [item]}


def test_changes_survive_repeated_sigkill(backend: str, tmp_path: Path) -> None:
    seed = int(os.environ.get("CASCADE_TEST_SEED", time.time_ns() % 1_000_000))
    chance = random.Random(seed)
    url = fresh_database_url(backend, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with running_server(url, port, "--demo", environment=ENVIRONMENT, log=log):
        bodies = [{"productOrderItem": [broadband(speed=500)]} for _ in range(2 * EACH)]
        bodies += [{"productOrderItem": [dsl()]} for _ in range(EACH)]
        added = wait_until_ended(base, list(place(base, bodies)))
    assert {o["state"] for o in added} == {"completed"}, f"seed {seed}"
    products = [o["productOrderItem"][0]["product"]["id"] for o in added]
    upgrades, ceases, migrations = (products[i * EACH : (i + 1) * EACH] for i in range(3))
    before = _allocations(url)
    changes = [change(p, FIBRE, "modify", downloadSpeed=1000) for p in upgrades]
    changes += [change(p, FIBRE, "delete") for p in ceases]
    changes += [change(p, "po-broadband", "modify", accessTechnology="FTTP") for p in migrations]
    placed: list[str] = []
    for run in range(chance.randint(6, 8)):
        with running_server(url, port, "--no-migrate", environment=ENVIRONMENT, log=log) as server:
            if run == 0:
                placed = list(place(base, changes))
            time.sleep(chance.uniform(0.05, 0.4))
            server.kill()
        if run == 0:  # the changes just placed cannot have been made yet
            assert queue_length(url) > 0, f"killed with nothing to do (seed {seed})"
    with running_server(url, port, "--no-migrate", environment=ENVIRONMENT, log=log):
        orders = wait_until_ended(base, placed)
        assert [o["state"] for o in orders] == ["completed"] * len(orders), (seed, orders)
        wait_for_empty_queue(url)
        with httpx.Client(base_url=base, timeout=30) as client:
            _check_upgrades(client, url, upgrades, before)
            _check_ceases(client, ceases, before, _allocations(url), _network(url))
            _check_migrations(client, migrations, before, _allocations(url))
    after = _allocations(url)
    assert len(after) == 3 * (len(upgrades) + len(migrations)), f"seed {seed}"
    held = Counter((row["pool"], row["value"]) for row in after.values())
    assert not [key for key, count in held.items() if count > 1], "a value allocated twice"


def _allocations(url: str) -> dict[str, dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(allocation.c.owner, allocation.c.pool, allocation.c.value)
            ).all()
    finally:
        engine.dispose()
    return {row.owner: {"pool": row.pool, "value": row.value} for row in rows}


def _network(url: str) -> dict[str, dict[str, Any]]:
    """What the simulated network has configured: activation id -> request."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(simulated_network.c.activation, simulated_network.c.request)
            ).all()
    finally:
        engine.dispose()
    return {row.activation: json.loads(row.request) for row in rows}


def _tree(client: httpx.Client, product_id: str) -> dict[str, dict[str, Any]]:
    product = client.get(f"{PRODUCT}/{product_id}").json()
    found: dict[str, dict[str, Any]] = {}
    todo = [ref["id"] for ref in product["realizingService"]]
    while todo:
        service = client.get(f"{SERVICE}/{todo.pop()}").json()
        found[service["serviceSpecification"]["id"]] = service
        todo.extend(ref["id"] for ref in service.get("supportingService", []))
    return found


def _values(entity: dict[str, Any], key: str) -> dict[str, Any]:
    return {c["name"]: c["value"] for c in entity.get(key, [])}


def _check_upgrades(
    client: httpx.Client, url: str, upgrades: list[str], before: dict[str, Any]
) -> None:
    for product_id in upgrades:
        product = client.get(f"{PRODUCT}/{product_id}").json()
        assert _values(product, "productCharacteristic")["downloadSpeed"] == 1000
        assert [i["orderItemAction"] for i in product["productOrderItem"]] == ["add", "modify"]
        qos = _tree(client, product_id)["rfs-qos-profile"]
        activation = client.get(f"{TMF640}/service/{qos['id']}").json()
        assert _values(activation, "serviceCharacteristic")["downloadSpeed"] == 1000
        notes = [n["text"] for n in activation["note"] if "re-configured" in n["text"]]
        assert len(notes) == 1, notes
    # One re-configuration applied per upgrade (the migrations' speed is 500 throughout).
    applied = [r for r in _network(url).values() if r.get("downloadSpeed") == 1000]
    assert len(applied) == len(upgrades)


def _check_ceases(
    client: httpx.Client,
    ceases: list[str],
    before: dict[str, Any],
    after: dict[str, Any],
    network: dict[str, Any],
) -> None:
    for product_id in ceases:
        product = client.get(f"{PRODUCT}/{product_id}").json()
        assert product["status"] == "terminated" and product["terminationDate"]
        services = _tree(client, product_id)
        assert {s["state"] for s in services.values()} == {"terminated"}
        configured = {s["id"] for s in services.values()} & set(network)
        assert not configured, "a ceased service is still configured"
        for ref in services["rfs-gpon-access"]["supportingResource"]:
            resource = client.get(f"{RESOURCE}/{ref['id']}").json()
            assert resource["endOperatingDate"] and resource["usageState"] == "idle"
            assert ref["id"] not in network, "a ceased resource is still configured"
    live = {o for o in before if o in after}
    assert len(before) - len(live) >= 3 * len(ceases)  # their values went back


def _check_migrations(
    client: httpx.Client, migrations: list[str], before: dict[str, Any], after: dict[str, Any]
) -> None:
    for product_id in migrations:
        services = _tree(client, product_id)
        assert set(services) == {"cfs-broadband-internet", "rfs-gpon-access", "rfs-qos-profile"}
        assert services["rfs-gpon-access"]["state"] == "active"
    dsl_owners = {o for o, row in before.items() if row["pool"].startswith("rs-dsl-port")}
    assert len(dsl_owners) == len(migrations)
    assert not dsl_owners & set(after), "a DSL port is still held after its migration"
    gpon = [row for row in after.values() if row["pool"].startswith("rs-gpon-port")]
    assert len(gpon) == 2 * len(migrations)  # the upgrades' ports and the migrations' new ones
