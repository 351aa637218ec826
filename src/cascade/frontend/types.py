"""What the TMF front end works with: answers, callers, the access port and a client
request's behaviours (which the composition root attaches per kind)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection

from cascade.repositories import Created
from cascade.tmf.documents import etag
from cascade.tmf.query import ListQuery


@dataclass(frozen=True)
class Written:
    """A created or changed entity: its JSON, version (for the ETag), and, for creates, href."""

    body: bytes
    version: int
    status: int = 200
    location: str | None = None
    entity_id: str | None = None  # the created entity when `location` names another (a monitor)

    @property
    def etag(self) -> str:
        return etag(self.version)

    @classmethod
    def of(cls, created: Created) -> Written:
        """A create's answer: 201 with the entity, or 202 with the monitor that follows it."""
        entity, monitor = created.entity, created.monitor
        if monitor is None:
            return cls(entity.text, entity.version, 201, entity.href)
        return cls(monitor.text, monitor.version, 202, monitor.href, entity.id)


# The ASGI scope key under which security (cascade.security) leaves the request's Caller.
CALLER = "cascade.caller"


@dataclass(frozen=True)
class Caller:
    """Who makes a client request: `subject` for the audit trail, `party` when bound to one."""

    subject: str
    party: str | None = None
    request_id: str | None = None


class Access(Protocol):
    """What security adds to a client's operations (cascade.security.access builds it).

    Called only for requests that carry a Caller; a caller with a party sees and changes only
    that party's entities (`narrow`, `sees`, `check_create`, `check_kept`); `written` records
    every client write (the audit trail) in the writing transaction.
    """

    def narrow(
        self, connection: Connection, query: ListQuery, caller: Caller
    ) -> tuple[ListQuery, tuple[Any, ...]] | None: ...

    def sees(self, connection: Connection, document: dict[str, Any], caller: Caller) -> bool: ...

    def check_create(
        self, connection: Connection, body: dict[str, Any], caller: Caller
    ) -> None: ...

    def check_kept(
        self, connection: Connection, document: dict[str, Any], caller: Caller
    ) -> None: ...

    def written(
        self, connection: Connection, caller: Caller, action: str, id_: str, detail: str | None
    ) -> None: ...


# What a client's create does instead of a plain insert (a cancel task, an activation, a hub
# subscription), in the create's transaction.
Creator = Callable[[Connection, dict[str, Any]], Created]
BodyCheck = Callable[[dict[str, Any]], None]  # refuses a body before anything is written
PatchHook = Callable[[Connection, dict[str, Any], dict[str, Any]], None]  # before, after
DeleteHook = Callable[[Connection, str], None]
# Refuses a client's DELETE of the stored document (a TmfError) before anything is deleted.
DeleteCheck = Callable[[Connection, dict[str, Any]], None]


@dataclass(frozen=True)
class ClientBehaviour:
    """What a client's request on one resource does beyond the TMF630 operation itself.

    The composition root's table of kinds (cascade.bootstrap.kinds) fills it in: `create`
    replaces the plain insert, `check_create` runs before the write job, `on_patch` and
    `on_delete` in the writing transaction (`check_delete` first, on the stored document),
    `committed` after the commit (wake-ups), and `access` (security's party rule and audit)
    for requests that carry a Caller.
    """

    create: Creator | None = None
    check_create: tuple[BodyCheck, ...] = ()
    on_patch: tuple[PatchHook, ...] = ()
    on_delete: tuple[DeleteHook, ...] = ()
    check_delete: tuple[DeleteCheck, ...] = ()
    committed: tuple[Callable[[], None], ...] = ()
    access: Access | None = None


@dataclass(frozen=True)
class Page:
    body: bytes
    total: int
    count: int
