"""The Access each TMF resource gets: its party rule and the audit trail together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from cascade.frontend.types import Caller
from cascade.repositories import Repository
from cascade.security import audit
from cascade.security.parties import Narrowed, PartyRule
from cascade.tmf.query import ListQuery


@dataclass(frozen=True)
class CancelTarget:
    """What a cancel task names: the attribute with the order, and how audits name orders."""

    attribute: str  # productOrder
    label: str  # tmf622.productOrder


class ResourceAccess:
    """Party checks for party-bound callers, and an audit entry for every client write.

    `label` names the resource in the audit trail (`tmf622.productOrder`); a new cancel task is
    audited as a `cancel` of the order it names.
    """

    def __init__(
        self,
        label: str,
        entities: Repository,
        rule: PartyRule,
        *,
        audited: bool,
        cancels: CancelTarget | None = None,
    ) -> None:
        self.label = label
        self.entities = entities
        self.rule = rule
        self.audited = audited
        self.cancels = cancels

    def narrow(self, connection: Connection, query: ListQuery, caller: Caller) -> Narrowed:
        if not caller.party:
            return query, ()
        return self.rule.narrow(connection, query, caller.party)

    def sees(self, connection: Connection, document: dict[str, Any], caller: Caller) -> bool:
        return not caller.party or self.rule.sees(connection, document, caller.party)

    def check_create(self, connection: Connection, body: dict[str, Any], caller: Caller) -> None:
        if caller.party:
            self.rule.check_create(connection, body, caller.party)

    def check_kept(self, connection: Connection, document: dict[str, Any], caller: Caller) -> None:
        if caller.party:
            self.rule.check_kept(connection, document, caller.party)

    def written(
        self, connection: Connection, caller: Caller, action: str, id_: str, detail: str | None
    ) -> None:
        if caller.party:
            self.rule.written(connection, caller.party, action, id_)
        if not self.audited:
            return
        if action == "create" and self.cancels is not None:
            action, detail = "cancel", self._cancelled_order(connection, id_)
        audit.record(connection, caller, action, self.label, id_, detail)

    def _cancelled_order(self, connection: Connection, id_: str) -> str | None:
        """`<resource> <id>` of the order a new cancel task targets, for the audit entry."""
        assert self.cancels is not None
        document = self.entities.peek(connection, id_)
        reference = (document or {}).get(self.cancels.attribute)
        if not isinstance(reference, dict):
            return None
        return f"{self.cancels.label} {reference.get('id')}"
