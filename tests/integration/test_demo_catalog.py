"""`serve --demo` loads the demo catalog into an empty catalog only: a restart keeps what an
operator changed, and `cascade catalog load` is how the demo is loaded over a catalog."""

from __future__ import annotations

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.catalogs import demo_catalog

OFFERING = "po-fibre-broadband"


def test_the_demo_loads_into_an_empty_catalog_only(cascade: Cascade) -> None:
    offerings = cascade.repositories[kinds.PRODUCT_OFFERING]
    counts = cascade.catalogs.load_if_empty(demo_catalog())
    assert counts is not None
    assert counts["tmf620.productOffering"] == len(demo_catalog()["tmf620"]["productOffering"])

    def renamed(connection: Connection) -> None:
        loaded = offerings.load(connection, OFFERING)
        assert loaded is not None
        loaded.document["name"] = "Fibre, as the operator renamed it"
        offerings.save(connection, loaded)

    cascade.database.write_sync(renamed)
    assert cascade.catalogs.load_if_empty(demo_catalog()) is None  # the next start
    kept = cascade.database.read_sync(lambda c: offerings.peek(c, OFFERING))
    assert kept is not None and kept["name"] == "Fibre, as the operator renamed it"
    cascade.catalogs.load(demo_catalog())  # `cascade catalog load`: the demo over it
    back = cascade.database.read_sync(lambda c: offerings.peek(c, OFFERING))
    assert back is not None and back["name"] == "Fibre Broadband"


def test_any_catalog_entity_keeps_the_demo_out(cascade: Cascade) -> None:
    only_specs = {
        "tmf634": {"resourceSpecification": demo_catalog()["tmf634"]["resourceSpecification"][:1]}
    }
    cascade.catalogs.load(only_specs)
    assert cascade.catalogs.load_if_empty(demo_catalog()) is None
    offerings = cascade.repositories[kinds.PRODUCT_OFFERING]
    assert cascade.database.read_sync(lambda c: offerings.peek(c, OFFERING)) is None
