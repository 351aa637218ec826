"""What a component sends for a mirror: a create body, its references made remote."""

from __future__ import annotations

import copy

import msgspec
import pytest
from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.components import links
from cascade.components.mirror import Mirrors, NotReadyError
from cascade.components.topology import Remote, Topology, topology_of
from cascade.fulfilment.layers.registry import RESOURCE, SERVICE
from cascade.settings import Settings

SOM = "http://som.test"
ROM = "http://rom.test"


def test_topology_needs_the_next_component_and_a_known_name() -> None:
    assert topology_of(Settings()).all_in_one
    with pytest.raises(ValueError, match="CASCADE_SOM_URL"):
        topology_of(Settings(component="com"))
    with pytest.raises(ValueError, match="one of all, com, som, rom"):
        topology_of(Settings(component="xom"))
    rom = topology_of(Settings(component="rom"))
    assert rom.remote is None and not rom.mirrored(kinds.RESOURCE_ORDER)
    som = topology_of(Settings(component="som", rom_url=ROM + "/"))
    assert som.remote == Remote("rom", ROM, RESOURCE)
    assert som.mirrored(kinds.CANCEL_RESOURCE_ORDER) and not som.mirrored(kinds.SERVICE_ORDER)


def test_each_component_serves_its_own_apis() -> None:
    from cascade.apis import ALL_APIS

    served = {
        name: sorted(api.code for api in ALL_APIS if Topology(name).serves(api))
        for name in ("com", "som", "rom")
    }
    assert served == {
        "com": ["tmf620", "tmf620v5", "tmf622", "tmf622v5", "tmf637", "tmf637v5"],
        "som": ["tmf633", "tmf638", "tmf638v5", "tmf640", "tmf641"],
        "rom": ["tmf634", "tmf634v5", "tmf639", "tmf639v5", "tmf652", "tmf702"],
    }


def service_mirrors(cascade: Cascade) -> Mirrors:
    return Mirrors(Remote("som", SOM, SERVICE), cascade.repositories)


def test_an_order_body_leaves_out_what_the_server_sets(cascade: Cascade) -> None:
    mirrors = service_mirrors(cascade)
    body = {
        "description": "x",
        "externalReference": [{"externalReferenceType": "ProductOrder", "id": "po-1"}],
        "serviceOrderItem": [{"id": "1", "action": "add", "service": {"name": "s"}}],
    }

    def build(connection: Connection) -> bytes | None:
        mirrors.orders.insert(connection, copy.deepcopy(body), id_="so-1")
        return mirrors.create_body(connection, SERVICE.order_kind.name, "so-1")

    sent = msgspec.json.decode(cascade.database.write_sync(build) or b"")
    assert sent == {**body, "@type": "ServiceOrder"}  # no id, href, state, dates, item states


def test_a_cancel_task_names_the_remote_order_once_it_has_one(cascade: Cascade) -> None:
    mirrors = service_mirrors(cascade)
    remote_href = f"{SOM}/tmf-api/serviceOrdering/v4/serviceOrder/remote-9"

    def cancel_body(connection: Connection) -> bytes | None:
        return mirrors.create_body(connection, SERVICE.task_kind.name, "task-1")

    def setup(connection: Connection) -> None:
        mirrors.orders.insert(connection, {"serviceOrderItem": []}, id_="so-1")
        links.record_intent(connection, SERVICE.order_kind.name, "so-1", SOM)
        reference = {"id": "so-1", "href": "http://local/so-1"}
        mirrors.tasks.insert(connection, {"serviceOrder": reference}, id_="task-1")

    cascade.database.write_sync(setup)
    with pytest.raises(NotReadyError):  # the order itself is not at SOM yet
        cascade.database.write_sync(cancel_body)

    def linked(connection: Connection) -> None:
        [row] = [r for r in links.claim(connection, "me", 1000, 10) if r.local_id == "so-1"]
        links.settle(
            connection,
            row,
            "me",
            0,
            phase=links.LINKED,
            remote_id="remote-9",
            remote_href=remote_href,
        )

    cascade.database.write_sync(linked)
    sent = msgspec.json.decode(cascade.database.write_sync(cancel_body) or b"")
    assert sent["serviceOrder"] == {
        "id": "remote-9",
        "href": remote_href,
        "@referredType": "ServiceOrder",
    }
