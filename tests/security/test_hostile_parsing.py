"""Property tests on the parsers hostile input reaches first: any query parameter and any
patch body ends in a result or a TMF 4xx, never in another exception (which would be a 500)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cascade.apis.v4.ordering import TMF622
from cascade.tmf.errors import TmfError
from cascade.tmf.patching import parse_patch, refuse_non_patchable
from cascade.tmf.query import parse_list_query
from cascade.tmf.schema import resolve_path

SHAPE = TMF622.spec.shape("ProductOrder")
NAMES = sorted(SHAPE.properties)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=12,
)
# Names that exist (with dotted paths and operator suffixes), and names that do not.
keys = st.one_of(
    st.sampled_from(NAMES),
    st.builds(
        lambda a, b, op: ".".join(p for p in (a, b, op) if p),
        st.sampled_from(NAMES),
        st.sampled_from(["", "id", "state", "name", "value", "@type"]),
        st.sampled_from(["", "eq", "ne", "gt", "gte", "lt", "lte", "like"]),
    ),
    st.sampled_from(["fields", "sort", "limit", "offset"]),
    st.text(max_size=12),
)


@settings(max_examples=300)
@given(st.lists(st.tuples(keys, st.text(max_size=20)), max_size=6))
def test_any_query_is_a_query_or_a_400(params: list[tuple[str, str]]) -> None:
    try:
        query = parse_list_query(params, SHAPE)
    except TmfError as error:
        assert error.status == 400
        return
    for condition in query.conditions:  # only attributes of the schema reach a store
        assert resolve_path(SHAPE, condition.attribute) is not None
    for key in query.sort:
        assert resolve_path(SHAPE, key.attribute) is not None
    assert 1 <= query.limit <= 1000


operations = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "drop"])},
    optional={
        "path": st.sampled_from(["/description", "/note/0", "/note/-", "/x/y", "", "/", "~"])
        | st.text(max_size=6),
        "from": st.sampled_from(["/description", "/note", "/nope"]),
        "value": json_values,
    },
)


@settings(max_examples=300)
@given(
    st.one_of(st.lists(operations, max_size=4), json_values),
    st.dictionaries(st.sampled_from(["description", "note", "state"]), json_values, max_size=3),
)
def test_any_json_patch_applies_or_is_a_4xx(body: Any, document: dict[str, Any]) -> None:
    try:
        patch = parse_patch("json", body)
        refuse_non_patchable(patch.touched_attributes(), frozenset({"id", "href"}))
        patch.apply(document)
    except TmfError as error:
        assert 400 <= error.status < 500


@settings(max_examples=200)
@given(json_values, st.dictionaries(st.text(max_size=4), json_values, max_size=3))
def test_any_merge_patch_applies_or_is_a_400(body: Any, document: dict[str, Any]) -> None:
    try:
        result = parse_patch("merge", body).apply(document)
    except TmfError as error:
        assert error.status == 400
        return
    assert isinstance(result, dict)
