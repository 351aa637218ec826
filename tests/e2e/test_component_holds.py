"""A hold carried across components (issue 15, ADR 0022): COM, SOM and ROM as real processes.

Holding the product order on COM holds the service order on SOM, which holds the resource
order on ROM; nothing further is activated until COM releases it, and then everything
completes. SOM refusing the hold leaves a dated note on the product order, and nothing stuck.
The access port's activation is held at the gate, so the resource order still runs when the
hold reaches ROM, however loaded the machine (docs/testing.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select

from cascade.apis import kinds
from cascade.storage.tables import entity, remote_order, work_item
from tests.e2e.test_components import (  # noqa: F401 (deployment is a fixture)
    PO,
    RO,
    SO,
    Component,
    Deployment,
    children,
    deployment,
    ended,
    place,
    running,
    wait_until,
)
from tests.gate import Gate

MERGE = {"content-type": "application/merge-patch+json"}
ACTIVATIONS = (kinds.SERVICE_ACTIVATION.name, kinds.RESOURCE_ACTIVATION.name)


def state(client: httpx.Client, path: str, id_: str) -> str:
    return str(client.get(f"{path}/{id_}").json()["state"])


def patch(client: httpx.Client, path: str, id_: str, target: str) -> httpx.Response:
    return client.patch(f"{path}/{id_}", json={"state": target}, headers=MERGE)


def running_below(som: httpx.Client, rom: httpx.Client, order_id: str) -> Any:
    """The service order and the resource order below the product order, once the latter runs."""
    found = children(som, SO, order_id)
    made = found and children(rom, RO, found[0]["id"])
    running = [r for r in made or () if r["state"] == "inProgress"]
    return running and (found[0]["id"], running[0]["id"])


def activations(component: Component) -> dict[str, int]:
    """How many TMF640 and TMF702 activations the component has started."""
    return {k: n for k, n in component.kinds().items() if k in ACTIVATIONS}


def looked_at(component: Component, order_id: str) -> bool:
    """Whether the component's controllers have no work left for the order."""
    query = select(func.count()).select_from(work_item).where(work_item.c.entity_id == order_id)
    return not component.scalar(query)


def states(component: Component, kind: str) -> list[str]:
    """The states of the entities of a kind in the component's database (mirrors, say)."""
    engine = create_engine(component.database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(entity.c.state).where(entity.c.kind == kind))
            return sorted(str(state) for (state,) in rows)
    finally:
        engine.dispose()


def asks_pending(component: Component) -> int:
    """Holds and releases recorded at the component and not carried out yet."""
    query = (
        select(func.count())
        .select_from(remote_order)
        .where(remote_order.c.state_asks > remote_order.c.state_sent)
    )
    return int(component.scalar(query))


def test_a_hold_on_com_holds_som_and_rom_and_its_release_completes_the_order(
    deployment: Callable[..., Deployment],  # noqa: F811 (the imported fixture)
    gate: Gate,
) -> None:
    # Polling every 5 minutes: what follows within seconds was carried by the asks and events.
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    gate.close("rs-gpon-port")  # the resource order runs until released
    with running(deploy) as (com, som, rom):
        order_id = place(com)
        so_id, ro_id = wait_until(lambda: running_below(som, rom, order_id), "a resource order")
        held = patch(com, PO, order_id, "held")
        assert held.status_code == 200, held.text
        wait_until(lambda: state(som, SO, so_id) == "held", "the service order held on SOM")
        wait_until(lambda: state(rom, RO, ro_id) == "held", "the resource order held on ROM")
        started = activations(deploy.som), activations(deploy.rom)

        # Nothing further starts: each component's controllers looked at their held order
        # and left it (the access port's activation in flight stays as it was).
        wait_until(lambda: looked_at(deploy.som, so_id), "SOM's controllers")
        wait_until(lambda: looked_at(deploy.rom, ro_id), "ROM's controllers")
        assert (activations(deploy.som), activations(deploy.rom)) == started
        assert [state(som, SO, so_id), state(rom, RO, ro_id)] == ["held", "held"]
        assert state(com, PO, order_id) == "held"
        # The mirrors show the remote states, read back as usual.
        so_kind, ro_kind = kinds.SERVICE_ORDER.name, kinds.RESOURCE_ORDER.name
        wait_until(lambda: states(deploy.com, so_kind) == ["held"], "COM's mirror")
        wait_until(lambda: states(deploy.som, ro_kind) == ["held"], "SOM's mirror")
        assert asks_pending(deploy.com) == 0 and asks_pending(deploy.som) == 0

        released = patch(com, PO, order_id, "inProgress")
        assert released.status_code == 200, released.text
        gate.open()
        order = wait_until(lambda: ended(com, f"{PO}/{order_id}"), "the order")
        assert order["state"] == "completed", order.get("note")
        assert [state(som, SO, so_id), state(rom, RO, ro_id)] == ["completed", "completed"]


def test_a_hold_som_refuses_is_noted_on_the_product_order(
    deployment: Callable[..., Deployment],  # noqa: F811 (the imported fixture)
    gate: Gate,
) -> None:
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    gate.close("rs-gpon-port")  # the resource order runs until released
    with running(deploy) as (com, som, rom):
        order_id = place(com)
        so_id, _ = wait_until(lambda: running_below(som, rom, order_id), "a resource order")
        # SOM's operator puts the service order `pending`: a client may not go on to `held`.
        assert patch(som, SO, so_id, "pending").status_code == 200
        assert patch(com, PO, order_id, "held").status_code == 200

        def refused() -> Any:
            notes = com.get(f"{PO}/{order_id}").json().get("note") or []
            return [n for n in notes if "was refused" in n["text"]]

        (note,) = wait_until(refused, "the refusal's note")
        assert note["date"] and "ServiceOrder" in note["text"] and so_id in note["text"]
        assert "409" in note["text"] and state(som, SO, so_id) == "pending"
        assert asks_pending(deploy.com) == 0

        # SOM does not store COM's product order, so its operator may release its own order
        # (ADR 0022); COM's release then sends nothing, the hold having gone nowhere.
        assert patch(som, SO, so_id, "inProgress").status_code == 200
        assert patch(com, PO, order_id, "inProgress").status_code == 200
        gate.open()
        order = wait_until(lambda: ended(com, f"{PO}/{order_id}"), "the order")
        assert order["state"] == "completed", order.get("note")
