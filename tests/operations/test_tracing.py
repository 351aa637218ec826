"""Traces: off by default; on, the steps of one order tree are the trace of the request that
created it (derived from the product order's id when no request's was kept), and requests are
server spans continuing a caller's W3C traceparent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from cascade.fulfilment.layers.documents import parent_named
from cascade.fulfilment.layers.trace_roots import TraceRoots
from cascade.telemetry import tracing
from tests.fulfilment.conftest import FAST, PO, Chain, broadband, com_before, running_chain
from tests.fulfilment.test_component_forwarding import SO_PATH, ScriptedSom

LAYERS = ("productOrder", "serviceOrder", "resourceOrder")
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    try:
        yield exporter
    finally:
        tracing.install(None)
        provider.shutdown()


@pytest.fixture
def chain(database_url: str) -> Iterator[Chain]:
    with running_chain(database_url, FAST) as running:
        yield running


def steps_of(exporter: InMemorySpanExporter, kind: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == f"step {kind}"]


def test_one_orders_steps_are_the_trace_of_the_request_that_created_it(
    chain: Chain, spans: InMemorySpanExporter
) -> None:
    order_id = chain.place(broadband())["id"]
    assert chain.wait_for(order_id)["state"] == "completed"
    created = [s for s in spans.get_finished_spans() if s.name == "POST tmf622.productOrder.create"]
    assert len(created) == 1
    (request,) = created
    assert request.kind == SpanKind.SERVER and request.context is not None
    assert request.attributes is not None
    assert request.attributes["http.route"] == "tmf622.productOrder.create"
    for kind in LAYERS:
        found = steps_of(spans, kind)
        assert found, f"no span of a {kind} step"
        for span in found:
            assert span.context is not None and span.parent is not None
            assert span.context.trace_id == request.context.trace_id, kind
            # Every step hangs from the request: the service and resource orders' too.
            assert span.parent.span_id == request.context.span_id, kind
            assert span.attributes is not None
            assert span.attributes["cascade.root_order_id"] == order_id


def test_an_order_placed_under_a_callers_trace_is_fulfilled_in_it(
    chain: Chain, spans: InMemorySpanExporter
) -> None:
    traceparent = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
    response = chain.client.post(
        PO, json={"productOrderItem": [broadband()]}, headers={"traceparent": traceparent}
    )
    assert response.status_code == 201, response.text
    order_id = response.json()["id"]
    assert chain.wait_for(order_id)["state"] == "completed"
    steps = [s for kind in LAYERS for s in steps_of(spans, kind)]
    assert steps and {format(s.context.trace_id, "032x") for s in steps if s.context} == {
        CALLER_TRACE
    }


def test_an_order_created_while_tracing_was_off_keeps_the_derived_trace(
    chain: Chain,
) -> None:
    order_id = chain.place(broadband())["id"]  # no provider installed: nothing kept
    assert chain.wait_for(order_id)["state"] == "completed"
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    try:
        roots = TraceRoots(chain.cascade.repositories)
        found = chain.cascade.database.read_sync(lambda c: roots(c, "productOrder", order_id))
    finally:
        tracing.install(None)
        provider.shutdown()
    assert found == (order_id, None)


def test_a_request_continues_the_callers_trace(chain: Chain, spans: InMemorySpanExporter) -> None:
    traceparent = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
    assert chain.client.get("/health/live", headers={"traceparent": traceparent}).status_code == 200
    [span] = [s for s in spans.get_finished_spans() if s.name == "GET health.live"]
    assert span.context is not None and span.parent is not None
    assert format(span.context.trace_id, "032x") == CALLER_TRACE
    assert format(span.parent.span_id, "016x") == CALLER_SPAN


def test_off_by_default_nothing_is_recorded(chain: Chain) -> None:
    assert not tracing.enabled()
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))  # installed nowhere
    assert chain.client.get("/health/live").status_code == 200
    with tracing.span("anything") as span:
        assert span is None  # the shared no-op
    assert exporter.get_finished_spans() == ()


@pytest.mark.parametrize(
    ("environment", "on"),
    [
        ({}, False),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
    ],
)
def test_the_standard_variables_switch_tracing_on(environment: dict[str, str], on: bool) -> None:
    try:
        assert tracing.configure_from_environment(environment) is on
        assert tracing.enabled() is on
    finally:
        tracing.shutdown()
    assert not tracing.enabled()


@pytest.fixture
def som() -> ScriptedSom:
    return ScriptedSom()


@pytest.fixture
def com(database_url: str, som: ScriptedSom) -> Iterator[Chain]:
    """COM as a component, in front of a scripted SOM (tests/fulfilment)."""
    with com_before(database_url, som, poll_interval_s=0.2) as running:
        yield running


def test_a_forwarded_order_carries_the_trace_to_the_next_component(
    com: Chain, som: ScriptedSom, spans: InMemorySpanExporter
) -> None:
    order_id = com.place(broadband())["id"]
    assert com.wait_for(order_id)["state"] == "completed"
    posted = [post for post in som.posts if post.url.path == SO_PATH]
    assert posted, "nothing was forwarded"
    forwards = [s for s in spans.get_finished_spans() if s.name == "forward POST"]
    sent_by = {format(s.context.span_id, "016x") for s in forwards if s.context}
    for forwarded in posted:  # a retry is a span of its own
        assert forwarded.headers["traceparent"].split("-")[2] in sent_by
    # SOM finds the trace of the product order from the order it was sent (trace_roots.py).
    assert parent_named(json.loads(posted[0].content), "ProductOrder") == (order_id, "1")
    # One trace: the request that created the order, its steps, and what they forwarded.
    (request,) = [s for s in spans.get_finished_spans() if s.name.startswith("POST tmf622.")]
    assert request.context is not None
    expected = request.context.trace_id
    assert {s.context.trace_id for s in steps_of(spans, "productOrder") if s.context} == {expected}
    # The service order's forwarded POSTs continue it (not the hub subscription's POST, which
    # is no order's): the next component's request, and its steps, join the trace.
    assert {post.headers["traceparent"].split("-")[1] for post in posted} == {
        format(expected, "032x")
    }
