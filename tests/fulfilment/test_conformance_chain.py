"""What the controllers create answers as the conformance profiles say: after a completed and
a rejected product order, every entity of every kind, listed and read one by one, carries the
attributes its API's profile makes mandatory (docs/conformance.md)."""

from __future__ import annotations

from cascade.apis import ALL_APIS
from tests.api.official_schemas import OfficialSchemas
from tests.fulfilment.conftest import Chain, broadband, offering_item


def test_every_entity_an_order_made_carries_the_mandatory_attributes(
    chain: Chain, official: OfficialSchemas
) -> None:
    completed = chain.wait_for(chain.place(broadband(speed=1000))["id"])
    assert completed["state"] == "completed", completed.get("note")
    rejected = chain.wait_for(chain.place(offering_item("1", "po-does-not-exist"))["id"])
    assert rejected["state"] == "rejected"
    checked: set[str] = set()
    for api in ALL_APIS:
        for resource in api.resources:
            if "list" not in api.operations(resource):
                continue
            url = f"{api.base_path}/{resource.name}"
            for listed in chain.get(url):
                official.check(api.spec_file, resource.entity, listed)
                one = chain.get(f"{url}/{listed['id']}")
                official.check(api.spec_file, resource.entity, one)
                checked.add(resource.kind.name)
    made_by_the_order = {
        "productOrder",
        "serviceOrder",
        "resourceOrder",
        "serviceActivation",
        "serviceActivationMonitor",
        "resourceActivation",
        "resourceActivationMonitor",
        "product",
        "service",
        "resource",
    }
    assert made_by_the_order <= checked, made_by_the_order - checked
