"""`cascade worker`: the fulfilment controllers without HTTP (several may run on PostgreSQL)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import typer

from cascade.cli.options import DatabaseOption, require_schema
from cascade.settings import (
    DEFAULT_DATABASE,
    DEFAULT_HOST,
    DEFAULT_PORT,
    Settings,
    with_environment,
)


def worker(database: DatabaseOption = DEFAULT_DATABASE) -> None:
    """Run the fulfilment controllers without serving HTTP (several may run on PostgreSQL)."""
    from cascade.bootstrap import build

    require_schema(database)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # The serving processes' address (CASCADE_HOST, CASCADE_PORT, CASCADE_PUBLIC_URL): a worker
    # delivering events checks callback hosts as they do (loopback callbacks only beside a
    # server on loopback), and a component's worker subscribes with their inbox as callback.
    settings = Settings(
        database_url=database,
        host=os.environ.get("CASCADE_HOST", DEFAULT_HOST),
        port=int(os.environ.get("CASCADE_PORT", DEFAULT_PORT)),
        public_url=os.environ.get("CASCADE_PUBLIC_URL"),
    )
    cascade = build(with_environment(settings))
    runtime = cascade.chain.runtime

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await runtime.start()
        typer.echo(f"worker {runtime.owner} running controllers on {database}")
        await stop.wait()
        await runtime.stop()
        typer.echo(f"worker {runtime.owner} stopped after {runtime.steps_done} steps")

    try:
        asyncio.run(run())
    finally:
        cascade.close()
