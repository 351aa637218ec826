"""What a controller's step is to the runtime: its context, its result, the protocols.

A step is a function of a connection and an entity id that looks at the entity, takes the
next step, records it and returns (see loop.py for how steps are run).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection

from cascade.tmf.declarations import Kind


@dataclass(frozen=True)
class StepContext:
    now_ms: int
    attempts: int  # how many times this entity's step failed in a row before this run


@dataclass(frozen=True)
class StepResult:
    """`again_at_ms`: look at the entity again at that time even if nothing else wakes it."""

    again_at_ms: int | None = None


DONE = StepResult()


class RetryLater(Exception):  # noqa: N818 - a request to the runtime, not a malfunction
    """Raised by a step that cannot proceed now: the runtime retries it with back-off."""


class Controller(Protocol):
    @property
    def kind(self) -> Kind:
        """The kind of the entities it advances (work items name it)."""
        ...

    def step(self, connection: Connection, entity_id: str, context: StepContext) -> StepResult:
        """Advance one entity by as much as can be done now."""
        ...


class Companion(Protocol):
    """A background task that lives as long as the controllers (the HTTP activation sender)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


_current_work: ContextVar[tuple[str, str] | None] = ContextVar("current_work", default=None)


@contextlib.contextmanager
def working_on(kind: str, entity_id: str) -> Iterator[None]:
    """Mark the code inside as part of the step of work item (`kind`, `entity_id`)."""
    token = _current_work.set((kind, entity_id))
    try:
        yield
    finally:
        _current_work.reset(token)


def current_work() -> tuple[str, str] | None:
    """The work item whose step is running here, if any: what to schedule to wake that step.

    Drivers that finish elsewhere (HTTP) record it, so the outcome wakes the step at once.
    """
    return _current_work.get()
