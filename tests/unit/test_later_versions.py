"""What a later file adds to an earlier one (tmf/later_versions.py), on small schemas."""

from __future__ import annotations

from typing import Any

from cascade.apis.v4.v5_only import V5_ONLY_IN_V4
from cascade.tmf.later_versions import later_attributes

EARLIER: dict[str, Any] = {
    "Order": {
        "properties": {
            "id": {"type": "string"},
            "orderDate": {"type": "string"},
            "party": {"type": "array", "items": {"$ref": "#/definitions/Party"}},
            "item": {"$ref": "#/definitions/Item"},
        }
    },
    "Party": {"properties": {"id": {"type": "string"}}},
    "Item": {"properties": {"value": {}}},
}
LATER: dict[str, Any] = {
    "Entity": {"properties": {"id": {"type": "string"}}},
    "Order": {
        "allOf": [
            {"$ref": "#/components/schemas/Entity"},
            {
                "properties": {
                    "creationDate": {"type": "string"},
                    "intent": {"description": "the intent"},
                    "party": {"type": "array", "items": {"$ref": "#/components/schemas/PartyRef"}},
                    "line": {"$ref": "#/components/schemas/Line"},
                }
            },
        ],
        "discriminator": {"mapping": {"BigOrder": "#/components/schemas/BigOrder"}},
    },
    "BigOrder": {"allOf": [{"$ref": "#/components/schemas/Order"}, {"properties": {"size": {}}}]},
    "PartyRef": {"properties": {"id": {}, "partyOrPartyRole": {}}},
    "Line": {"properties": {"value": {}, "note": {}}},
}


def test_what_the_earlier_definitions_lack_attribute_by_attribute() -> None:
    renames = {"Order": {"creationDate": "orderDate", "line": "item"}}
    found = later_attributes(EARLIER, LATER, {"Order": "Order"}, renames)
    assert {name: sorted(attributes) for name, attributes in found.items()} == {
        "Order": ["intent", "size"],  # creationDate is orderDate; size: a subclass's
        "Party": ["partyOrPartyRole"],
        "Item": ["note"],  # walked into under its earlier name
    }


def test_read_from_the_files_described_and_added_to() -> None:
    resource = V5_ONLY_IN_V4["tmf639"]["Resource"]
    assert resource["availabilityStatus"]["description"].startswith("TMF639 v5: ")
    assert "type" not in resource["availabilityStatus"]  # any value is kept as given
    assert {"standbyStatus", "value", "relatedPlace"} <= set(resource)  # subclasses; added
    assert "place" not in resource  # both define it
    product = V5_ONLY_IN_V4["tmf637"]["Product"]
    assert "creationDate" in product and "agreementItem" not in product  # stored as agreement
