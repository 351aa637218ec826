"""TMF639 v5 `Resource` over the stored `resource` kind (docs/versions.md).

v5 nests parties and places (a `RelatedPlaceRef`), types characteristics and names every
class, the concrete ones (`LogicalResource`, `PhysicalResource`, ...) by `@type`. v4's
`resourceStatus` has no v5 attribute (v5 splits it into the X.731 statuses): it is shown in
v5 as stored, undefined there; v5's statuses are stored under their v5 names. v4 holds one
place (an object), v5 a list: the first is stored as v4's, the whole list beside it
(`relatedPlace`, a marked extension) when there is more than one. v4's operational states
`enable`/`disable` are v5's `enabled`/`disabled`.
"""

from __future__ import annotations

from typing import Any

from cascade.apis.v5.common import (
    RELATED_PATHS,
    related_from_stored,
    related_to_stored,
    typed_characteristics,
)
from cascade.apis.v5.resource_filters import derived_filters
from cascade.apis.v5.resource_status import statuses_from_stored, statuses_to_stored
from cascade.apis.v5.view import DocumentView

Doc = dict[str, Any]
V5_FILE = "TMF639-ResourceInventory-v5.0.0.oas.yaml"
PLACES = "relatedPlace"  # extension: the whole v5 `place` list, when it has more than one
_PATHS = RELATED_PATHS


def resource_to_stored(resource: Doc) -> None:
    """A v5 resource in the stored (v4) form, in place."""
    if "relatedParty" in resource:
        resource["relatedParty"] = related_to_stored(
            resource["relatedParty"], "partyOrPartyRole", "RelatedParty", "PartyRef"
        )
    places = resource.get("place")
    if isinstance(places, list):
        stored = related_to_stored(places, "place", "RelatedPlaceRefOrValue", "PlaceRef")
        if stored:
            resource["place"] = stored[0]
        else:
            resource.pop("place")
        if len(places) > 1:
            resource[PLACES] = places
    statuses_to_stored(resource)


def resource_from_stored(resource: Doc) -> None:
    """A stored resource in v5 terms, in place (the `@type`s are the namer's)."""
    if "relatedParty" in resource:
        resource["relatedParty"] = related_from_stored(
            resource["relatedParty"],
            "partyOrPartyRole",
            "RelatedPartyRefOrPartyRoleRef",
            "PartyRef",
        )
    kept, place = resource.pop(PLACES, None), resource.get("place")
    if isinstance(place, dict):
        shown = related_from_stored([place], "place", "RelatedPlaceRef", "PlaceRef")
        if (
            isinstance(kept, list)
            and kept
            and (kept[0].get("place") or {}).get("id") == place.get("id")
        ):
            shown = kept
        resource["place"] = shown
    statuses_from_stored(resource)
    if "resourceCharacteristic" in resource:
        resource["resourceCharacteristic"] = typed_characteristics(
            resource["resourceCharacteristic"]
        )


class ResourceView(DocumentView):
    """TMF639 v5 `Resource` over the stored `resource` kind."""

    def __init__(self) -> None:
        super().__init__(
            V5_FILE,
            "Resource",
            resource_to_stored,
            resource_from_stored,
            _PATHS,
            derived_filters(),
        )
