"""Merge Patch (RFC 7386) and JSON Patch (RFC 6902) handling."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cascade.tmf.errors import TmfError
from cascade.tmf.patching import Patch, merge_patch, parse_patch, patch_kind

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


def test_merge_patch_rfc_examples() -> None:
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {"a": {"b": "d"}}
    assert merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}


@given(st.dictionaries(st.text(max_size=3), json_values, max_size=4), json_values)
def test_merge_patch_never_mutates_its_inputs(target: dict[str, Any], patch: Any) -> None:
    before_target, before_patch = repr(target), repr(patch)
    merge_patch(target, patch)
    assert (repr(target), repr(patch)) == (before_target, before_patch)


@given(st.dictionaries(st.text(max_size=3), json_values, max_size=4))
def test_merge_patch_is_idempotent(patch: dict[str, Any]) -> None:
    once = merge_patch({"x": 1}, patch)
    assert merge_patch(once, patch) == once


def test_media_types() -> None:
    assert patch_kind("application/merge-patch+json") == "merge"
    assert patch_kind("application/json; charset=utf-8") == "merge"
    assert patch_kind("application/json-patch+json") == "json"
    with pytest.raises(TmfError) as refused:
        patch_kind("text/plain")
    assert refused.value.status == 415


def test_json_patch_touches_first_level_attributes() -> None:
    patch = parse_patch(
        "json",
        [
            {"op": "add", "path": "/note/-", "value": {"text": "x"}},
            {"op": "move", "from": "/orderDate", "path": "/description"},
            {"op": "test", "path": "/state", "value": "acknowledged"},
        ],
    )
    assert patch.touched_attributes() == {"note", "orderDate", "description"}


def test_json_patch_failures_are_client_errors() -> None:
    with pytest.raises(TmfError) as failed_test:
        Patch("json", [{"op": "test", "path": "/a", "value": 2}]).apply({"a": 1})
    assert failed_test.value.status == 409
    with pytest.raises(TmfError) as bad_path:
        Patch("json", [{"op": "remove", "path": "/missing"}]).apply({"a": 1})
    assert bad_path.value.status == 400
    with pytest.raises(TmfError):
        parse_patch("json", {"op": "add"})
