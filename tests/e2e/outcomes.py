"""Orders, some of them cancelled, once every process loss is over: what must hold.

`check_outcomes` asserts that every order ended once and consistently with its cancel (cancel
`done` and the order `cancelled` with everything undone, or no cancel or one that ended
`terminatedWithError` and the order `completed` with its whole tree, as `check_fulfilled`
checks it), and that nothing exists twice: every child order, inventory record and activation
is one a product order item derives, no value is allocated twice, nothing is applied twice on
the simulated network, and the work queue is empty.

"Ended once" is read off a hub subscription made before the first order (`watch_endings`):
the state change events are recorded in the transaction of the change, so each transition of
an order to a final state leaves exactly one delivery row for it. Its callback never answers,
so the rows stay.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Connection, func, select

from cascade.fulfilment.layers.ids import product_ids, service_order_ids
from cascade.storage.tables import event_delivery, event_outbox
from tests.e2e.fulfilment import (
    PRODUCT,
    RESOURCE,
    RO,
    SERVICE,
    SO,
    TMF640,
    TMF702,
    Expected,
    _check_order,
    _check_tables,
    wait_for_empty_queue,
    wait_until_ended,
)
from tests.e2e.test_cancellation import getter, run_sql, wait_tasks
from tests.fulfilment.undone import Tree, delivered, undone
from tests.waiting import HTTP_TIMEOUT_S, until

HUB = "/tmf-api/productOrderingManagement/v4/hub"
ENDINGS = "completed,cancelled,failed,partial,rejected"
STATE_CHANGE = "ProductOrderStateChangeEvent"


def watch_endings(base: str) -> None:
    """Subscribe to every product order's move to a final state (at a callback nobody hears)."""
    body = {
        "callback": "http://127.0.0.1:1/endings",
        "query": f"eventType={STATE_CHANGE}&event.productOrder.state={ENDINGS}",
    }
    answer = httpx.post(base + HUB, json=body, timeout=HTTP_TIMEOUT_S)
    assert answer.status_code == 201, answer.text


@dataclass
class Known:
    """What the trees of the product orders account for, by id."""

    service_orders: set[str] = field(default_factory=set)
    resource_orders: set[str] = field(default_factory=set)
    products: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)

    def add(self, order: Mapping[str, Any], tree: Tree) -> None:
        """Add one order's tree, asserting it made at most one child per parent item."""
        derived = {
            i for item in order["productOrderItem"] for i in service_order_ids(order["id"], item)
        }
        made = [service_order["id"] for service_order in tree.service_orders]
        assert len(made) == len(set(made)) and set(made) <= derived, (order["id"], made)
        for service_order in tree.service_orders:
            children = [r for r in tree.resource_orders if _parent(r) == service_order["id"]]
            assert len(children) <= len(service_order["serviceOrderItem"]), service_order["id"]
        self.service_orders |= set(made)
        self.resource_orders |= {r["id"] for r in tree.resource_orders}
        for item in order["productOrderItem"]:
            self.products |= set(product_ids(order["id"], item))
        self.services |= set(tree.services)
        self.resources |= set(tree.resources)


def _parent(resource_order: Mapping[str, Any]) -> str:
    return str(resource_order["externalReference"][0]["id"])


def check_outcomes(
    base: str, database_url: str, placed: Mapping[str, list[str]], cancels: Mapping[str, str]
) -> Counter[str]:
    """Assert everything the module docstring says; returns the outcomes, counted."""
    tasks = wait_tasks(base, list(cancels.values()))
    orders = wait_until_ended(base, list(placed))
    wait_for_empty_queue(database_url)
    expected, known, outcomes = Expected(), Known(), Counter[str]()
    read: Callable[[Callable[[Connection], Any]], Any] = lambda job: run_sql(database_url, job)  # noqa: E731
    with httpx.Client(base_url=base, timeout=HTTP_TIMEOUT_S) as client:
        get = getter(client)
        for order in orders:
            task = cancels.get(order["id"])
            outcome = (tasks[task]["state"] if task else "-", order["state"])
            outcomes["/".join(outcome)] += 1
            if outcome == ("done", "cancelled"):
                known.add(order, undone(get, read, order["id"]))
                continue
            assert outcome in {("-", "completed"), ("terminatedWithError", "completed")}, outcome
            _check_order(client, order["id"], placed[order["id"]], expected)
            known.add(order, delivered(get, read, order["id"]))
        _nothing_twice(client, known)
    _check_tables(database_url, expected)
    _ended_once(database_url, {order["id"]: order["state"] for order in orders})
    print(f"{len(orders)} orders (cancel/order): {dict(outcomes)}")
    return outcomes


def _ids(client: httpx.Client, path: str) -> list[str]:
    answer = client.get(path, params={"limit": 1000, "fields": "id"})
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-Total-Count"]) <= 1000, path
    return [entity["id"] for entity in answer.json()]


def _nothing_twice(client: httpx.Client, known: Known) -> None:
    """Every child order, record and activation stored is one the orders' items account for."""
    for path, ids in (
        (SO, known.service_orders),
        (RO, known.resource_orders),
        (PRODUCT, known.products),
        (SERVICE, known.services),
        (f"{TMF640}/service", known.services),
        (RESOURCE, known.resources),
        (f"{TMF702}/resource", known.resources),
    ):
        stored = _ids(client, path)
        assert len(stored) == len(set(stored)), f"{path}: an id twice"
        unknown = set(stored) - ids
        assert not unknown, (
            f"{path}: {len(unknown)} no order item accounts for: {sorted(unknown)[:3]}"
        )


def _ended_once(database_url: str, states: Mapping[str, str]) -> None:
    """One move to a final state per order, to the state it is in."""
    outbox = select(func.count()).select_from(event_outbox)
    until(
        lambda: run_sql(database_url, lambda c: c.execute(outbox).scalar_one()) == 0,
        "events fanned out",
    )
    bodies = run_sql(
        database_url,
        lambda c: (
            c.execute(
                select(event_delivery.c.body).where(event_delivery.c.event_type == STATE_CHANGE)
            )
            .scalars()
            .all()
        ),
    )
    endings: dict[str, list[str]] = {}
    for body in bodies:
        order = json.loads(body)["event"]["productOrder"]
        endings.setdefault(order["id"], []).append(order["state"])
    twice = {order_id: found for order_id, found in endings.items() if len(found) > 1}
    assert not twice, f"orders that ended more than once: {list(twice.items())[:3]}"
    assert endings == {order_id: [state] for order_id, state in states.items()}
