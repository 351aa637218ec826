"""TMF640 `POST /service` and TMF702 `POST /resource` from clients: activation through the driver.

A client's POST creates the entity and its monitor and takes the first step with the driver in
the create's transaction (the same `Activator` the order controllers use). When that step ends
the activation, the answer is 201 with the entity as stored (`active`/`available`); otherwise it
is 202 with the Monitor (`InProgress`, `sourceHref` -> the entity, `Location` -> the monitor), as
the specs' monitor pattern describes, and the entity is scheduled for the controller below, which
follows it to its end (entity active/available and monitor `Completed`, or entity
inactive/alarm and monitor `InError`). A first attempt that fails for good answers 202 with the
monitor already `InError`.

Only client-posted entities are ever scheduled here: the entities SOM and ROM create through
the Activator are driven by their order's controller, and their writes schedule nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.domain.characteristics import as_values
from cascade.fulfilment.activation.activator import ActivationOutcome, Activator
from cascade.fulfilment.runtime import DONE, StepContext, StepResult, working_on
from cascade.repositories import Created, Repository, Saved
from cascade.storage import work
from cascade.tmf.documents import new_id


class ClientActivations:
    """The create of one activation kind (`serviceActivation`, `resourceActivation`) and the
    controller that follows the activations it started."""

    def __init__(self, activator: Activator) -> None:
        self.activator = activator
        self.entities: Repository = activator.entities
        self.monitors: Repository = activator.monitors
        self.kind = self.entities.kind  # the controller's work kind
        prefix = "service" if activator.target == "service" else "resource"
        self._specification = f"{prefix}Specification"
        self._characteristic = f"{prefix}Characteristic"

    # --- create (what a client's POST does) -----------------------------------------------

    def create(self, connection: Connection, body: dict[str, Any]) -> Created:
        """Store the entity and its monitor, take the first step; the entity if that ended
        the activation (201), else the monitor that follows it (202)."""
        activation_id = new_id()
        with working_on(self.kind.name, activation_id):
            outcome = self._advance(connection, activation_id, body, work.now_ms())
        entity = self.entities.get(connection, activation_id)
        assert entity is not None
        saved = Saved.of(entity, self.entities.href_of(activation_id))
        if outcome.state == "done":
            return Created(saved)
        if outcome.state == "pending":
            work.schedule(connection, self.kind.name, activation_id, outcome.again_at_ms)
        monitor_id = self.activator.monitor_id(activation_id)
        monitor = self.monitors.get(connection, monitor_id)
        assert monitor is not None
        return Created(saved, Saved.of(monitor, self.monitors.href_of(monitor_id)))

    # --- the controller ---------------------------------------------------------------------

    def step(self, connection: Connection, entity_id: str, context: StepContext) -> StepResult:
        document = self.entities.peek(connection, entity_id)
        if document is None or self.activator.settled(document) is not None:
            return DONE
        outcome = self._advance(connection, entity_id, document, context.now_ms)
        return StepResult(outcome.again_at_ms) if outcome.state == "pending" else DONE

    def _advance(
        self, connection: Connection, activation_id: str, body: Mapping[str, Any], now_ms: int
    ) -> ActivationOutcome:
        specification = body.get(self._specification)
        specification_id = (
            str(specification["id"])
            if isinstance(specification, Mapping) and specification.get("id") is not None
            else None
        )
        characteristics = body.get(self._characteristic)
        values = as_values(characteristics if isinstance(characteristics, list) else None)
        return self.activator.advance(
            connection, activation_id, body, specification_id, values, now_ms
        )
