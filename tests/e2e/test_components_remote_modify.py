"""A cancel of an order whose speed upgrade has completed in SOM, another component (ADR 0032).

In one process a cancellation puts a completed `modify` back (the kept values). Across
components COM cannot: SOM keeps what the modify overwrote, and a completed child is undone
there by a `delete` order, which does not revert. Before, the cancel was accepted: COM put
its TMF637 product back on the old speed, SOM's QoS profile stayed on the new one, and the
order said `cancelled`. Now COM refuses the cancel once it knows of the completed modify,
and the order completes as the network is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.e2e.test_components import (
    ACTIVATED,
    CANCEL_PO,
    PO,
    PRODUCT,
    Deployment,
    characteristics,
    deployment,  # noqa: F401 (the fixture)
    dsl_or_fibre,
    ended,
    running,
    tree,
    wait_until,
)
from tests.gate import Gate


def test_a_cancel_after_a_remote_modify_completed_is_refused(
    deployment: Callable[..., Deployment],  # noqa: F811
    gate: Gate,
) -> None:
    deploy = deployment(CASCADE_COMPONENT_POLL_INTERVAL_S="300")
    with running(deploy) as (com, som, _):

        def placed(items: list[dict[str, Any]]) -> str:
            answer = com.post(PO, json={"productOrderItem": items})
            assert answer.status_code == 201, answer.text
            return str(answer.json()["id"])

        first = placed([dsl_or_fibre("FTTP")])
        done = wait_until(lambda: ended(com, f"{PO}/{first}"), "the first line")
        assert done["state"] == "completed", done.get("note")
        fibre = str(done["productOrderItem"][0]["product"]["id"])
        qos = tree(com, som, fibre)["rfs-qos-profile"]["id"]

        # An upgrade of that line beside a new line held at its access.
        gate.close("rfs-gpon-access")
        upgrade = {
            "id": "1",
            "action": "modify",
            "productOffering": {"id": "po-broadband"},
            "product": {
                "id": fibre,
                "productCharacteristic": [{"name": "downloadSpeed", "value": 1000}],
            },
        }
        order_id = placed([upgrade, {**dsl_or_fibre("FTTP"), "id": "2"}])
        path = f"{PO}/{order_id}"

        def upgraded() -> Any:
            items = com.get(path).json()["productOrderItem"]
            return items[0]["state"] == "completed" and items

        items = wait_until(upgraded, "the upgrade to complete in SOM")
        assert items[1]["state"] == "inProgress"

        task = com.post(CANCEL_PO, json={"productOrder": {"id": order_id}})
        assert task.status_code == 201, task.text
        task_path = f"{CANCEL_PO}/{task.json()['id']}"
        refused = wait_until(
            lambda: (t := com.get(task_path).json())["state"] != "acknowledged" and t,
            "the cancel task's answer",
        )
        assert refused["state"] == "terminatedWithError", refused
        notes = [note["text"] for note in com.get(path).json()["note"]]
        (why,) = [text for text in notes if text.startswith(f"cancel request {refused['id']}")]
        assert "re-configured services" in why and qos in why, why
        assert "in the next component" in why, why

        gate.open()
        order = wait_until(lambda: ended(com, path), "the order")
        assert order["state"] == "completed", order.get("note")
        # The inventory says what the network has: the new speed, in COM and in SOM.
        product = com.get(f"{PRODUCT}/{fibre}").json()
        assert characteristics(product, "productCharacteristic")["downloadSpeed"] == 1000
        activation = som.get(f"{ACTIVATED}/{qos}").json()
        assert characteristics(activation, "serviceCharacteristic")["downloadSpeed"] == 1000
