"""COM, SOM and ROM as three real processes on loopback, each with its own database.

COM reaches SOM, and SOM reaches ROM, only through TMF641 and TMF652 (POST, GET, cancel
tasks) and follows them through their `/hub` events, with polling as the fallback. The broadband
order completes with its service and resource orders in SOM's and ROM's own databases; a
cancel mid-flight rolls back across the three; a SOM killed during fulfilment and started
again leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from cascade.catalogs import demo_catalog
from cascade.security.apikeys import create_key
from cascade.security.scopes import parse_scopes
from cascade.storage.database import Database
from cascade.storage.migrate import upgrade
from cascade.storage.tables import allocation, entity
from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.gate import Gate
from tests.waiting import until

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
CANCEL_PO = "/tmf-api/productOrderingManagement/v4/cancelProductOrder"
PRODUCT = "/tmf-api/productInventory/v4/product"
SO = "/tmf-api/serviceOrdering/v4/serviceOrder"
SO_HUB = "/tmf-api/serviceOrdering/v4/hub"
SERVICE = "/tmf-api/serviceInventory/v4/service"
ACTIVATED = "/tmf-api/ServiceActivationAndConfiguration/v4/service"
RO = "/tmf-api/resourceOrderingManagement/v4/resourceOrder"
RESOURCE = "/tmf-api/resourceInventoryManagement/v4/resource"
ENDED = ("completed", "failed", "partial", "rejected", "cancelled")
FAST = {
    "CASCADE_POLL_INTERVAL_S": "0.05",
    "CASCADE_LEASE_MS": "3000",
    "CASCADE_SIMULATOR_LATENCY_MS": "50",
    "CASCADE_EVENTS_BACKOFF_MS": "200",
    "CASCADE_EVENTS_BACKOFF_MAX_MS": "1000",
}


@dataclass
class Component:
    name: str
    port: int
    database: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)

    def kinds(self) -> dict[str, int]:
        """How many entities of each kind this component's own database holds."""
        engine = create_engine(self.database)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    select(entity.c.kind, func.count()).group_by(entity.c.kind)
                ).all()
                return {str(kind): int(count) for kind, count in rows}
        finally:
            engine.dispose()

    def scalar(self, query: Any) -> Any:
        engine = create_engine(self.database)
        try:
            with engine.connect() as connection:
                return connection.execute(query).scalar()
        finally:
            engine.dispose()


@dataclass
class Deployment:
    com: Component
    som: Component
    rom: Component
    environment: dict[str, str]
    log: Path
    without_catalog: tuple[str, ...] = ()  # components started with no catalog loaded
    options: dict[str, list[str]] = field(default_factory=dict)  # more options, by component
    variables: dict[str, dict[str, str]] = field(default_factory=dict)  # more variables

    @contextmanager
    def run(self, component: Component) -> Iterator[Any]:
        extra = ["--component", component.name]
        if component.name not in self.without_catalog:
            extra.append("--demo")
        if component is self.com:
            extra += ["--som-url", self.som.url]
        if component is self.som:
            extra += ["--rom-url", self.rom.url]
        extra += self.options.get(component.name, [])
        with running_server(
            component.database,
            component.port,
            *extra,
            environment={**self.environment, **self.variables.get(component.name, {})},
            log=self.log,
        ) as process:
            yield process


@pytest.fixture
def deployment(backend: str, tmp_path: Path, gate: Gate) -> Callable[..., Deployment]:
    """Three components; their simulated networks share the test's gate."""

    def make(**environment: str) -> Deployment:
        def component(name: str) -> Component:
            directory = tmp_path / name
            directory.mkdir()
            return Component(name, free_port(), fresh_database_url(backend, directory))

        return Deployment(
            component("com"),
            component("som"),
            component("rom"),
            {**FAST, "CASCADE_SIMULATOR_GATE": gate.setting, **environment},
            tmp_path / "components.log",
        )

    return make


@contextmanager
def running(deploy: Deployment) -> Iterator[tuple[httpx.Client, httpx.Client, httpx.Client]]:
    """The three components, started from the bottom up, and a client of each."""
    with ExitStack() as stack:
        for component in (deploy.rom, deploy.som, deploy.com):
            stack.enter_context(deploy.run(component))
        yield tuple(  # type: ignore[misc]
            stack.enter_context(c.client()) for c in (deploy.com, deploy.som, deploy.rom)
        )


def place(com: httpx.Client, speed: int = 500) -> str:
    item = {
        "id": "1",
        "action": "add",
        "productOffering": {"id": "po-fibre-broadband"},
        "product": {"productCharacteristic": [{"name": "downloadSpeed", "value": speed}]},
    }
    placed = com.post(PO, json={"productOrderItem": [item]})
    assert placed.status_code == 201, placed.text
    return str(placed.json()["id"])


def wait_until(check: Callable[[], Any], what: str) -> Any:
    return until(check, what, interval=0.1)


def component_status(component: Component) -> str:
    """What `cascade component status` prints about `component`."""
    return subprocess.run(
        [sys.executable, "-m", "cascade.cli", "component", "status"],
        env={**os.environ, "CASCADE_DATABASE": component.database},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def ended(client: httpx.Client, path: str) -> Any:
    document = client.get(path).json()
    return document if document.get("state") in ENDED else None


def children(client: httpx.Client, path: str, parent_id: str) -> list[Any]:
    answer = client.get(path, params={"externalReference.id": parent_id})
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def test_the_broadband_order_completes_across_three_components(
    deployment: Callable[..., Deployment],
) -> None:
    # Polling only every 5 minutes: what follows within seconds was carried by hub events.
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    with running(deploy) as (com, som, rom):
        order_id = place(com)
        order = wait_until(lambda: ended(com, f"{PO}/{order_id}"), "the order")
        assert order["state"] == "completed", order.get("note")

        # The service order lives in SOM, the resource order in ROM, each completed.
        [service_order] = children(som, SO, order_id)
        assert service_order["state"] == "completed"
        assert service_order["href"].startswith(deploy.som.url)
        [resource_order] = children(rom, RO, service_order["id"])
        assert resource_order["state"] == "completed"
        assert resource_order["href"].startswith(deploy.rom.url)

        # Each component serves its own APIs only.
        assert com.get(SO).status_code == 404
        assert som.get(PO).status_code == 404
        assert rom.get(SO).status_code == 404

        # The product (COM) is realized by services that live in SOM, on resources in ROM.
        product = com.get(order["productOrderItem"][0]["product"]["href"]).json()
        service_refs = product["realizingService"]
        assert service_refs and all(s["href"].startswith(deploy.som.url) for s in service_refs)
        for service in service_refs:
            assert som.get(f"{SERVICE}/{service['id']}").json()["state"] == "active"
        resources = [i["resource"] for i in resource_order["orderItem"]]
        for resource in resources:
            assert resource["href"].startswith(deploy.rom.url)
            assert rom.get(f"{RESOURCE}/{resource['id']}").json()["resourceStatus"] == ("available")

        # COM subscribed to SOM's hub (and SOM to ROM's), with a callback to its inbox.
        [subscription] = som.get(SO_HUB).json()
        assert subscription["callback"] == f"{deploy.com.url}/cascade/inbox/som"

    # The databases: each holds its own layer; the layer below only as mirrors.
    com_kinds, som_kinds, rom_kinds = (c.kinds() for c in (deploy.com, deploy.som, deploy.rom))
    assert com_kinds["productOrder"] == 1 and com_kinds["product"] == 1
    assert "resourceOrder" not in com_kinds and "resource" not in com_kinds
    # COM keeps the services that realize its product: it plans changes against them.
    assert com_kinds["service"] == som_kinds["service"]
    assert som_kinds["serviceOrder"] == 1 and som_kinds["service"] >= 2
    assert "productOrder" not in som_kinds and "resource" not in som_kinds
    assert rom_kinds["resourceOrder"] == 1 and rom_kinds["resource"] == 3
    assert not {"productOrder", "serviceOrder"} & set(rom_kinds)


def test_a_cancel_mid_flight_rolls_back_across_the_three(
    deployment: Callable[..., Deployment], gate: Gate
) -> None:
    # The QoS profile is held at the gate: the resource order completes, and the service
    # order is still running when the cancel arrives, however long the cancel takes to get
    # there.
    gate.close("rfs-qos-profile")
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    with running(deploy) as (com, som, rom):
        order_id = place(com)

        def resources_made() -> Any:
            found = children(som, SO, order_id)
            made = found and children(rom, RO, found[0]["id"])
            return made and made[0]["state"] == "completed" and found[0]

        service_order = wait_until(resources_made, "the resource order")
        assert service_order["state"] == "inProgress"
        task = com.post(CANCEL_PO, json={"productOrder": {"id": order_id}})
        assert task.status_code == 201, task.text
        task_path = f"{CANCEL_PO}/{task.json()['id']}"
        done = wait_until(
            lambda: (
                (t := com.get(task_path).json())["state"] in ("done", "terminatedWithError") and t
            ),
            "the cancel task",
        )
        assert done["state"] == "done", com.get(f"{PO}/{order_id}").json().get("note")
        order = com.get(f"{PO}/{order_id}").json()
        assert order["state"] == "cancelled"

        # SOM: the service order cancelled, its activations and services ended.
        service_order = som.get(f"{SO}/{service_order['id']}").json()
        assert service_order["state"] == "cancelled"
        for service in som.get(SERVICE).json():
            assert service["state"] == "terminated", service
        for activation in som.get(ACTIVATED).json():
            assert activation["state"] in ("terminated", "inactive"), activation

        # ROM: the completed resource order undone by a delete order, resources released.
        orders = children(rom, RO, service_order["id"])
        made = [o for o in orders if o["orderItem"][0]["action"] == "add"]
        undo = [o for o in orders if o["orderItem"][0]["action"] == "delete"]
        assert [o["state"] for o in made] == ["completed"]
        assert [o["state"] for o in undo] == ["completed"]
        for resource in rom.get(RESOURCE).json():
            assert resource["resourceStatus"] == "standby", resource
    assert deploy.rom.scalar(select(func.count()).select_from(allocation)) == 0


def test_a_restarted_som_loses_nothing(deployment: Callable[..., Deployment], gate: Gate) -> None:
    """SOM is killed while its service orders run and while COM forwards more to it."""
    gate.close("rfs-qos-profile")  # the service orders run until SOM has been killed
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="2")
    with ExitStack() as stack:
        stack.enter_context(deploy.run(deploy.rom))
        som_process = stack.enter_context(deploy.run(deploy.som))
        stack.enter_context(deploy.run(deploy.com))
        com = stack.enter_context(deploy.com.client())
        som = stack.enter_context(deploy.som.client())
        first = [place(com, speed) for speed in (100, 500)]
        wait_until(lambda: len(som.get(SO).json()) == 2, "SOM to have both orders")
        assert {o["state"] for o in som.get(SO).json()} <= {"acknowledged", "inProgress"}
        som_process.send_signal(signal.SIGKILL)
        som_process.wait(timeout=10)
        during = [place(com, 1000)]  # COM keeps trying to forward it

        # What an operator sees meanwhile (once COM has tried): the order it could not
        # forward yet, and why.
        def tried() -> str:
            status = component_status(deploy.com)
            return status if "ConnectError" in status else ""

        status = wait_until(tried, "COM's first attempt to forward to the killed SOM")
        assert "post 1" in status and "not created yet" in status, status
        gate.open()
        with deploy.run(deploy.som):
            for order_id in (*first, *during):
                order = wait_until(partial(ended, com, f"{PO}/{order_id}"), order_id)
                assert order["state"] == "completed", order.get("note")
            service_orders = som.get(SO).json()
            assert sorted(o["state"] for o in service_orders) == ["completed"] * 3
    # Exactly one service order per product order: forwarding retries made no duplicates.
    assert deploy.som.kinds()["serviceOrder"] == 3
    assert deploy.rom.kinds()["resourceOrder"] == 3


def change(product_id: str, offering: str, action: str, **values: Any) -> dict[str, Any]:
    product: dict[str, Any] = {"id": product_id}
    if values:
        product["productCharacteristic"] = [{"name": k, "value": v} for k, v in values.items()]
    item = {"id": "1", "action": action, "productOffering": {"id": offering}, "product": product}
    return {"productOrderItem": [item]}


def characteristics(entity: dict[str, Any], key: str) -> dict[str, Any]:
    return {c["name"]: c["value"] for c in entity.get(key, [])}


def test_upgrade_migration_and_cease_across_the_three(
    deployment: Callable[..., Deployment],
) -> None:
    """COM plans changes against the services it keeps from SOM; SOM and ROM carry them out."""
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    with running(deploy) as (com, som, rom):

        def order(body: dict[str, Any]) -> dict[str, Any]:
            placed = com.post(PO, json=body)
            assert placed.status_code == 201, placed.text
            path = f"{PO}/{placed.json()['id']}"
            ended_order = wait_until(lambda: ended(com, path), path)
            assert ended_order["state"] == "completed", ended_order.get("note")
            return dict(ended_order)

        def product_of(done: dict[str, Any]) -> str:
            return str(done["productOrderItem"][0]["product"]["id"])

        fibre = product_of(order({"productOrderItem": [dsl_or_fibre("FTTP")]}))
        copper = product_of(order({"productOrderItem": [dsl_or_fibre("DSL")]}))
        fibre_services = tree(com, som, fibre)
        dsl_ports = rom_allocations(deploy, "rs-dsl-port")
        assert len(dsl_ports) == 1

        # A speed upgrade: SOM re-configures the QoS profile; no resource order.
        order(change(fibre, "po-broadband", "modify", downloadSpeed=1000))
        product = com.get(f"{PRODUCT}/{fibre}").json()
        assert characteristics(product, "productCharacteristic")["downloadSpeed"] == 1000
        qos = fibre_services["rfs-qos-profile"]
        activation = som.get(f"{ACTIVATED}/{qos['id']}").json()
        assert characteristics(activation, "serviceCharacteristic")["downloadSpeed"] == 1000

        # A migration DSL -> fibre: a new access in SOM on new resources in ROM, the DSL
        # access ceased and its port back in ROM's pool.
        order(change(copper, "po-broadband", "modify", accessTechnology="FTTP"))
        assert rom_allocations(deploy, "rs-dsl-port") == []
        assert len(rom_allocations(deploy, "rs-gpon-port")) == 2

        # A cease of the fibre product: its services end in SOM, its resources in ROM.
        order(change(fibre, "po-broadband", "delete"))
        assert com.get(f"{PRODUCT}/{fibre}").json()["status"] == "terminated"
        for service in fibre_services.values():
            assert som.get(f"{SERVICE}/{service['id']}").json()["state"] == "terminated"
        for ref in fibre_services["rfs-gpon-access"]["supportingResource"]:
            resource = rom.get(f"{RESOURCE}/{ref['id']}").json()
            assert resource["resourceStatus"] == "standby" and resource["endOperatingDate"]
        assert len(rom_allocations(deploy, "rs-gpon-port")) == 1  # the migrated product's


def tree(com: httpx.Client, som: httpx.Client, product_id: str) -> dict[str, Any]:
    """The services (in SOM) of a product (in COM), by specification id."""
    product = com.get(f"{PRODUCT}/{product_id}").json()
    found: dict[str, Any] = {}
    todo = [ref["id"] for ref in product["realizingService"]]
    while todo:
        service = som.get(f"{SERVICE}/{todo.pop()}").json()
        found[service["serviceSpecification"]["id"]] = service
        todo.extend(ref["id"] for ref in service.get("supportingService", []))
    return found


def dsl_or_fibre(technology: str) -> dict[str, Any]:
    return {
        "id": "1",
        "action": "add",
        "productOffering": {"id": "po-broadband"},
        "product": {"productCharacteristic": [{"name": "accessTechnology", "value": technology}]},
    }


def rom_allocations(deploy: Deployment, pool_prefix: str) -> list[str]:
    engine = create_engine(deploy.rom.database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(allocation.c.pool, allocation.c.owner)).all()
    finally:
        engine.dispose()
    return [str(owner) for pool, owner in rows if str(pool).startswith(pool_prefix)]


def test_a_component_on_two_processes_shares_its_work(
    deployment: Callable[..., Deployment],
) -> None:
    """COM and SOM each run two processes on one database: one subscription each, each
    order forwarded once."""
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    deploy.options = {"com": ["--workers", "2"], "som": ["--workers", "2"]}
    with running(deploy) as (com, som, rom):
        orders = [place(com, speed) for speed in (100, 500, 1000, 100, 500, 1000)]
        for order_id in orders:
            order = wait_until(partial(ended, com, f"{PO}/{order_id}"), order_id)
            assert order["state"] == "completed", order.get("note")
        assert len(som.get(SO_HUB).json()) == 1
        assert len(rom.get("/tmf-api/resourceOrderingManagement/v4/hub").json()) == 1
    assert deploy.som.kinds()["serviceOrder"] == len(orders)
    assert deploy.rom.kinds()["resourceOrder"] == len(orders)


def test_a_component_with_its_controllers_in_a_worker(
    deployment: Callable[..., Deployment],
) -> None:
    """COM serves without controllers; a `cascade worker` runs them and follows SOM. The
    inbox is in the serving process: the worker sees its nudges in the shared database."""
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    deploy.options = {"com": ["--no-controllers"]}
    worker_environment = {
        **os.environ,
        **deploy.environment,
        "CASCADE_COMPONENT": "com",
        "CASCADE_SOM_URL": deploy.som.url,
        "CASCADE_PORT": str(deploy.com.port),
    }
    with running(deploy) as (com, som, _):
        worker = subprocess.Popen(
            [sys.executable, "-m", "cascade.cli", "worker", "--database", deploy.com.database],
            env=worker_environment,
            stdout=subprocess.DEVNULL,
            stderr=deploy.log.open("ab"),
        )
        try:
            order_id = place(com)
            order = wait_until(lambda: ended(com, f"{PO}/{order_id}"), "the order")
            assert order["state"] == "completed", order.get("note")
            [subscription] = som.get(SO_HUB).json()
            assert subscription["callback"] == f"{deploy.com.url}/cascade/inbox/som"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)


def api_key(database_url: str, scopes: str) -> str:
    """A key stored in a component's database (migrated first, as `serve` would)."""
    upgrade(database_url)
    database = Database(database_url)
    try:
        _, key = database.write_sync(lambda c: create_key(c, "upstream", parse_scopes(scopes)))
    finally:
        database.close()
    return key


def test_components_authenticate_to_the_next_one(deployment: Callable[..., Deployment]) -> None:
    """All three require API keys: COM and SOM send theirs to the next one; the inboxes take
    signed events without one (polling is off: the order completes by events only)."""
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    com_key = api_key(
        deploy.som.database,
        "serviceOrdering:read serviceOrdering:write inventory:read hub:write",
    )
    som_key = api_key(deploy.rom.database, "resourceOrdering:read resourceOrdering:write hub:write")
    client_key = api_key(deploy.com.database, "productOrdering:read productOrdering:write")
    deploy.options = {name: ["--auth", "apikey"] for name in ("com", "som", "rom")}
    deploy.variables = {
        "com": {"CASCADE_COMPONENT_AUTHORIZATION": f"Bearer {com_key}"},
        "som": {"CASCADE_COMPONENT_AUTHORIZATION": f"Bearer {som_key}"},
    }
    with running(deploy) as (com, som, _):
        assert som.get(SO).status_code == 401  # no key, no orders
        assert com.get(PO).status_code == 401
        com.headers["X-API-Key"] = client_key
        order_id = place(com)
        order = wait_until(lambda: ended(com, f"{PO}/{order_id}"), "the order")
        assert order["state"] == "completed", order.get("note")


def catalog_with_no_return(path: Path, resource_spec: str) -> Path:
    """The demo catalog, `resource_spec` marked with a point of no return at activation."""
    catalog = demo_catalog()
    for spec in catalog["tmf634"]["resourceSpecification"]:
        if spec["id"] == resource_spec:
            spec.setdefault("resourceSpecCharacteristic", []).append(
                {
                    "name": "pointOfNoReturn",
                    "valueType": "string",
                    "configurable": False,
                    "resourceSpecCharacteristicValue": [
                        {"valueType": "string", "value": "activation"}
                    ],
                }
            )
    path.write_text(json.dumps(catalog))
    return path


def load_catalog_file(database_url: str, path: Path) -> None:
    for command in (["db", "upgrade"], ["catalog", "load", str(path)]):
        subprocess.run(
            [sys.executable, "-m", "cascade.cli", *command, "--database", database_url],
            check=True,
            capture_output=True,
        )


def test_a_point_of_no_return_in_rom_refuses_the_cancel_on_com(
    deployment: Callable[..., Deployment], tmp_path: Path, gate: Gate
) -> None:
    """The GPON port (ROM) marks a point of no return: once it is activated, SOM marks its
    service order, COM reads the milestone from its mirror and refuses the cancel."""
    gate.close("rfs-qos-profile")  # still activating when cancelled
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    catalog = catalog_with_no_return(tmp_path / "catalog.json", "rs-gpon-port")
    for component in (deploy.com, deploy.som, deploy.rom):
        load_catalog_file(component.database, catalog)
    deploy.without_catalog = ("com", "som", "rom")
    with running(deploy) as (com, som, rom):
        order_id = place(com)

        def marked() -> Any:
            found = children(som, SO, order_id)
            milestones = (found and found[0].get("milestone")) or []
            return any(m["name"] == "pointOfNoReturn" for m in milestones) and found[0]

        service_order = wait_until(marked, "the pointOfNoReturn milestone")
        assert service_order["state"] == "inProgress"  # the QoS profile is still activating
        # COM reads the milestone event's order back into its mirror of the service order.
        wait_until(
            lambda: deploy.com.scalar(
                select(func.count())
                .select_from(entity)
                .where(entity.c.kind == "serviceOrder", entity.c.doc.contains("pointOfNoReturn"))
            ),
            "COM's mirror to hold the milestone",
        )
        task = com.post(CANCEL_PO, json={"productOrder": {"id": order_id}})
        assert task.status_code == 201, task.text
        path = f"{CANCEL_PO}/{task.json()['id']}"
        refused = wait_until(
            lambda: (t := com.get(path).json())["state"] in ("done", "terminatedWithError") and t,
            "the cancel task",
        )
        assert refused["state"] == "terminatedWithError"
        gate.open()
        order = wait_until(lambda: ended(com, f"{PO}/{order_id}"), "the order")
        assert order["state"] == "completed"
        assert any("point of no return" in n["text"] for n in order["note"]), order["note"]
        assert [o["orderItem"][0]["action"] for o in children(rom, RO, service_order["id"])] == [
            "add"
        ]


def test_what_som_rejects_fails_the_product_order_with_its_reason(
    deployment: Callable[..., Deployment],
) -> None:
    deploy = deployment()
    deploy.without_catalog = ("som",)  # SOM knows none of the service specifications
    with running(deploy) as (com, som, _):
        order_id = place(com)
        order = wait_until(lambda: ended(com, f"{PO}/{order_id}"), "the order")
        assert order["state"] == "failed"
        [service_order] = children(som, SO, order_id)
        assert service_order["state"] == "rejected"
        notes = " ".join(note["text"] for note in order["note"])
        # SOM's reason, carried up: the first service specification is not in its catalog.
        assert "rejected: " in notes and "is not in the catalog" in notes
        assert com.get(PRODUCT).json() == []


def test_killing_com_and_rom_mid_flight_makes_no_duplicates(
    deployment: Callable[..., Deployment],
) -> None:
    """COM is killed while it forwards service orders, ROM while it fulfils resource orders:
    after their restarts every order completes once, with one service order and one resource
    order each (the Idempotency-Keys found the orders made before the kills)."""
    slow = '{"rfs-gpon-access": {"latency_ms": 400}, "rs-gpon-port": {"latency_ms": 400}}'
    deploy = deployment(
        CASCADE_SIMULATOR_SPECIFICATIONS=slow, CASCADE_COMPONENT_POLL_INTERVAL_S="2"
    )
    orders: list[str] = []
    with ExitStack() as stack:
        rom_process = stack.enter_context(deploy.run(deploy.rom))
        stack.enter_context(deploy.run(deploy.som))
        com_process = stack.enter_context(deploy.run(deploy.com))
        with deploy.com.client() as com:
            orders += [place(com, speed) for speed in (100, 500, 1000) * 2]
        time.sleep(0.3)
        com_process.send_signal(signal.SIGKILL)
        com_process.wait(timeout=10)
        time.sleep(0.5)
        rom_process.send_signal(signal.SIGKILL)
        rom_process.wait(timeout=10)
        stack.enter_context(deploy.run(deploy.com))
        time.sleep(1)
        stack.enter_context(deploy.run(deploy.rom))
        with deploy.com.client() as com:
            for order_id in orders:
                order = wait_until(partial(ended, com, f"{PO}/{order_id}"), order_id)
                assert order["state"] == "completed", order.get("note")
    assert deploy.som.kinds()["serviceOrder"] == len(orders)
    assert deploy.rom.kinds()["resourceOrder"] == len(orders)
    held = deploy.rom.scalar(select(func.count()).select_from(allocation))
    assert held == 3 * len(orders)  # a port, a VLAN and an address each, none twice


def test_an_unsigned_event_is_refused_by_the_inbox(
    deployment: Callable[..., Deployment],
) -> None:
    deploy = deployment()
    with running(deploy) as (com, _, _):
        event = {
            "eventType": "ServiceOrderStateChangeEvent",
            "event": {"serviceOrder": {"id": "x"}},
        }
        answer = com.post("/cascade/inbox/som", json=event)
        assert answer.status_code == 401
        assert answer.json()["code"] == "invalidSignature"
        forged = com.post(
            "/cascade/inbox/som",
            json=event,
            headers={"X-Cascade-Timestamp": "1", "X-Cascade-Signature": "sha256=00"},
        )
        assert forged.status_code == 401
        assert com.post("/cascade/inbox/rom", json=event).status_code == 404
    assert deploy.com.scalar(text("select count(*) from remote_order")) == 0
