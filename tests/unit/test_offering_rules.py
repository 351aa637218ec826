"""What offerings need of each other (TMF620 productOfferingRelationship), checked against an
order and the customer's products (domain/offering_rules.py), on the demo catalog."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cascade.domain.offering_rules import offering_problems
from tests.unit.fake_catalog import FakeCatalog

CATALOG = FakeCatalog()


def add(item_id: str, offering: str) -> dict[str, Any]:
    return {"id": item_id, "action": "add", "productOffering": {"id": offering}}


def change(
    item_id: str, action: str, product_id: str, offering: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"id": item_id, "action": action, "product": {"id": product_id}}
    if offering:
        item["productOffering"] = {"id": offering}
    return item


def problems(
    *items: dict[str, Any],
    owned: Mapping[str, str] | None = None,
    named: Mapping[str, str] | None = None,
    catalog: FakeCatalog = CATALOG,
) -> list[str]:
    return offering_problems(items, owned or {}, named or {}, catalog.product_offering)


def test_iptv_alone_for_a_customer_without_broadband_is_refused() -> None:
    (problem,) = problems(add("1", "po-iptv"))
    assert problem.startswith("item 1: productOffering 'po-iptv' requires 'Fibre Broadband'")
    assert "or 'Broadband' (po-broadband)" in problem
    assert "neither in the order nor among the customer's active products" in problem


def test_iptv_with_broadband_in_the_order_or_owned_is_accepted() -> None:
    assert problems(add("1", "po-fibre-broadband"), add("2", "po-iptv")) == []
    assert problems(add("1", "po-broadband"), add("2", "po-iptv")) == []  # the alternative
    assert problems(add("1", "po-iptv"), owned={"p-1": "po-fibre-broadband"}) == []
    # A product the order names (a noChange item) counts, whoever owns it.
    named = {"p-1": "po-broadband"}
    assert problems(change("1", "noChange", "p-1"), add("2", "po-iptv"), named=named) == []
    # Mobile is no broadband.
    assert problems(add("1", "po-iptv"), owned={"p-9": "po-mobile-line"}) != []


def test_ceasing_the_broadband_an_owned_iptv_requires_is_refused() -> None:
    owned = {"p-bb": "po-fibre-broadband", "p-tv": "po-iptv"}
    (problem,) = problems(change("1", "delete", "p-bb"), owned=owned)
    assert problem.startswith("product 'p-tv': productOffering 'po-iptv' requires")
    assert problem.endswith("once this order is done")
    # Ceasing both, or moving the broadband to the other broadband offering, is fine.
    assert problems(change("1", "delete", "p-bb"), change("2", "delete", "p-tv"), owned=owned) == []
    moved = change("1", "modify", "p-bb", "po-broadband")
    assert problems(moved, owned=owned) == []


def test_a_broken_state_the_order_does_not_cause_is_not_its_problem() -> None:
    owned = {"p-tv": "po-iptv", "p-m": "po-mobile-line"}  # no broadband already
    assert problems(add("1", "po-mobile-line"), owned=owned) == []


def excluding(offering: str, other: str) -> FakeCatalog:
    catalog = FakeCatalog()
    catalog.by_kind["productOffering"][offering]["productOfferingRelationship"] = [
        {"id": other, "name": other, "relationshipType": "excludes"}
    ]
    return catalog


def test_an_excluded_offering_may_not_be_there_too() -> None:
    catalog = excluding("po-broadband", "po-fibre-broadband")
    (problem,) = problems(add("1", "po-broadband"), add("2", "po-fibre-broadband"), catalog=catalog)
    assert problem.startswith(
        "item 1: productOffering 'po-broadband' excludes 'po-fibre-broadband'"
    )
    owned = {"p-1": "po-fibre-broadband"}
    assert problems(add("1", "po-broadband"), owned=owned, catalog=catalog) != []
    assert problems(add("1", "po-broadband"), catalog=catalog) == []


def test_an_offering_that_excludes_itself_is_at_most_one() -> None:
    catalog = excluding("po-mobile-line", "po-mobile-line")
    assert problems(add("1", "po-mobile-line"), catalog=catalog) == []
    assert (
        len(problems(add("1", "po-mobile-line"), add("2", "po-mobile-line"), catalog=catalog)) == 2
    )
    owned = {"p-1": "po-mobile-line"}
    assert problems(add("1", "po-mobile-line"), owned=owned, catalog=catalog) != []


def test_other_relationship_types_do_not_constrain_the_order() -> None:
    catalog = FakeCatalog()
    catalog.by_kind["productOffering"]["po-iptv"]["productOfferingRelationship"] = [
        {"id": "po-fibre-broadband", "relationshipType": "optionalFor"}
    ]
    assert problems(add("1", "po-iptv"), catalog=catalog) == []
