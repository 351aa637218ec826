"""Planning changes to installed products (pure): cease, modify, noChange."""

from __future__ import annotations

from typing import Any

import pytest

from cascade.domain.change_order import cease_after, plan_order
from cascade.domain.changes import InstalledProduct, InstalledService, plan_item
from cascade.domain.decomposition import CFS, RFS, Rejected
from tests.unit.fake_catalog import FakeCatalog


def service(spec: str, category: str, supporting: tuple[str, ...] = (), **values: Any) -> Any:
    return InstalledService(
        id=f"s-{spec}",
        href=f"/service/s-{spec}",
        category=category,
        specification={"id": spec},
        values=values,
        state="active",
        supporting=supporting,
    )


def broadband(status: str = "active", speed: int = 500) -> InstalledProduct:
    return InstalledProduct(
        id="p1",
        status=status,
        offering={"id": "po-fibre-broadband"},
        specification={"id": "ps-fibre-broadband"},
        values={"downloadSpeed": speed, "uploadSpeed": 500},
        services=(
            service(
                "cfs-internet-access",
                CFS,
                ("s-rfs-gpon-access", "s-rfs-qos-profile"),
                downloadSpeed=speed,
                uploadSpeed=500,
            ),
            service("rfs-gpon-access", RFS),
            service("rfs-qos-profile", RFS, downloadSpeed=speed, uploadSpeed=500),
        ),
    )


def change(action: str, **characteristics: Any) -> dict[str, Any]:
    product: dict[str, Any] = {"id": "p1"}
    if characteristics:
        product["productCharacteristic"] = [
            {"name": k, "value": v} for k, v in characteristics.items()
        ]
    return {"id": "1", "action": action, "product": product}


def test_cease_deletes_every_service_the_dependent_ones_first() -> None:
    plan = plan_item(change("delete"), FakeCatalog(), {"p1": broadband()})
    assert plan.action == "delete"
    by_spec = {s.specification["id"]: s for s in plan.services}
    assert {s.action for s in plan.services} == {"delete"}
    cfs = by_spec["cfs-internet-access"]
    assert cfs.relies_on == ()
    assert by_spec["rfs-gpon-access"].relies_on == (cfs.id,)
    assert by_spec["rfs-qos-profile"].relies_on == (cfs.id,)
    assert by_spec["rfs-qos-profile"].existing == {
        "id": "s-rfs-qos-profile",
        "href": "/service/s-rfs-qos-profile",
        "@referredType": "Service",
    }


def test_speed_upgrade_modifies_qos_and_cfs_and_leaves_access_alone() -> None:
    plan = plan_item(change("modify", downloadSpeed=1000), FakeCatalog(), {"p1": broadband()})
    actions = {s.specification["id"]: s.action for s in plan.services}
    assert actions == {
        "cfs-internet-access": "modify",
        "rfs-gpon-access": "noChange",
        "rfs-qos-profile": "modify",
    }
    qos = next(s for s in plan.services if s.specification["id"] == "rfs-qos-profile")
    assert qos.characteristics == {"downloadSpeed": 1000, "uploadSpeed": 500}
    assert plan.characteristics == {"downloadSpeed": 1000, "uploadSpeed": 500}


def test_a_modify_that_changes_nothing_is_all_no_change() -> None:
    plan = plan_item(change("modify", downloadSpeed=500), FakeCatalog(), {"p1": broadband()})
    assert {s.action for s in plan.services} == {"noChange"}


def test_no_change_plans_nothing() -> None:
    plan = plan_item(change("noChange"), FakeCatalog(), {"p1": broadband()})
    assert (plan.action, plan.services) == ("noChange", ())


@pytest.mark.parametrize(
    ("item", "installed", "reason"),
    [
        (change("delete"), {}, "product 'p1' is not in the product inventory"),
        (change("modify"), {"p1": broadband("terminated")}, "product 'p1' is terminated"),
        ({"id": "1", "action": "noChange"}, {}, "needs product.id"),
        ({**change("modify"), "action": "suspend"}, {}, "action 'suspend' is not one of"),
        (change("modify", downloadSpeed=300), {"p1": broadband()}, "value 300 is not one of"),
        (change("modify", colour="red"), {"p1": broadband()}, "has no characteristic 'colour'"),
    ],
)
def test_changes_that_cannot_be_done_are_rejected_with_the_reason(
    item: dict[str, Any], installed: dict[str, InstalledProduct], reason: str
) -> None:
    with pytest.raises(Rejected) as rejected:
        plan_item(item, FakeCatalog(), installed)
    assert any(reason in line for line in rejected.value.reasons), rejected.value.reasons


def test_the_access_technology_chooses_the_access_service() -> None:
    catalog = FakeCatalog()
    for technology, access in (("DSL", "rfs-dsl-access"), ("FTTP", "rfs-gpon-access")):
        item = {
            "id": "1",
            "action": "add",
            "productOffering": {"id": "po-broadband"},
            "product": {
                "productCharacteristic": [{"name": "accessTechnology", "value": technology}]
            },
        }
        plan = plan_item(item, catalog, {})
        specs = {s.specification["id"] for s in plan.services}
        assert specs == {"cfs-broadband-internet", access, "rfs-qos-profile"}


def test_migration_adds_the_new_access_and_retires_the_old_after_the_cfs() -> None:
    installed = InstalledProduct(
        id="p1",
        status="active",
        offering={"id": "po-broadband"},
        specification={"id": "ps-broadband"},
        values={"accessTechnology": "DSL", "downloadSpeed": 100, "uploadSpeed": 100},
        services=(
            service(
                "cfs-broadband-internet",
                CFS,
                ("s-rfs-dsl-access", "s-rfs-qos-profile"),
                accessTechnology="DSL",
                downloadSpeed=100,
                uploadSpeed=100,
            ),
            service("rfs-dsl-access", RFS),
            service("rfs-qos-profile", RFS, downloadSpeed=100, uploadSpeed=100),
        ),
    )
    plan = plan_item(change("modify", accessTechnology="FTTP"), FakeCatalog(), {"p1": installed})
    by_spec = {s.specification["id"]: s for s in plan.services}
    assert {k: s.action for k, s in by_spec.items()} == {
        "cfs-broadband-internet": "modify",
        "rfs-gpon-access": "add",
        "rfs-qos-profile": "noChange",
        "rfs-dsl-access": "delete",
    }
    cfs = by_spec["cfs-broadband-internet"]
    assert set(cfs.relies_on) == {by_spec["rfs-gpon-access"].id, by_spec["rfs-qos-profile"].id}
    assert by_spec["rfs-dsl-access"].relies_on == (cfs.id,)  # released once the new is active
    assert by_spec["rfs-gpon-access"].existing is None


def test_ceasing_again_leaves_out_what_an_earlier_cease_ended() -> None:
    product = broadband()
    cfs, access, qos = product.services
    half_done = InstalledProduct(
        **{
            **product.__dict__,
            "services": (
                InstalledService(**{**cfs.__dict__, "state": "terminated"}),
                access,
                InstalledService(**{**qos.__dict__, "state": "terminated"}),
            ),
        }
    )
    plan = plan_item(change("delete"), FakeCatalog(), {"p1": half_done})
    assert [(s.specification["id"], s.relies_on) for s in plan.services] == [
        ("rfs-gpon-access", ())
    ]


def test_an_offering_change_keeps_shared_services_and_retires_the_old_cfs_after_the_new() -> None:
    item = {**change("modify"), "productOffering": {"id": "po-broadband"}}
    plan = plan_item(item, FakeCatalog(), {"p1": broadband()})
    by_spec = {s.specification["id"]: s for s in plan.services}
    assert {k: s.action for k, s in by_spec.items()} == {
        "cfs-broadband-internet": "add",
        "rfs-gpon-access": "noChange",  # FTTP by default: the access in place is reused
        "rfs-qos-profile": "noChange",
        "cfs-internet-access": "delete",
    }
    new = by_spec["cfs-broadband-internet"]
    assert set(new.relies_on) == {by_spec["rfs-gpon-access"].id, by_spec["rfs-qos-profile"].id}
    assert by_spec["cfs-internet-access"].relies_on == (new.id,)
    assert plan.offering["id"] == "po-broadband"


def test_a_cease_waits_for_the_cease_of_what_relies_on_it_and_is_refused_without_it() -> None:
    add_on = InstalledProduct(
        id="p2",
        status="active",
        offering={"id": "po-iptv"},
        specification={"id": "ps-iptv"},
        values={"channelPackage": "Basic"},
        services=(),
        relies_on=("p1",),
    )
    installed = {"p1": broadband(), "p2": add_on}
    first = change("delete")
    second = {"id": "2", "action": "delete", "product": {"id": "p2"}}
    assert cease_after(first, [first, second], installed) == ("2",)
    assert cease_after(second, [first, second], installed) == ()
    with pytest.raises(Rejected) as rejected:
        plan_order({"productOrderItem": [first]}, FakeCatalog(), installed, {}, {"p1": ["p2"]})
    assert rejected.value.reasons == (
        "item 1: product 'p1' is relied on by product 'p2'; cease that one first or in the "
        "same order",
    )
    plans = plan_order(
        {"productOrderItem": [first, second]}, FakeCatalog(), installed, {}, {"p1": ["p2"]}
    )
    assert [plan.action for plan in plans] == ["delete", "delete"]
