"""Decomposition: product order items and the demo catalog in, service order items out."""

from __future__ import annotations

from typing import Any

import pytest

from cascade.domain.decomposition import (
    CFS,
    RFS,
    Rejected,
    item_dependencies,
    plan_product_item,
    plan_product_order,
)
from tests.unit.fake_catalog import FakeCatalog


def item(offering: str, item_id: str = "1", **characteristics: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": item_id, "action": "add", "productOffering": {"id": offering}}
    if characteristics:
        body["product"] = {
            "productCharacteristic": [{"name": k, "value": v} for k, v in characteristics.items()]
        }
    return body


def test_broadband_becomes_internet_access_relying_on_access_and_qos() -> None:
    plan = plan_product_item(item("po-fibre-broadband", downloadSpeed=1000), FakeCatalog())
    by_spec = {s.specification["id"]: s for s in plan.services}
    assert set(by_spec) == {"cfs-internet-access", "rfs-gpon-access", "rfs-qos-profile"}
    cfs = by_spec["cfs-internet-access"]
    assert cfs.category == CFS
    assert set(cfs.relies_on) == {by_spec["rfs-gpon-access"].id, by_spec["rfs-qos-profile"].id}
    assert by_spec["rfs-qos-profile"].category == RFS
    # The ordered speed flows down to the CFS and to the QoS RFS that declares it; the
    # default upload speed is filled in from the product specification.
    assert cfs.characteristics["downloadSpeed"] == 1000
    assert by_spec["rfs-qos-profile"].characteristics["downloadSpeed"] == 1000
    assert "uploadSpeed" in by_spec["rfs-qos-profile"].characteristics
    assert by_spec["rfs-gpon-access"].characteristics == {}
    assert len({s.id for s in plan.services}) == 3


def test_default_values_apply_when_the_order_gives_none() -> None:
    plan = plan_product_item(item("po-fibre-broadband"), FakeCatalog())
    assert plan.characteristics["downloadSpeed"] == 500  # the spec's isDefault value


@pytest.mark.parametrize(
    ("order_item", "expected"),
    [
        (item("po-unknown"), "productOffering 'po-unknown' is not in the catalog"),
        (item("po-fibre-broadband", downloadSpeed=300), "is not one of: 100, 500, 1000"),
        (item("po-fibre-broadband", downloadSpeed="fast"), "must be an integer"),
        (item("po-fibre-broadband", colour="red"), "has no characteristic 'colour'"),
        ({"id": "1", "action": "add"}, "has no productOffering"),
        ({**item("po-fibre-broadband"), "action": "modify"}, "not supported yet"),
    ],
)
def test_inconsistent_items_are_rejected_with_the_reason(
    order_item: dict[str, Any], expected: str
) -> None:
    with pytest.raises(Rejected) as rejected:
        plan_product_item(order_item, FakeCatalog())
    assert any(expected in reason for reason in rejected.value.reasons), rejected.value.reasons


def test_a_missing_mandatory_characteristic_without_default_is_rejected() -> None:
    catalog = FakeCatalog()
    spec = catalog.by_kind["productSpecification"]["ps-mobile-line"]
    for characteristic in spec["productSpecCharacteristic"]:
        for value in characteristic.get("productSpecCharacteristicValue", []):
            value.pop("isDefault", None)
    with pytest.raises(Rejected) as rejected:
        plan_product_item(item("po-mobile-line"), catalog)
    assert "mandatory characteristic 'dataAllowance' is missing" in str(rejected.value)


def test_a_catalog_gap_below_the_offering_is_a_rejection() -> None:
    catalog = FakeCatalog()
    del catalog.by_kind["serviceSpecification"]["rfs-qos-profile"]
    with pytest.raises(
        Rejected, match="serviceSpecification 'rfs-qos-profile' is not in the catalog"
    ):
        plan_product_item(item("po-fibre-broadband"), catalog)
    catalog = FakeCatalog()
    del catalog.by_kind["resourceSpecification"]["rs-vlan"]
    with pytest.raises(Rejected, match="resourceSpecification 'rs-vlan' is not in the catalog"):
        plan_product_item(item("po-fibre-broadband"), catalog)


def test_a_whole_order_lists_every_problem_and_checks_item_references() -> None:
    iptv = item("po-iptv", "2", channelPackage="Gold")
    iptv["productOrderItemRelationship"] = [{"id": "9", "relationshipType": "reliesOn"}]
    order = {"productOrderItem": [item("po-nothing", "1"), iptv]}
    with pytest.raises(Rejected) as rejected:
        plan_product_order(order, FakeCatalog())
    reasons = " | ".join(rejected.value.reasons)
    assert "po-nothing" in reasons
    assert "relies on unknown item 9" in reasons
    assert "'Gold' is not one of" in reasons


def test_dependencies_come_from_relies_on_relationships_only() -> None:
    iptv = item("po-iptv", "2")
    iptv["productOrderItemRelationship"] = [
        {"id": "1", "relationshipType": "reliesOn"},
        {"id": "3", "relationshipType": "bundled"},
    ]
    assert item_dependencies(iptv) == ("1",)
    order = {"productOrderItem": [item("po-fibre-broadband", "1"), iptv]}
    plans = plan_product_order(order, FakeCatalog())
    assert [p.item_id for p in plans] == ["1", "2"]


def test_a_bundle_offering_plans_no_services_of_its_own() -> None:
    """A bundle is realised by its member items (domain/bundles.py); it needs no
    specification, and waits for the items it `bundles`."""
    catalog = FakeCatalog()
    catalog.by_kind["productOffering"]["po-bundle"] = {
        "id": "po-bundle",
        "name": "Triple play",
        "isBundle": True,
        "bundledProductOffering": [{"id": "po-fibre-broadband"}, {"id": "po-iptv"}],
    }
    bundle = {
        **item("po-bundle", "b"),
        "productOrderItemRelationship": [{"id": "1", "relationshipType": "bundles"}],
    }
    plan = plan_product_item(bundle, catalog)
    assert plan.bundle and plan.services == () and plan.specification == {}
    assert item_dependencies(bundle) == ("1",)
    assert not plan_product_item(item("po-fibre-broadband"), catalog).bundle
    # A bundle's specification may list no serviceSpecification; another offering's may not.
    catalog.by_kind["productSpecification"]["ps-bundle"] = {"id": "ps-bundle", "name": "TP"}
    catalog.by_kind["productOffering"]["po-bundle"]["productSpecification"] = {"id": "ps-bundle"}
    with_spec = plan_product_item(bundle, catalog)
    assert with_spec.services == () and with_spec.specification["id"] == "ps-bundle"
    catalog.by_kind["productOffering"]["po-plain"] = {
        "id": "po-plain",
        "productSpecification": {"id": "ps-bundle"},
    }
    with pytest.raises(Rejected) as refused:
        plan_product_item(item("po-plain"), catalog)
    assert refused.value.reasons == (
        "item 1: productSpecification 'ps-bundle' lists no serviceSpecification",
    )


def test_a_product_specification_other_than_the_offerings_is_refused() -> None:
    product = {"productSpecification": {"id": "ps-iptv"}}
    with pytest.raises(Rejected) as refused:
        plan_product_item({**item("po-fibre-broadband"), "product": product}, FakeCatalog())
    assert refused.value.reasons == (
        "item 1: product.productSpecification 'ps-iptv' is not the offering's "
        "specification 'ps-fibre-broadband'",
    )
    same = {"productSpecification": {"id": "ps-fibre-broadband"}}
    plan_product_item({**item("po-fibre-broadband"), "product": same}, FakeCatalog())
