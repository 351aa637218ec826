"""Two real servers, A activating through B's TMF640/TMF702 (the HTTP driver): what A undoes or
changes is undone or changed on B. A cancel mid-flight and a cease leave every entity B made
inactive (services) or locked (resources) and nothing on B's simulated network; a speed
upgrade re-configures B's QoS service, in its record and on its network, and a cancelled one
puts the old speed back there (ADR 0032)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select

from cascade.storage.tables import remote_activation, simulated_network
from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.gate import Gate
from tests.waiting import until

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
CANCEL_PO = "/tmf-api/productOrderingManagement/v4/cancelProductOrder"
PRODUCT = "/tmf-api/productInventory/v4/product"
TMF640 = "/tmf-api/ServiceActivationAndConfiguration/v4"
TMF702 = "/tmf-api/ResourceActivationAndConfiguration/v4"
FAST = {"CASCADE_POLL_INTERVAL_S": "0.05", "CASCADE_ACTIVATION_BACKOFF_MS": "50"}


class Pair:
    def __init__(self, a: httpx.Client, b: httpx.Client, a_url: str, b_url: str) -> None:
        self.a, self.b, self.a_database, self.b_database = a, b, a_url, b_url

    def place(self, *items: dict[str, Any]) -> dict[str, Any]:
        placed = self.a.post(PO, json={"productOrderItem": list(items)})
        assert placed.status_code == 201, placed.text
        return dict(placed.json())

    def cancel_undoing(self, order_id: str, gate: Gate, what: str) -> None:
        """Cancel the order on A while `gate` holds B; once A's undo asks B to deactivate
        (`what`), open the gate; the cancellation ends done."""
        answer = self.a.post(CANCEL_PO, json={"productOrder": {"id": order_id}})
        assert answer.status_code == 201, answer.text
        until(self.a_undoing, what, interval=0.1)
        gate.open()
        task = self.wait(f"{CANCEL_PO}/{answer.json()['id']}", {"done", "terminatedWithError"})
        assert task["state"] == "done", task

    def wait(self, path: str, ends: set[str]) -> Any:
        return until(lambda: _ended(self.a.get(path).json(), ends), path, interval=0.1)

    def b_entities(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return self.b.get(f"{TMF640}/service").json(), self.b.get(f"{TMF702}/resource").json()

    def b_in_progress(self) -> list[str]:
        """The hrefs of the entities B is still activating."""
        monitors = [
            *self.b.get(f"{TMF640}/monitor").json(),
            *self.b.get(f"{TMF702}/monitor").json(),
        ]
        return [m["sourceHref"] for m in monitors if m["state"] == "InProgress"]

    def b_network(self) -> dict[str, dict[str, Any]]:
        rows = _rows(self.b_database, select(simulated_network))
        return {row.activation: json.loads(row.request) for row in rows}

    def a_intents(self) -> list[Any]:
        return _rows(self.a_database, select(remote_activation))

    def a_undoing(self) -> bool:
        """Whether A has asked B to deactivate something."""
        return any(r.operation == "deactivate" for r in self.a_intents())


def _ended(document: dict[str, Any], ends: set[str]) -> dict[str, Any] | None:
    return document if document["state"] in ends else None


def _rows(url: str, query: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(query).all())
    finally:
        engine.dispose()


@contextmanager
def two_cascades(
    tmp_path: Path, backend: str, latency_ms: int = 0, gate: Gate | None = None
) -> Iterator[Pair]:
    """A in front of B; B's simulated network has the latency, and the gate if given."""
    port_a, port_b = free_port(), free_port()
    b_url = f"http://127.0.0.1:{port_b}"
    behind = {**FAST, "CASCADE_SIMULATOR_LATENCY_MS": str(latency_ms)}
    if gate is not None:
        behind["CASCADE_SIMULATOR_GATE"] = gate.setting
    in_front = {
        **FAST,
        "CASCADE_ACTIVATION_DRIVER": "http",
        "CASCADE_ACTIVATION_SERVICE_URL": f"{b_url}{TMF640}",
        "CASCADE_ACTIVATION_RESOURCE_URL": f"{b_url}{TMF702}",
        "CASCADE_ACTIVATION_FOLLOW_MS": "50",
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    database_a = fresh_database_url(backend, tmp_path / "a")
    database_b = fresh_database_url("sqlite", tmp_path / "b")
    log = tmp_path / "servers.log"
    with (
        running_server(database_b, port_b, environment=behind, log=log),
        running_server(database_a, port_a, "--demo", environment=in_front, log=log),
        httpx.Client(base_url=f"http://127.0.0.1:{port_a}", timeout=10) as a,
        httpx.Client(base_url=b_url, timeout=10) as b,
    ):
        yield Pair(a, b, database_a, database_b)


def broadband(item_id: str = "1", speed: int = 500) -> dict[str, Any]:
    return {
        "id": item_id,
        "action": "add",
        "productOffering": {"id": "po-fibre-broadband"},
        "product": {"productCharacteristic": [{"name": "downloadSpeed", "value": speed}]},
    }


def change(action: str, product_id: str, **values: Any) -> dict[str, Any]:
    product: dict[str, Any] = {"id": product_id}
    if values:
        product["productCharacteristic"] = [{"name": k, "value": v} for k, v in values.items()]
    return {"id": "1", "action": action, "product": product}


def assert_all_undone_on_b(pair: Pair) -> None:
    """Every entity B made ends out of service, and B's network holds none of them."""

    def settled() -> bool:
        services, resources = pair.b_entities()
        return all(s["state"] == "inactive" for s in services) and all(
            r["administrativeState"] == "locked" for r in resources
        )

    until(settled, "B's entities out of service", interval=0.1)
    for resource in pair.b_entities()[1]:
        assert (resource["operationalState"], resource["resourceStatus"]) == ("disable", "standby")
    assert pair.b_network() == {}
    # A has nothing left to send, and every deactivation it recorded ended done.
    intents = pair.a_intents()
    assert {row.phase for row in intents} <= {"done", "cancelled"}, [r.reason for r in intents]


def test_a_cancel_mid_flight_is_undone_on_b(tmp_path: Path, backend: str, gate: Gate) -> None:
    gate.close()  # B's activations stay in progress until A's cancellation waits for them
    with two_cascades(tmp_path, backend, gate=gate) as pair:
        order = pair.place(broadband())
        # Cancel while B is activating something for the order (a monitor still running): the
        # deactivation of that one has to wait for the activation's outcome.
        running = until(pair.b_in_progress, "B activating", interval=0.1)
        pair.cancel_undoing(order["id"], gate, "A's deactivation of what B is activating")
        assert pair.a.get(f"{PO}/{order['id']}").json()["state"] == "cancelled"
        services, resources = pair.b_entities()
        assert services or resources
        assert_all_undone_on_b(pair)
        for href in running:  # made after the cancel was asked for, and undone all the same
            entity = pair.b.get(href).json()
            assert entity.get("state", entity.get("administrativeState")) in ("inactive", "locked")
        deactivations = [r for r in pair.a_intents() if r.operation == "deactivate"]
        assert len(deactivations) >= len(services) + len(resources)


def test_a_cease_is_undone_on_b(tmp_path: Path, backend: str) -> None:
    with two_cascades(tmp_path, backend, latency_ms=50) as pair:
        added = pair.wait(f"{PO}/{pair.place(broadband())['id']}", {"completed", "failed"})
        assert added["state"] == "completed", added.get("note")
        services, resources = pair.b_entities()
        assert services and resources and pair.b_network()
        product_id = added["productOrderItem"][0]["product"]["id"]
        ceased = pair.wait(
            f"{PO}/{pair.place(change('delete', product_id))['id']}", {"completed", "failed"}
        )
        assert ceased["state"] == "completed", ceased.get("note")
        assert pair.a.get(f"{PRODUCT}/{product_id}").json()["status"] == "terminated"
        assert_all_undone_on_b(pair)
        assert len(pair.b_entities()[0]) == len(services)  # nothing made twice on B


def test_a_speed_upgrade_reconfigures_qos_on_b(tmp_path: Path, backend: str) -> None:
    with two_cascades(tmp_path, backend, latency_ms=50) as pair:
        added = pair.wait(f"{PO}/{pair.place(broadband(speed=500))['id']}", {"completed", "failed"})
        assert added["state"] == "completed", added.get("note")
        product_id = added["productOrderItem"][0]["product"]["id"]
        (qos,) = [s for s in pair.b_entities()[0] if _spec(s) == "rfs-qos-profile"]
        assert _values(qos)["downloadSpeed"] == 500
        upgrade = pair.place(change("modify", product_id, downloadSpeed=1000))
        upgraded = pair.wait(f"{PO}/{upgrade['id']}", {"completed", "failed"})
        assert upgraded["state"] == "completed", upgraded.get("note")
        qos_after = pair.b.get(f"{TMF640}/service/{qos['id']}").json()
        assert qos_after["state"] == "active"
        assert _values(qos_after)["downloadSpeed"] == 1000
        assert pair.b_network()[qos["id"]]["downloadSpeed"] == 1000
        others = [s for s in pair.b_entities()[0] if s["id"] != qos["id"]]
        assert all(s["state"] == "active" for s in others)


def _spec(service: dict[str, Any]) -> str | None:
    return (service.get("serviceSpecification") or {}).get("id")


def _values(service: dict[str, Any]) -> dict[str, Any]:
    return {c["name"]: c["value"] for c in service.get("serviceCharacteristic", [])}


def test_a_cancelled_speed_upgrade_puts_qos_back_on_b(
    tmp_path: Path, backend: str, gate: Gate
) -> None:
    with two_cascades(tmp_path, backend, gate=gate) as pair:
        added = pair.wait(f"{PO}/{pair.place(broadband(speed=500))['id']}", {"completed", "failed"})
        assert added["state"] == "completed", added.get("note")
        product_id = added["productOrderItem"][0]["product"]["id"]
        (qos,) = [s for s in pair.b_entities()[0] if _spec(s) == "rfs-qos-profile"]
        configured = pair.b_network()
        product = pair.a.get(f"{PRODUCT}/{product_id}").json()
        # The upgrade (item 1) is applied on B while a new line (item 2) is held at its access.
        gate.close("rfs-gpon-access")
        placed = pair.place(change("modify", product_id, downloadSpeed=1000), broadband("2"))
        qos_href = f"{TMF640}/service/{qos['id']}"
        until(
            lambda: _values(pair.b.get(qos_href).json())["downloadSpeed"] == 1000,
            "the upgrade applied on B",
            interval=0.1,
        )
        pair.cancel_undoing(placed["id"], gate, "A's undo under way")
        # B's QoS service and network are back on the old speed; nothing of item 2 is left.
        assert _values(pair.b.get(qos_href).json()) == _values(qos)
        assert pair.b_network() == configured
        after = pair.a.get(f"{PRODUCT}/{product_id}").json()
        assert after["productCharacteristic"] == product["productCharacteristic"]
