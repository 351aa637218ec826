"""Every route of the console, and its static assets (served from the package, no CDN)."""

from __future__ import annotations

from typing import Any

from litestar.static_files import create_static_files_router

from cascade.console.acting import action_handlers
from cascade.console.catalog import catalog_handlers
from cascade.console.context import Console
from cascade.console.pages import page_handlers
from cascade.console.placing import placing_handlers
from cascade.console.render import STATIC_DIR, STATIC_PATH
from cascade.console.system import system_handlers
from cascade.console.watch import watch_handler


def console_routes(console: Console) -> list[Any]:
    static = create_static_files_router(
        path=STATIC_PATH, directories=[str(STATIC_DIR)], name="console.static"
    )
    return [
        *page_handlers(console),
        *action_handlers(console),
        watch_handler(console),
        *catalog_handlers(console),
        *system_handlers(console),
        *placing_handlers(console),
        static,
    ]
