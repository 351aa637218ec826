"""Pools declared by resource specifications: ordinals, products, prefixes, scopes, refusals."""

from __future__ import annotations

import ipaddress
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cascade.catalogs import demo_catalog
from cascade.domain.pools import (
    IPV4_PREFIX,
    MissingScope,
    PoolDeclarationError,
    PoolDefinition,
    pool_for,
)
from tests.api.official_schemas import OfficialSchemas

TMF634 = "TMF634-ResourceCatalog-v4.1.0.swagger.json"


def spec(*characteristics: dict[str, Any], spec_id: str = "rs-test") -> dict[str, Any]:
    return {"id": spec_id, "name": "Test", "resourceSpecCharacteristic": list(characteristics)}


def allocated(name: str, *entries: dict[str, Any], value_type: str = "integer") -> dict[str, Any]:
    return {
        "name": name,
        "valueType": value_type,
        "configurable": False,
        "minCardinality": 1,
        "resourceSpecCharacteristicValue": list(entries),
    }


def scope(name: str) -> dict[str, Any]:
    return {"name": name, "valueType": "string", "configurable": False, "minCardinality": 1}


def span(low: int, high: int, interval: str = "closed") -> dict[str, Any]:
    return {"valueType": "integer", "valueFrom": low, "valueTo": high, "rangeInterval": interval}


def one(value: Any) -> dict[str, Any]:
    return {"valueType": "string", "value": value}


def prefix(cidr: str) -> dict[str, Any]:
    return {"valueType": IPV4_PREFIX, "value": cidr}


def pool(document: dict[str, Any]) -> PoolDefinition:
    found = pool_for(document)
    assert found is not None
    return found


def every_value(definition: PoolDefinition, context: dict[str, Any]) -> list[dict[str, Any]]:
    return [definition.values(ordinal, context) for ordinal in range(definition.size)]


# --- random declarations: each characteristic with its expected values, computed independently


@st.composite
def characteristic_with_values(draw: st.DrawFn, name: str) -> tuple[dict[str, Any], list[Any]]:
    kind = draw(st.sampled_from(["range", "two ranges", "list", "prefix"]))
    if kind in ("range", "two ranges"):
        low = draw(st.integers(-50, 10**12))
        high = low + draw(st.integers(0, 5))
        entries, expected = [span(low, high)], list(range(low, high + 1))
        if kind == "two ranges":
            second = high + draw(st.integers(2, 100))
            entries.append(span(second, second + 2))
            expected += list(range(second, second + 3))
        if draw(st.booleans()):  # valueType string: numbers are given as text
            return allocated(name, *entries, value_type="string"), [str(n) for n in expected]
        return allocated(name, *entries), expected
    if kind == "list":
        texts = draw(st.lists(st.text(min_size=1, max_size=6), min_size=2, max_size=4, unique=True))
        return allocated(name, *(one(text) for text in texts), value_type="string"), texts
    network = ipaddress.IPv4Network(
        (draw(st.integers(0, 2**32 - 1)), draw(st.integers(28, 32))), strict=False
    )
    hosts = [str(host) for host in network.hosts()]
    return allocated(name, prefix(str(network)), value_type="string"), hosts


@st.composite
def declarations(draw: st.DrawFn) -> tuple[dict[str, Any], list[tuple[str, list[Any]]]]:
    count = draw(st.integers(1, 3))
    pairs = [draw(characteristic_with_values(f"c{n}")) for n in range(count)]
    return spec(*(p[0] for p in pairs)), [(f"c{n}", p[1]) for n, p in enumerate(pairs)]


@settings(max_examples=150, deadline=None)
@given(declarations())
def test_ordinals_walk_the_cartesian_product_in_declaration_order(
    declared: tuple[dict[str, Any], list[tuple[str, list[Any]]]],
) -> None:
    document, expected = declared
    definition = pool(document)
    names = [name for name, _ in expected]
    product = [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(v for _, v in expected))
    ]
    assert definition.size == len(product)
    assert every_value(definition, {}) == product
    for ordinal, values in enumerate(product):
        assert definition.ordinal_of(values) == ordinal


def test_product_of_a_list_and_a_range_is_mixed_radix_with_the_first_most_significant() -> None:
    definition = pool(
        spec(
            allocated("oltId", one("olt-1"), one("olt-2"), value_type="string"),
            allocated("portNumber", span(1, 16)),
        )
    )
    assert definition.size == 32
    assert definition.values(0, {}) == {"oltId": "olt-1", "portNumber": 1}
    assert definition.values(15, {}) == {"oltId": "olt-1", "portNumber": 16}
    assert definition.values(16, {}) == {"oltId": "olt-2", "portNumber": 1}
    assert definition.values(31, {}) == {"oltId": "olt-2", "portNumber": 16}
    with pytest.raises(IndexError):
        definition.values(32, {})


def test_appending_to_the_first_characteristic_keeps_every_ordinal() -> None:
    before = pool(spec(allocated("oltId", one("a"), one("b")), allocated("port", span(1, 8))))
    after = pool(
        spec(allocated("oltId", one("a"), one("b"), one("c")), allocated("port", span(1, 8)))
    )
    assert every_value(before, {}) == every_value(after, {})[: before.size]


@pytest.mark.parametrize(
    ("cidr", "first", "last", "size"),
    [
        ("203.0.113.0/24", "203.0.113.1", "203.0.113.254", 254),
        ("100.64.0.0/16", "100.64.0.1", "100.64.255.254", 65534),
        ("192.0.2.8/30", "192.0.2.9", "192.0.2.10", 2),
        ("192.0.2.8/31", "192.0.2.8", "192.0.2.9", 2),
        ("192.0.2.8/32", "192.0.2.8", "192.0.2.8", 1),
    ],
)
def test_ipv4_prefix_allocates_host_addresses(cidr: str, first: str, last: str, size: int) -> None:
    definition = pool(spec(allocated("address", prefix(cidr), value_type="string")))
    assert definition.size == size
    assert definition.values(0, {}) == {"address": first}
    assert definition.values(size - 1, {}) == {"address": last}


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        ("closed", [1, 2, 3, 4]),
        ("open", [2, 3]),
        ("closedBottom", [1, 2, 3]),
        ("closedTop", [2, 3, 4]),
    ],
)
def test_range_interval_is_honoured(interval: str, expected: list[int]) -> None:
    definition = pool(spec(allocated("n", span(1, 4, interval))))
    assert [v["n"] for v in every_value(definition, {})] == expected


def test_scopes_are_part_of_the_key_and_of_the_values() -> None:
    definition = pool(spec(allocated("vlanId", span(100, 4000)), scope("oltId"), spec_id="rs-vlan"))
    assert definition.scopes == ("oltId",)
    assert definition.key({"oltId": "olt-1"}) == "rs-vlan|oltId=olt-1"
    assert definition.key({"oltId": "olt-2"}) != definition.key({"oltId": "olt-1"})
    assert definition.values(0, {"oltId": "olt-1", "other": 1}) == {"vlanId": 100, "oltId": "olt-1"}


def test_scope_values_cannot_forge_another_key() -> None:
    definition = pool(spec(allocated("n", span(1, 2)), scope("a"), scope("b")))
    assert definition.key({"a": "x|b=y", "b": "z"}) != definition.key({"a": "x", "b": "y|b=z"})
    assert definition.key({"a": 7, "b": "olt 1"}) == "rs-test|a=7|b=olt%201"


@pytest.mark.parametrize("context", [{}, {"oltId": None}, {"oltId": ""}, {"olt": "olt-1"}])
def test_a_missing_scope_is_named(context: dict[str, Any]) -> None:
    definition = pool(spec(allocated("vlanId", span(1, 9)), scope("oltId"), spec_id="rs-vlan"))
    with pytest.raises(MissingScope) as missing:
        definition.key(context)
    assert missing.value.name == "oltId"
    assert "'oltId'" in str(missing.value) and "rs-vlan" in str(missing.value)
    with pytest.raises(MissingScope):
        definition.values(0, context)


def test_fixed_values_are_copied_and_order_follows_the_declaration() -> None:
    definition = pool(
        spec(
            allocated("fixedFirst", one("as-is")),
            allocated("n", span(5, 6)),
            scope("site"),
        )
    )
    assert list(definition.values(1, {"site": "s1"}).items()) == [
        ("fixedFirst", "as-is"),
        ("n", 6),
        ("site", "s1"),
    ]


def test_characteristics_outside_the_pool_are_ignored() -> None:
    document = spec(
        allocated("n", span(1, 3)),
        {"name": "speed", "configurable": True, "resourceSpecCharacteristicValue": [span(1, 9)]},
        {"name": "later", "configurable": False, "minCardinality": 0},
        {"name": "unsaid", "resourceSpecCharacteristicValue": [span(1, 9)]},
    )
    definition = pool(document)
    assert definition.size == 3
    assert definition.values(0, {}) == {"n": 1}


@pytest.mark.parametrize(
    "characteristics",
    [
        [],
        [{"name": "speed", "configurable": True, "resourceSpecCharacteristicValue": [span(1, 9)]}],
        [allocated("fixed", one("x"))],
        [scope("oltId")],
    ],
)
def test_specs_that_allocate_nothing(characteristics: list[dict[str, Any]]) -> None:
    assert pool_for(spec(*characteristics)) is None
    assert pool_for({"id": "rs-bare"}) is None


@pytest.mark.parametrize(
    "entries",
    [
        [span(5, 4)],
        [span(1, 1, "open")],
        [span(1, 5), span(5, 9)],
        [{"valueType": "integer", "valueFrom": 1}],
        [one("a"), one("a")],
        [span(1, 5), {"valueType": "integer", "value": 3}],
        [prefix("203.0.113.0/24"), prefix("203.0.113.128/25")],
        [prefix("203.0.113.5/24")],
        [prefix("not-a-prefix")],
        [span(1, 5, "halfOpen")],
        [{"valueType": "integer"}],
    ],
)
def test_unusable_declarations_are_refused(entries: list[dict[str, Any]]) -> None:
    with pytest.raises(PoolDeclarationError):
        pool_for(spec(allocated("n", *entries)))


def test_unusable_specifications_are_refused() -> None:
    with pytest.raises(PoolDeclarationError):
        pool_for({"name": "no id"})
    with pytest.raises(PoolDeclarationError):
        pool_for(spec(allocated("n", span(1, 2)), allocated("n", span(3, 4))))


# --- the demo catalog ----------------------------------------------------------------------


def demo_specs() -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in demo_catalog()["tmf634"]["resourceSpecification"]}


def test_demo_specifications_are_valid_tmf634() -> None:
    schemas = OfficialSchemas()
    for document in demo_specs().values():  # a catalog file's entries: href is set when served
        schemas.check_shape(TMF634, "ResourceSpecification", document)


def test_demo_pools() -> None:
    pools = {spec_id: pool_for(document) for spec_id, document in demo_specs().items()}
    port, vlan = pools["rs-gpon-port"], pools["rs-vlan"]
    address, msisdn, sim = pools["rs-ipv4-address"], pools["rs-msisdn"], pools["rs-sim-card"]
    assert port is not None and vlan is not None and address is not None
    assert msisdn is not None and sim is not None

    assert port.key({}) == "rs-gpon-port"
    assert port.size == 4 * 1024
    assert port.values(1024, {}) == {"oltId": "olt-2", "portNumber": 1}

    assert vlan.key({"oltId": "olt-2"}) == "rs-vlan|oltId=olt-2"
    assert vlan.size == 3901
    assert vlan.values(0, {"oltId": "olt-2"}) == {"vlanId": 100, "oltId": "olt-2"}
    with pytest.raises(MissingScope):
        vlan.key({})

    assert address.size == 65534
    assert address.values(0, {}) == {"ipv4Address": "100.64.0.1", "poolPrefix": "100.64.0.0/16"}

    assert msisdn.size == 100_000
    assert msisdn.values(0, {}) == {"msisdn": "447700900000"}

    assert sim.size == 100_000
    assert sim.values(0, {}) == {"iccid": "8944990000000000000"}  # imsi is set at activation


def test_demo_allocated_values_satisfy_their_characteristics_regex() -> None:
    import re

    for document in demo_specs().values():
        definition = pool_for(document)
        if definition is None:
            continue
        regexes = {
            c["name"]: c["regex"] for c in document["resourceSpecCharacteristic"] if "regex" in c
        }
        for ordinal in (0, definition.size // 2, definition.size - 1):
            for name, value in definition.values(ordinal, {"oltId": "olt-1"}).items():
                if name in regexes:
                    assert re.fullmatch(regexes[name], str(value)), (name, value)
