"""JSON Patch Query (tmf/patch_query.py): the v5 files' own example paths, the JSONPath-like
filters of TMF630, and the 400 for a path that selects nothing or does not parse."""

from __future__ import annotations

from typing import Any

import pytest

from cascade.tmf.errors import TmfError
from cascade.tmf.patching import Patch

DOCUMENT: dict[str, Any] = {
    "version": "1.0",
    "lifecycleStatus": "Active",
    "relatedParty": [
        {"role": "user", "partyOrPartyRole": {"id": "1", "name": "Gustave Flaubert"}},
        {"role": "vendor", "partyOrPartyRole": {"id": "2"}},
        {"role": "vendor", "partyOrPartyRole": {"id": "3"}},
    ],
    "productCharacteristic": [
        {"id": "Char1", "name": "FixedIP", "value": False},
        {"id": "Char5", "name": "FiberSpeed", "value": 100},
    ],
    "productOrderItem": [
        {"id": "110", "billingAccount": {"id": "b-1"}},
        {"id": "120", "billingAccount": {"id": "b-2"}},
    ],
    "note": [{"id": "77456", "author": "A"}, {"id": "1", "author": "B"}],
}


def patched(*operations: dict[str, Any]) -> dict[str, Any]:
    return Patch("query", list(operations)).apply(DOCUMENT)


@pytest.mark.parametrize(
    ("path", "where"),
    [  # the example requests of the v5 files, then TMF630's JSONPath-like filters
        ("/relatedParty/partyOrPartyRole/id?relatedParty.role=user", ("relatedParty", 0)),
        ("/productCharacteristic/value?id=Char5", ("productCharacteristic", 1)),
        ("/productOrderItem/billingAccount/id?productOrderItem.id=120", ("productOrderItem", 1)),
        ("/relatedParty/role?partyOrPartyRole.name='Gustave Flaubert'", ("relatedParty", 0)),
        ("/note/author?note.id=77456", ("note", 0)),
        ("/productCharacteristic[?(@.name=='FiberSpeed')]/value", ("productCharacteristic", 1)),
        (
            "$.productCharacteristic[?(@.id=='Char5' && @.value==100)].value",
            ("productCharacteristic", 1),
        ),
    ],
)
def test_a_query_replaces_in_the_element_it_selects(path: str, where: tuple[str, int]) -> None:
    result = patched({"op": "replace", "path": path, "value": "new"})
    array, index = where
    changed = [(n, i) for n in (array,) for i, e in enumerate(result[n]) if e != DOCUMENT[n][i]]
    assert changed == [where]
    assert "new" in str(result[array][index])
    assert {k: v for k, v in result.items() if k != array} == {
        k: v for k, v in DOCUMENT.items() if k != array
    }


def test_remove_takes_out_every_element_selected() -> None:
    result = patched({"op": "remove", "path": "/relatedParty?role=vendor"})
    assert result["relatedParty"] == DOCUMENT["relatedParty"][:1]


def test_a_query_on_the_document_itself() -> None:
    """`/lifecycleStatus?version='1.0'` (TMF634's example): no array on the path."""
    assert (
        patched({"op": "replace", "path": "/lifecycleStatus?version='1.0'", "value": "Retired"})[
            "lifecycleStatus"
        ]
        == "Retired"
    )


def test_each_operation_resolves_on_what_the_earlier_ones_left() -> None:
    result = patched(
        {"op": "remove", "path": "/note?id=77456"},
        {"op": "replace", "path": "/note/author?id=1", "value": "C"},
    )
    assert result["note"] == [{"id": "1", "author": "C"}]


def test_plain_pointers_still_work() -> None:
    assert patched({"op": "replace", "path": "/version", "value": "2"})["version"] == "2"


@pytest.mark.parametrize(
    "path",
    [
        "/productCharacteristic/value?id=Char9",  # selects nothing
        "/lifecycleStatus?version='2.0'",  # the document does not match
        "/productCharacteristic[?(@.name)]/value",  # not @.attribute==value
        "/productCharacteristic/value?id",  # not attribute=value
        "$..value",  # a JSONPath the server does not resolve
        "/productCharacteristic[?(@.id=='Char1']/value",  # unbalanced
    ],
)
def test_a_path_that_cannot_be_resolved_is_a_400(path: str) -> None:
    with pytest.raises(TmfError) as raised:
        patched({"op": "replace", "path": path, "value": 1})
    assert (raised.value.status, raised.value.code) == (400, "invalidPatch")
    assert "cannot be resolved" in raised.value.message


def test_touched_attributes_of_a_query() -> None:
    patch = Patch(
        "query",
        [
            {"op": "replace", "path": "/note/author?note.id=1", "value": "x"},
            {"op": "remove", "path": "$.relatedParty[?(@.role=='vendor')]"},
        ],
    )
    assert patch.touched_attributes() == {"note", "relatedParty"}
