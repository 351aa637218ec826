"""`cascade worker`: the fulfilment controllers without HTTP (several may run on PostgreSQL).

With `--metrics-port` it also listens for `/health/live`, `/health/ready` and `/metrics`
only (docs/operations.md); without it, it serves nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import TYPE_CHECKING, Annotated

import typer

from cascade.cli.options import DatabaseOption, require_schema
from cascade.cli.security import process_security
from cascade.settings import (
    DEFAULT_DATABASE,
    DEFAULT_HOST,
    DEFAULT_PORT,
    Settings,
    with_environment,
)

if TYPE_CHECKING:
    import uvicorn

    from cascade.bootstrap import Cascade

LOG = logging.getLogger("cascade.worker")

MetricsPortOption = Annotated[
    int | None,
    typer.Option(
        envvar="CASCADE_METRICS_PORT",
        help="Serve /health/live, /health/ready and /metrics on this port (default: none).",
    ),
]
MetricsHostOption = Annotated[
    str,
    typer.Option(envvar="CASCADE_METRICS_HOST", help="The address --metrics-port listens on."),
]


def worker(
    database: DatabaseOption = DEFAULT_DATABASE,
    metrics_port: MetricsPortOption = None,
    metrics_host: MetricsHostOption = DEFAULT_HOST,
) -> None:
    """Run the fulfilment controllers without serving HTTP (several may run on PostgreSQL)."""
    from cascade.bootstrap import build
    from cascade.security.logs import use_log_format
    from cascade.telemetry import tracing

    security = process_security()
    use_log_format(security.log_format)  # JSON lines, secrets masked, as `serve` writes them
    require_schema(database)
    # The serving processes' address (CASCADE_HOST, CASCADE_PORT, CASCADE_PUBLIC_URL): a worker
    # delivering events checks callback hosts as they do (loopback callbacks only beside a
    # server on loopback), and a component's worker subscribes with their inbox as callback.
    settings = Settings(
        database_url=database,
        host=os.environ.get("CASCADE_HOST", DEFAULT_HOST),
        port=int(os.environ.get("CASCADE_PORT", DEFAULT_PORT)),
        public_url=os.environ.get("CASCADE_PUBLIC_URL"),
        security=security,
    )
    tracing.configure_from_environment()
    cascade = build(with_environment(settings))
    use_log_format(security.log_format)  # again: building the app set Litestar's own handler
    try:
        asyncio.run(_run(cascade, database, metrics_host, metrics_port))
    finally:
        cascade.close()
        tracing.shutdown()


async def _run(cascade: Cascade, database: str, host: str, port: int | None) -> None:
    """The controllers until SIGINT or SIGTERM, and the operations listener if asked for."""
    runtime = cascade.chain.runtime
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start()
    listener = None if port is None else _listener(cascade, host, port)
    serving = None if listener is None else asyncio.create_task(listener.serve())
    where = "" if port is None else f", /metrics and /health on {host}:{port}"
    LOG.info("worker %s running controllers on %s%s", runtime.owner, database, where)
    await stop.wait()
    if listener is not None and serving is not None:
        listener.should_exit = True
        await serving
    await runtime.stop()
    LOG.info("worker %s stopped after %d steps", runtime.owner, runtime.steps_done)


def _listener(cascade: Cascade, host: str, port: int) -> uvicorn.Server:
    """Uvicorn serving the operations routes; a signal ends it (and then the worker)."""
    import uvicorn

    from cascade.bootstrap import operations_app

    app = operations_app(cascade, host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    return uvicorn.Server(config)
