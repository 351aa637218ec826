"""OpenTelemetry spans: off by default, on when the standard OTEL_* variables ask for it.

Off, every helper here returns a shared no-op context manager: no span object, no context
switch. On, requests, controller steps and event deliveries are spans. The steps of one
order tree are children of the request that created it: the order keeps the request's
`traceparent` (`request_traceparent`), and its steps, its children's and the POSTs that
forward them to another component continue it (`tree_context`). A tree no request's context
was kept for (created while tracing was off) has a trace derived from the product order's id
(`order_context`) (ADR 0024).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
)

log = logging.getLogger(__name__)

SERVICE_NAME = "cascade"
CLIENT, SERVER = SpanKind.CLIENT, SpanKind.SERVER
_OFF: AbstractContextManager[None] = nullcontext()
T = TypeVar("T")
R = TypeVar("R")
TraceContext = Context  # what the parent of a span is given as, for the modules that pass one


class _Installed:
    """This process's tracer provider and tracer; both None while tracing is off."""

    provider: TracerProvider | None = None
    tracer: trace.Tracer | None = None


def enabled() -> bool:
    return _Installed.tracer is not None


def install(provider: TracerProvider | None) -> None:
    """Trace with `provider` from now on (None: tracing off). Tests install an in-memory one."""
    _Installed.provider = provider
    _Installed.tracer = None if provider is None else provider.get_tracer("cascade")


def shutdown() -> None:
    """Flush and stop the installed provider's exporters (at process exit)."""
    if _Installed.provider is not None:
        _Installed.provider.shutdown()
    install(None)


def configure_from_environment(environ: Mapping[str, str] | None = None) -> bool:
    """Turn tracing on if OTEL_TRACES_EXPORTER (otlp, console) or an OTLP endpoint is set.

    OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none keep it off. The exporter reads the
    other OTEL_EXPORTER_OTLP_* variables (headers, timeout), the provider OTEL_TRACES_SAMPLER
    and OTEL_RESOURCE_ATTRIBUTES. Returns whether tracing is on.
    """
    variables = os.environ if environ is None else environ
    exporter = _exporter_for(variables)
    if exporter is None:
        return False
    name = variables.get("OTEL_SERVICE_NAME") or SERVICE_NAME
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    install(provider)
    log.info("tracing on: spans exported by %s", type(exporter).__name__)
    return True


def _exporter_for(variables: Mapping[str, str]) -> SpanExporter | None:
    if variables.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    chosen = variables.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    endpoint = variables.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or variables.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    if chosen == "console":
        return ConsoleSpanExporter()
    if chosen == "otlp" or (not chosen and endpoint):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if chosen not in ("", "none"):
        log.warning("OTEL_TRACES_EXPORTER=%s is not supported (otlp, console): tracing off", chosen)
    return None


def order_context(root_id: str) -> Context:
    """The context of an order tree's trace: its ids derived from the product order's id."""
    digest = hashlib.sha256(root_id.encode()).digest()
    parent = SpanContext(
        trace_id=int.from_bytes(digest[:16], "big") or 1,
        span_id=int.from_bytes(digest[16:24], "big") or 1,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    return trace.set_span_in_context(NonRecordingSpan(parent))


def tree_context(root_id: str, traceparent: str | None) -> Context:
    """The parent of an order tree's spans: the kept context of the request that created it,
    else one derived from the root's id."""
    kept = None if traceparent is None else parent_context(traceparent)
    return kept if kept is not None else order_context(root_id)


def request_traceparent() -> str | None:
    """The W3C `traceparent` of the request being served (its server span), else None: what
    an order created by this request keeps as the parent of its steps (ADR 0024)."""
    if not enabled():
        return None
    current = trace.get_current_span()
    if getattr(current, "kind", None) != SpanKind.SERVER:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def parent_context(traceparent: str) -> Context | None:
    """The context a kept `traceparent` names (None if it is not one)."""
    found = propagate.extract({"traceparent": traceparent})
    valid = trace.get_current_span(found).get_span_context().is_valid
    return found if valid else None


def carried(job: Callable[[T], R]) -> Callable[[T], R]:
    """`job`, run in the caller's trace context wherever it runs (the writer's thread): a
    request's writes see its span. Unchanged while tracing is off."""
    if not enabled():
        return job
    context = otel_context.get_current()

    def in_context(argument: T) -> R:
        token = otel_context.attach(context)
        try:
            return job(argument)
        finally:
            otel_context.detach(token)

    return in_context


def span(
    name: str,
    attributes: Mapping[str, str | int] | None = None,
    *,
    context: Context | None = None,
    kind: SpanKind = SpanKind.INTERNAL,
) -> AbstractContextManager[Any]:
    """A span around a block (the no-op when tracing is off); an exception marks it failed."""
    tracer = _Installed.tracer
    if tracer is None:
        return _OFF
    return _recorded(tracer, name, dict(attributes or {}), context, kind)


@contextmanager
def _recorded(
    tracer: trace.Tracer,
    name: str,
    attributes: dict[str, str | int],
    context: Context | None,
    kind: SpanKind,
) -> Iterator[trace.Span]:
    with tracer.start_as_current_span(
        name, context=context, kind=kind, attributes=attributes, record_exception=True
    ) as current:
        yield current


def failed(current: Any, reason: str) -> None:
    """Mark a span failed without an exception (an HTTP 5xx, a refused delivery)."""
    if isinstance(current, trace.Span):
        current.set_status(Status(StatusCode.ERROR, reason))


def incoming(headers: Mapping[str, str]) -> Context | None:
    """The caller's trace context (W3C `traceparent`), when tracing is on."""
    return propagate.extract(headers) if enabled() else None


def outgoing(headers: MutableMapping[str, str]) -> None:
    """Add the current trace context (W3C `traceparent`) to a request's headers."""
    if enabled():
        propagate.inject(headers)
