"""TMF620 and TMF634 v5 over the stored catalog entries (docs/versions.md).

The stored document is the v4 one. What v5 renames is translated both ways: a related
party's `partyOrPartyRole`, a category's `parentId` (v5 `parent`, a reference), a
characteristic specification's values and relationships (v5 `characteristicValueSpecification`
and `charSpecRelationship`). What only v5 has (`externalIdentifier`, `policy`, ...) is kept
under its v5 name. A catalog's `@type` stays as stored: the file's own example of a
`ProductCatalog` is typed `Catalog`.
"""

from __future__ import annotations

from typing import Any

from cascade.apis.v5.common import related_from_stored, related_to_stored
from cascade.apis.v5.view import DocumentView

Doc = dict[str, Any]
PARTY = ("partyOrPartyRole", "RelatedParty", "PartyRef")
SHOWN_PARTY = ("partyOrPartyRole", "RelatedPartyRefOrPartyRoleRef", "PartyRef")
V5_VALUES = "characteristicValueSpecification"
V5_RELATIONSHIPS = "charSpecRelationship"


class CatalogView(DocumentView):
    """One v5 catalog entity (`ProductSpecification`) over its stored kind.

    `characteristics` is the attribute of characteristic specifications and the v4 prefix of
    their values and relationships (`productSpecCharacteristic`, `productSpec`)."""

    def __init__(
        self,
        spec_file: str,
        entity: str,
        characteristics: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(spec_file, entity, self._entry_to_stored, self._entry_from_stored)
        self.characteristics = characteristics

    def _entry_to_stored(self, stored: Doc) -> None:
        if "relatedParty" in stored:
            stored["relatedParty"] = related_to_stored(stored["relatedParty"], *PARTY)
        parent = stored.get("parent")
        if self.entity == "Category" and isinstance(parent, dict) and "id" in parent:
            stored.pop("parent")
            stored["parentId"] = parent["id"]
        for spec in self._specs(stored):
            _rename(spec, V5_VALUES, f"{self._prefix}CharacteristicValue")
            _rename(spec, V5_RELATIONSHIPS, f"{self._prefix}CharRelationship")

    def _entry_from_stored(self, shown: Doc) -> None:
        if "relatedParty" in shown:
            shown["relatedParty"] = related_from_stored(shown["relatedParty"], *SHOWN_PARTY)
        if self.entity == "Category" and isinstance(shown.get("parentId"), str):
            shown["parent"] = {"id": shown.pop("parentId"), "@type": "CategoryRef"}
        for spec in self._specs(shown):
            _rename(spec, f"{self._prefix}CharacteristicValue", V5_VALUES)
            _rename(spec, f"{self._prefix}CharRelationship", V5_RELATIONSHIPS)

    def stored_path(self, path: str) -> str:
        if path.startswith("relatedParty.partyOrPartyRole."):
            return "relatedParty." + path.removeprefix("relatedParty.partyOrPartyRole.")
        if self.entity == "Category" and path in ("parent.id", "parent"):
            return "parentId"
        if self.characteristics is not None:
            specs = self.characteristics[0]
            for v5, stored in (
                (V5_VALUES, f"{self._prefix}CharacteristicValue"),
                (V5_RELATIONSHIPS, f"{self._prefix}CharRelationship"),
            ):
                if path.startswith(f"{specs}.{v5}."):
                    return f"{specs}.{stored}." + path.removeprefix(f"{specs}.{v5}.")
        return path

    @property
    def _prefix(self) -> str:
        return self.characteristics[1] if self.characteristics else ""

    def _specs(self, document: Doc) -> list[Doc]:
        """The characteristic specifications of the document, if it has any."""
        if self.characteristics is None:
            return []
        given = document.get(self.characteristics[0])
        if not isinstance(given, list):
            return []
        return [spec for spec in given if isinstance(spec, dict)]


def _rename(document: Doc, old: str, new: str) -> None:
    if old in document and new not in document:
        document[new] = document.pop(old)
