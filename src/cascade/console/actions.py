"""What an operator's buttons do: the same resource operations as the API calls.

Cancel is a POST of the order's cancel task (`cancelProductOrder`...), hold and release a
merge PATCH of the order's state, redeliver the parked deliveries' extension. Each runs
through the same TmfResource (schema, state machine, party rule, audit) with the viewer's
Caller, after the viewer's scopes are checked against the API route doing the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import msgspec

from cascade.console.auth import ConsoleAuth, Viewer
from cascade.console.listing import OrderKind
from cascade.events import store
from cascade.frontend.resource import TmfResource
from cascade.storage.database import Database
from cascade.tmf.errors import bad_request
from cascade.tmf.patching import Patch

MAX_REASON = 500


@dataclass(frozen=True)
class Action:
    name: str  # cancel, hold, release
    label: str
    confirm: str | None  # asked before an action that cannot be undone
    from_states: frozenset[str]  # where the button shows; the state machine decides anyway


ACTIONS: dict[str, Action] = {
    "cancel": Action(
        "cancel",
        "Cancel order",
        "Cancel this order? What it did is undone, and this cannot be reversed.",
        frozenset({"acknowledged", "inProgress", "pending", "held"}),
    ),
    "hold": Action("hold", "Hold", None, frozenset({"inProgress"})),
    "release": Action("release", "Release", None, frozenset({"held", "pending"})),
    # Product orders only, and only where retry.retry_problems finds nothing (console/retry.py).
    "retry": Action(
        "retry",
        "Retry failed items",
        "Place a new product order for the failed items of this one?",
        frozenset({"failed", "partial"}),
    ),
}
STATE_AFTER = {"hold": "held", "release": "inProgress"}


def route_of(order_kind: OrderKind, action: str) -> str:
    """The API route an action stands for (its scopes are the action's)."""
    if action == "cancel":
        return f"{order_kind.cancel}.create"
    if action == "retry":
        return f"{order_kind.resource}.create"
    return f"{order_kind.resource}.patch"


def offered(
    auth: ConsoleAuth, viewer: Viewer, order_kind: OrderKind, state: str | None
) -> list[Action]:
    """The actions to show for an order in this state, to this viewer."""
    return [
        action
        for action in ACTIONS.values()
        if state in action.from_states
        and (action.name != "retry" or order_kind.name == "productOrder")
        and auth.may(viewer, route_of(order_kind, action.name))
    ]


async def act(
    auth: ConsoleAuth,
    viewer: Viewer,
    resources: Mapping[str, TmfResource],
    order_kind: OrderKind,
    order_id: str,
    action: str,
    reason: str,
) -> str:
    """Runs the action as the API would; returns what happened (a TmfError if refused)."""
    if action not in ACTIONS or action == "retry":  # a retry is retry.place_retry
        raise bad_request(f"Unknown action '{action}'", "invalidAction")
    auth.require(viewer, route_of(order_kind, action))
    if len(reason) > MAX_REASON:
        raise bad_request(f"The reason is longer than {MAX_REASON} characters", "invalidAction")
    orders = resources[order_kind.resource]
    if action == "cancel":
        order = msgspec.json.decode((await orders.retrieve(order_id, None, viewer.caller)).body)
        body = {
            order_kind.name: {
                "id": order_id,
                "href": order.get("href"),
                "@referredType": order_kind.kind.entity,
            },
            "cancellationReason": reason or "Cancelled from the console",
        }
        written = await resources[order_kind.cancel].create(body, None, viewer.caller)
        task = msgspec.json.decode(written.body)
        return (
            f"Cancel task {task.get('id')} placed ({task.get('state')}): "
            "the order's work is being undone"
        )
    patch = Patch("merge", {"state": STATE_AFTER[action]})
    written = await orders.patch(order_id, patch, None, viewer.caller)
    state = msgspec.json.decode(written.body).get("state")
    return f"{order_kind.kind.entity} {order_id} is now {state}"


REDELIVER_ROUTE = "cascade.redeliver"


async def redeliver(
    auth: ConsoleAuth, viewer: Viewer, database: Database, subscription: str | None
) -> str:
    """Puts the parked deliveries (of one subscription, or all) back in line."""
    auth.require(viewer, REDELIVER_ROUTE)
    count = await database.write(lambda c: store.redeliver(c, subscription))
    return f"{count} parked deliver{'y' if count == 1 else 'ies'} put back in line"
