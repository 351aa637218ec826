"""What ResourceService works with: written results, callers, the access port, write hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection

from cascade.storage.documents import StoredDocument
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


WriteHook = Callable[[Connection, dict[str, Any]], None]
# What a client's create does instead of a plain insert (TMF640/TMF702 activate on create).
Creator = Callable[[Connection, dict[str, Any]], Written]


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


@dataclass
class Hooks:
    """What else happens when an entity of this resource is written.

    `on_write` runs inside the writing transaction with the new document (controllers use it to
    schedule themselves); `after_commit` runs once the change is committed (wake-ups).
    """

    on_write: list[WriteHook] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    on_delete: list[Callable[[Connection, str], None]] = field(default_factory=list)
    # A client's PATCH, in its transaction, with the documents before and after it.
    on_patch: list[Callable[[Connection, dict[str, Any], dict[str, Any]], None]] = field(
        default_factory=list
    )
    # Checks of a client's create body that need no database (run before the write job).
    before_create: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)

    def written(self, connection: Connection, document: dict[str, Any]) -> None:
        for hook in self.on_write:
            hook(connection, document)

    def deleted(self, connection: Connection, id_: str) -> None:
        for hook in self.on_delete:
            hook(connection, id_)

    def committed(self) -> None:
        for listener in self.after_commit:
            listener()


@dataclass(frozen=True)
class Loaded:
    """A stored entity read for change: its row and its decoded document."""

    stored: StoredDocument
    document: dict[str, Any]


@dataclass(frozen=True)
class Page:
    body: bytes
    total: int
    count: int
