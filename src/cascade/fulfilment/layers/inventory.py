"""Inventory records written when an order item completes, in the same transaction.

TMF639 resources carry the allocated values as characteristics, TMF638 services their
supporting resources and services, TMF637 products their realizing services and the product
order item that produced them. Each record shares the id of what produced it (the activation
entity, or an id derived from the product order item), so writing it twice is impossible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from cascade.domain.characteristics import as_characteristics
from cascade.repositories import Repository
from cascade.tmf.instants import now_instant


def _store(
    connection: Connection, records: Repository, id_: str, body: dict[str, Any]
) -> dict[str, Any]:
    """The record under `id_`: stored now, or as a step run before stored it."""
    saved = records.insert_absent(connection, body, id_=id_)
    existing = records.peek(connection, id_) if saved is None else saved.document
    assert existing is not None  # inserted now, or by a transaction that committed first
    return existing


def record_resource(
    connection: Connection,
    resources: Repository,
    id_: str,
    *,
    specification: Mapping[str, Any],
    values: Mapping[str, Any],
    related_party: Sequence[Mapping[str, Any]],
    origin: str,
    place: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"{specification.get('name', 'resource')} {_summary(values)}".strip(),
        "resourceSpecification": dict(specification),
        "resourceCharacteristic": as_characteristics(values),
        "resourceStatus": "available",
        "administrativeState": "unlocked",
        "operationalState": "enable",
        "usageState": "active",
        "startOperatingDate": now_instant(),
        "note": [{"author": "Cascade", "date": now_instant(), "text": origin}],
    }
    if related_party:
        body["relatedParty"] = [dict(party) for party in related_party]
    if place:
        body["place"] = dict(place)
    return _store(connection, resources, id_, body)


def record_service(
    connection: Connection,
    services: Repository,
    id_: str,
    *,
    specification: Mapping[str, Any],
    category: str,
    values: Mapping[str, Any],
    supporting_resources: Sequence[Mapping[str, Any]] = (),
    supporting_services: Sequence[Mapping[str, Any]] = (),
    order_item: Mapping[str, Any],
    related_party: Sequence[Mapping[str, Any]] = (),
    place: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": str(specification.get("name", "service")),
        "category": category,
        "serviceSpecification": dict(specification),
        "serviceCharacteristic": as_characteristics(values),
        "state": "active",
        "hasStarted": True,
        "isServiceEnabled": True,
        "startDate": now_instant(),
        "serviceOrderItem": [dict(order_item)],
    }
    if supporting_resources:
        body["supportingResource"] = [dict(ref) for ref in supporting_resources]
    if supporting_services:
        body["supportingService"] = [dict(ref) for ref in supporting_services]
    if related_party:
        body["relatedParty"] = [dict(party) for party in related_party]
    if place:
        body["place"] = [dict(each) for each in place]
    return _store(connection, services, id_, body)


def record_product(
    connection: Connection,
    products: Repository,
    id_: str,
    *,
    offering: Mapping[str, Any],
    specification: Mapping[str, Any],
    values: Mapping[str, Any],
    realizing_services: Sequence[Mapping[str, Any]],
    order_item: Mapping[str, Any],
    related_party: Sequence[Mapping[str, Any]],
    relationships: Sequence[Mapping[str, Any]] = (),
    place: Sequence[Mapping[str, Any]] = (),
    is_bundle: bool = False,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": str(offering.get("name", "product")),
        "isBundle": is_bundle,
        "productOffering": dict(offering),
        "productCharacteristic": as_characteristics(values),
        "status": "active",
        "startDate": now_instant(),
        "realizingService": [dict(ref) for ref in realizing_services],
        "productOrderItem": [dict(order_item)],
    }
    if specification:  # a bundle offering may have none
        body["productSpecification"] = dict(specification)
    if relationships:
        body["productRelationship"] = [dict(relation) for relation in relationships]
    if related_party:
        body["relatedParty"] = [dict(party) for party in related_party]
    if place:
        body["place"] = [dict(each) for each in place]
    return _store(connection, products, id_, body)


def _summary(values: Mapping[str, Any]) -> str:
    return " ".join(f"{name}={value}" for name, value in values.items())
