"""TMF630 list-query parsing: operators, OR values, quoting, typing and refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cascade.apis.v4.ordering import TMF622
from cascade.tmf.errors import TmfError
from cascade.tmf.query import MAX_LIMIT, parse_list_query, split_values

SHAPE = TMF622.spec.shape("ProductOrder")


def parse(*pairs: tuple[str, str]):  # type: ignore[no-untyped-def]
    return parse_list_query(list(pairs), SHAPE)


def test_operators_and_or_values() -> None:
    query = parse(("state", "completed,failed"), ("orderDate.gte", "2026-01-01T01:00:00+01:00"))
    state, date = query.conditions
    assert (state.attribute, state.op, state.values) == ("state", "eq", ("completed", "failed"))
    assert (date.attribute, date.op, date.values) == (
        "orderDate",
        "gte",
        ("2026-01-01T00:00:00.000Z",),
    )


def test_dotted_paths_cross_arrays() -> None:
    (condition,) = parse(("productOrderItem.state", "completed")).conditions
    assert condition.path.segments == ("productOrderItem", "state")
    assert condition.path.crosses_array


def test_values_are_typed_by_the_schema() -> None:
    (quantity,) = parse(("productOrderItem.quantity.gt", "2")).conditions
    assert quantity.values == (2.0,)
    with pytest.raises(TmfError) as refused:
        parse(("productOrderItem.quantity", "two"))
    assert refused.value.status == 400
    with pytest.raises(TmfError):
        parse(("orderDate.gt", "yesterday"))


@pytest.mark.parametrize(
    "pair",
    [
        ("unknown", "x"),
        ("productOrderItem.nope", "x"),
        ("state.between", "a"),
        ("productOrderItem", "x"),  # an array of objects is not a value
        ("orderDate.gt", "2026-01-01T00:00:00Z,2026-02-01T00:00:00Z"),
        ("limit", "0"),
        ("limit", str(MAX_LIMIT + 1)),
        ("offset", "-1"),
        ("fields", "state,nothing"),
        ("sort", "productOrderItem.state"),
        ("offset", "1_000"),
        ("offset", "+1"),
        ("offset", "10000000000000000000000"),  # overflowed the SQL integer: a 500
        ("limit", " 5"),
        ("fields", ""),
        ("fields", "state,,id"),
        ("sort", ""),
        ("sort", "-"),
        ("sort", "state,"),
        ("sort", "state,-state"),
        ("state", ""),
        ("state", "a,,b"),
        ("state", '"acknowledged'),
        ("state", 'a,"b'),
        ("state", '"a"b'),
    ],
)
def test_refusals(pair: tuple[str, str]) -> None:
    with pytest.raises(TmfError) as refused:
        parse(pair)
    assert refused.value.status == 400


def test_sort_fields_and_paging() -> None:
    query = parse(
        ("sort", "-orderDate,state"), ("fields", "state"), ("offset", "5"), ("limit", "7")
    )
    assert [(k.attribute, k.descending) for k in query.sort] == [
        ("orderDate", True),
        ("state", False),
    ]
    assert query.fields == frozenset({"state"})
    assert (query.offset, query.limit) == (5, 7)


@pytest.mark.parametrize(
    ("pairs", "code", "says"),
    [
        ([("state", '"acknowledged')], "invalidFilter", "quote opens and never closes"),
        ([("state", '"a" b')], "invalidFilter", "after a closing quote"),
        ([("state.like", "a")], "unknownOperator", "Unknown operator 'like' on 'state'"),
        ([("orderDate.after", "x")], "unknownOperator", "eq, ne, gt, gte, lt, lte"),
        ([("productOrderItem.nope", "x")], "unknownAttribute", "productOrderItem.nope"),
        ([("state", "a"), ("state", "b")], "duplicateFilter", "state=a,b"),
        ([("state", "a"), ("state.eq", "b")], "duplicateFilter", "given twice"),
        ([("orderDate.gt", "2026-01-01"), ("orderDate.gt", "2026-02-01")], "duplicateFilter", ""),
        ([("limit", "1"), ("limit", "2")], "duplicateParameter", "'limit' is given twice"),
        ([("offset", "1"), ("offset", "1")], "duplicateParameter", "'offset'"),
        ([("fields", "id"), ("fields", "state")], "duplicateParameter", "'fields'"),
        ([("sort", "id"), ("sort", "state")], "duplicateParameter", "'sort'"),
    ],
)
def test_refusals_say_what_is_wrong(pairs: list[tuple[str, str]], code: str, says: str) -> None:
    with pytest.raises(TmfError) as refused:
        parse(*pairs)
    assert (refused.value.status, refused.value.code) == (400, code)
    assert says in refused.value.message


def test_what_stays_a_query() -> None:
    """A range is one attribute with two operators; eq and ne combine; through an array two
    values mean "has both"; a quote inside an unquoted value is a character."""
    assert (
        len(parse(("orderDate.gt", "2026-01-01"), ("orderDate.lt", "2026-02-01")).conditions) == 2
    )
    assert len(parse(("state", "a"), ("state.ne", "b")).conditions) == 2
    both = parse(("productOrderItem.state", "a"), ("productOrderItem.state", "b"))
    assert [c.values for c in both.conditions] == [("a",), ("b",)]
    (inch,) = parse(("description", 'a 5" pipe')).conditions
    assert inch.values == ('a 5" pipe',)
    (empty,) = parse(("description", '""')).conditions
    assert empty.values == ("",)
    assert parse(("offset", "1000000000"), ("limit", "1000")).offset == 1_000_000_000


def test_quoted_values_keep_their_commas() -> None:
    assert split_values('"a,b",c') == ["a,b", "c"]
    assert split_values('"quoted"') == ["quoted"]
    assert split_values(' "a" , b ,"c"') == ["a", "b", "c"]


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters=',"'), min_size=1), min_size=1))
def test_split_round_trips_plain_values(values: list[str]) -> None:
    stripped = [v.strip() for v in values]
    if all(stripped):
        assert split_values(",".join(values)) == stripped


@given(st.text())
def test_parser_never_crashes(raw: str) -> None:
    try:
        parse(("state", raw), ("orderDate.lt", raw), ("productOrderItem.quantity", raw))
    except TmfError as error:
        assert error.status == 400
