"""TMF638 v5 `Service` over the stored `service` kind (docs/versions.md).

The two versions share nearly every attribute: v5 nests parties and places, types
characteristics and names every class. A supporting or related service given by value is
translated as a service. What only v5 says (`operatingStatus`, `externalIdentifier`,
`intent`) is stored under its v5 name, which v4 does not define.
"""

from __future__ import annotations

from typing import Any

from cascade.apis.v5.common import (
    RELATED_PATHS,
    related_from_stored,
    related_to_stored,
    typed_characteristics,
)
from cascade.apis.v5.view import DocumentView

Doc = dict[str, Any]
V5_FILE = "TMF638-ServiceInventory-v5.0.0.oas.yaml"
_PATHS = RELATED_PATHS


def _services(service: Doc) -> list[Doc]:
    """The services a service holds by value: supporting ones and relationships' targets."""
    held = [s for s in service.get("supportingService") or () if isinstance(s, dict)]
    for relationship in service.get("serviceRelationship") or ():
        if isinstance(relationship, dict) and isinstance(relationship.get("service"), dict):
            held.append(relationship["service"])
    return held


def service_to_stored(service: Doc) -> None:
    """A v5 service (or one nested in it) in the stored (v4) form, in place."""
    if "relatedParty" in service:
        service["relatedParty"] = related_to_stored(
            service["relatedParty"], "partyOrPartyRole", "RelatedParty", "PartyRef"
        )
    if "place" in service:
        service["place"] = related_to_stored(
            service["place"], "place", "RelatedPlaceRefOrValue", "PlaceRef"
        )
    for nested in _services(service):
        service_to_stored(nested)


def service_from_stored(service: Doc) -> None:
    """A stored service in v5 terms, in place (the `@type`s are the namer's)."""
    if "relatedParty" in service:
        service["relatedParty"] = related_from_stored(
            service["relatedParty"],
            "partyOrPartyRole",
            "RelatedPartyRefOrPartyRoleRef",
            "PartyRef",
        )
    if "place" in service:
        service["place"] = related_from_stored(
            service["place"], "place", "RelatedPlaceRefOrValue", "PlaceRef"
        )
    if "serviceCharacteristic" in service:
        service["serviceCharacteristic"] = typed_characteristics(service["serviceCharacteristic"])
    for nested in _services(service):
        service_from_stored(nested)


class ServiceView(DocumentView):
    """TMF638 v5 `Service` over the stored `service` kind."""

    def __init__(self) -> None:
        super().__init__(V5_FILE, "Service", service_to_stored, service_from_stored, _PATHS)
