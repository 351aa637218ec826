"""The Access each resource service gets: its party rule and the audit trail together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.security import audit
from cascade.security.parties import (
    CancelRule,
    Narrowed,
    OwnerRule,
    PartyRule,
    RelatedPartyRule,
    SharedRule,
)
from cascade.tmf.declarations import HUB
from cascade.tmf.query import ListQuery
from cascade.tmf.service import Caller, ResourceService

CATALOG_APIS = frozenset({"tmf620", "tmf633", "tmf634"})
# Cancel task -> (attribute naming the target order, the order's resource name).
CANCEL_TARGETS = {
    "cancelProductOrder": ("productOrder", "productOrder"),
    "cancelServiceOrder": ("serviceOrder", "serviceOrder"),
    "cancelResourceOrder": ("resourceOrder", "resourceOrder"),
}


class ResourceAccess:
    """Party checks for party-bound callers, and an audit entry for every client write."""

    def __init__(self, service: ResourceService, rule: PartyRule, audited: bool) -> None:
        self.kind = service.kind
        self.service = service
        self.rule = rule
        self.audited = audited
        self.cancel_target = CANCEL_TARGETS.get(service.resource.name, (None,))[0]

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
        if action == "create" and self.cancel_target is not None:
            action, detail = "cancel", self._cancelled_order(connection, id_)
        audit.record(connection, caller, action, self.kind, id_, detail)

    def _cancelled_order(self, connection: Connection, id_: str) -> str | None:
        """`<kind> <id>` of the order a new cancel task targets, for the audit entry."""
        document = self.service.peek(connection, id_)
        reference = (document or {}).get(self.cancel_target or "")
        if not isinstance(reference, dict):
            return None
        target = CANCEL_TARGETS[self.service.resource.name][1]
        return f"{self.service.api.code}.{target} {reference.get('id')}"


def rule_for(service: ResourceService, services: Mapping[str, ResourceService]) -> PartyRule:
    name = service.resource.name
    if service.api.code in CATALOG_APIS and name != HUB:
        return SharedRule()
    if name == HUB:
        return OwnerRule(service)
    if name in CANCEL_TARGETS:
        attribute, orders = CANCEL_TARGETS[name]
        return CancelRule(service, attribute, services[f"{service.api.code}.{orders}"])
    if "relatedParty" in service.shape.properties:
        return RelatedPartyRule(service)
    return PartyRule()


def install_access(services: Mapping[str, ResourceService], *, audited: bool) -> None:
    """Give every resource service its Access (party rule and audit)."""
    for service in services.values():
        service.access = ResourceAccess(service, rule_for(service, services), audited)
