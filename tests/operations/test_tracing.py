"""Traces: off by default; on, the steps of one order tree share one trace, derived from the
product order's id, and requests are server spans continuing a caller's W3C traceparent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, get_current_span

from cascade.fulfilment.layers.documents import parent_named
from cascade.telemetry import tracing
from tests.fulfilment.conftest import FAST, Chain, broadband, com_before, running_chain
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


def test_one_orders_steps_are_one_trace(chain: Chain, spans: InMemorySpanExporter) -> None:
    order_id = chain.place(broadband())["id"]
    assert chain.wait_for(order_id)["state"] == "completed"
    expected = get_current_span(tracing.order_context(order_id)).get_span_context().trace_id
    for kind in LAYERS:
        found = steps_of(spans, kind)
        assert found, f"no span of a {kind} step"
        for span in found:
            assert span.context is not None
            assert span.context.trace_id == expected, kind
            assert span.attributes is not None
            assert span.attributes["cascade.root_order_id"] == order_id
    created = [s for s in spans.get_finished_spans() if s.name == "POST tmf622.productOrder.create"]
    assert len(created) == 1
    assert created[0].kind == SpanKind.SERVER
    assert created[0].attributes is not None
    assert created[0].attributes["http.route"] == "tmf622.productOrder.create"


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
    expected = get_current_span(tracing.order_context(order_id)).get_span_context().trace_id
    assert {s.context.trace_id for s in steps_of(spans, "productOrder") if s.context} == {expected}
