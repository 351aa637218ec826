"""Partner isolation: a client bound to a party sees and changes only that party's entities.

Which entities are a party's depends on the resource:

- anything with `relatedParty` (orders, inventory items, activations): those whose
  relatedParty holds the party's id; a party client must name itself there when it creates
  one, and may not patch itself out;
- cancel tasks (`cancelProductOrder`, ...): those whose target order is the party's, and a party
  client may only cancel its own orders;
- hub subscriptions: those the party created (recorded in `entity_owner`);
- catalogs: shared by everyone (writing them needs `catalog:write`);
- anything else (activation monitors): nothing.

Another party's entity answers 404, as if it did not exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import msgspec
from sqlalchemy import Connection, delete, insert, select

from cascade.repositories import Repositories, Repository
from cascade.storage.tables import entity, entity_owner, entity_term
from cascade.tmf.declarations import Kind
from cascade.tmf.errors import TmfError, unknown_reference
from cascade.tmf.query import Condition, ListQuery
from cascade.tmf.schema import resolve_path

Narrowed = tuple[ListQuery, tuple[Any, ...]] | None
RELATED_PARTY = "relatedParty.id"


def names_party(document: dict[str, Any], party: str) -> bool:
    related = document.get("relatedParty")
    if not isinstance(related, list):
        return False
    return any(isinstance(p, dict) and p.get("id") == party for p in related)


class PartyRule:
    """How one resource decides what a party may see; the default shows nothing."""

    def narrow(self, connection: Connection, query: ListQuery, party: str) -> Narrowed:
        return None

    def sees(self, connection: Connection, document: dict[str, Any], party: str) -> bool:
        return False

    def check_create(self, connection: Connection, body: dict[str, Any], party: str) -> None:
        raise TmfError(403, "forbidden", "A client bound to a party cannot create this resource")

    def check_kept(self, connection: Connection, document: dict[str, Any], party: str) -> None:
        if not self.sees(connection, document, party):
            raise TmfError(403, "forbidden", "The change would take the entity from your party")

    def written(self, connection: Connection, party: str, action: str, id_: str) -> None:
        """Bookkeeping after a party client's write (the default keeps none)."""


class SharedRule(PartyRule):
    """Catalogs: the same for every party."""

    def narrow(self, connection: Connection, query: ListQuery, party: str) -> Narrowed:
        return query, ()

    def sees(self, connection: Connection, document: dict[str, Any], party: str) -> bool:
        return True

    def check_create(self, connection: Connection, body: dict[str, Any], party: str) -> None:
        return None


class RelatedPartyRule(PartyRule):
    """Entities whose relatedParty holds the party (through the `relatedParty.id` term)."""

    def __init__(self, entities: Repository) -> None:
        resolved = resolve_path(entities.shape, RELATED_PARTY)
        if resolved is None:
            raise ValueError(f"{entities.kind} has no relatedParty")
        self.path = resolved

    def narrow(self, connection: Connection, query: ListQuery, party: str) -> Narrowed:
        mine = Condition(RELATED_PARTY, self.path, "eq", (party,))
        conditions = (mine, *query.conditions)  # first: it drives the query from the term table
        return dataclasses.replace(query, conditions=conditions), ()

    def sees(self, connection: Connection, document: dict[str, Any], party: str) -> bool:
        return names_party(document, party)

    def check_create(self, connection: Connection, body: dict[str, Any], party: str) -> None:
        if not names_party(body, party):
            raise TmfError(
                403,
                "partyRequired",
                f"relatedParty must include your party (an entry with id '{party}')",
            )


class CancelRule(PartyRule):
    """Cancel tasks: visible when their target order (`<target>.id`) is the party's."""

    def __init__(self, tasks: Repository, target: str, orders: Repository) -> None:
        self.kind = tasks.kind.name
        self.target = target
        self.orders = orders

    def _target_id(self, document: dict[str, Any]) -> str | None:
        reference = document.get(self.target)
        value = reference.get("id") if isinstance(reference, dict) else None
        return value if isinstance(value, str) else None

    def _party_orders(self, party: str) -> Any:
        order = entity.alias("party_order")
        order_term = entity_term.alias("party_order_term")
        return select(order.c.id).where(
            order.c.kind == self.orders.kind.name,
            order.c.pk.in_(
                select(order_term.c.entity_pk).where(
                    order_term.c.kind == self.orders.kind.name,
                    order_term.c.path == RELATED_PARTY,
                    order_term.c.value == party,
                )
            ),
        )

    def narrow(self, connection: Connection, query: ListQuery, party: str) -> Narrowed:
        cancel_term = entity_term.alias("cancel_term")
        mine = entity.c.pk.in_(
            select(cancel_term.c.entity_pk).where(
                cancel_term.c.kind == self.kind,
                cancel_term.c.path == f"{self.target}.id",
                cancel_term.c.value.in_(self._party_orders(party)),
            )
        )
        return query, (mine,)

    def sees(self, connection: Connection, document: dict[str, Any], party: str) -> bool:
        order_id = self._target_id(document)
        if order_id is None:
            return False
        stored = self.orders.table.get(connection, order_id)
        return stored is not None and names_party(msgspec.json.decode(stored.doc), party)

    def check_create(self, connection: Connection, body: dict[str, Any], party: str) -> None:
        if not self.sees(connection, body, party):
            entity_name = self.orders.kind.entity
            raise unknown_reference(f"{entity_name} '{self._target_id(body)}'")


class OwnerRule(PartyRule):
    """Hub subscriptions: those the party created, as recorded in `entity_owner`."""

    def __init__(self, subscriptions: Repository) -> None:
        self.kind = subscriptions.kind.name

    def narrow(self, connection: Connection, query: ListQuery, party: str) -> Narrowed:
        owned = select(entity_owner.c.entity_id).where(
            entity_owner.c.kind == self.kind, entity_owner.c.party == party
        )
        return query, (entity.c.id.in_(owned),)

    def sees(self, connection: Connection, document: dict[str, Any], party: str) -> bool:
        return owner_of(connection, self.kind, str(document.get("id"))) == party

    def check_create(self, connection: Connection, body: dict[str, Any], party: str) -> None:
        return None

    def written(self, connection: Connection, party: str, action: str, id_: str) -> None:
        if action == "create":
            connection.execute(
                insert(entity_owner).values(kind=self.kind, entity_id=id_, party=party)
            )
        elif action == "delete":
            connection.execute(
                delete(entity_owner).where(
                    entity_owner.c.kind == self.kind, entity_owner.c.entity_id == id_
                )
            )


def owner_of(connection: Connection, kind: str, id_: str) -> str | None:
    """The party that created an entity (a hub subscription), if a party client did.

    Event delivery uses it to send a party's subscription only that party's events.
    """
    found: str | None = connection.execute(
        select(entity_owner.c.party).where(
            entity_owner.c.kind == kind, entity_owner.c.entity_id == id_
        )
    ).scalar()
    return found


# How a kind's party rule is made: the composition root's table of kinds names one per kind.
RuleFactory = Callable[[Repositories, Kind], PartyRule]


def shared(repositories: Repositories, kind: Kind) -> PartyRule:
    """Catalogs: every party sees every entity."""
    return SharedRule()


def related_party(repositories: Repositories, kind: Kind) -> PartyRule:
    """Orders, inventory records, activations: the party must be in `relatedParty`."""
    return RelatedPartyRule(repositories[kind])


def owner(repositories: Repositories, kind: Kind) -> PartyRule:
    """Hub subscriptions: the party that created one."""
    return OwnerRule(repositories[kind])


def nobody(repositories: Repositories, kind: Kind) -> PartyRule:
    """Entities no party-bound client may see (activation monitors)."""
    return PartyRule()


def cancel_of(orders: Kind, attribute: str) -> RuleFactory:
    """Cancel tasks: visible when the order they name in `attribute` is the party's."""

    def rule(repositories: Repositories, kind: Kind) -> PartyRule:
        return CancelRule(repositories[kind], attribute, repositories[orders])

    return rule
