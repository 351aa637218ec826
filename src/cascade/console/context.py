"""What the console's pages work with, handed over by the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.response import Redirect

from cascade.console.auth import ConsoleAuth, Viewer
from cascade.console.listing import ORDER_KINDS, OrderKind
from cascade.console.reports import ComponentsSource
from cascade.frontend.resource import TmfResource
from cascade.repositories import Repositories
from cascade.storage.database import Database
from cascade.tmf.errors import not_found

SIGN_IN = "/console/signin"


@dataclass(frozen=True)
class Console:
    auth: ConsoleAuth
    resources: Mapping[str, TmfResource]  # by route prefix: tmf622.productOrder
    repositories: Repositories
    database: Database
    # A live page re-reads its order when an event about its tree has committed, and this
    # often without one (a net; settings.console_live_reread_s).
    live_reread_s: float = 10.0
    components: ComponentsSource | None = None  # this process as a component (bootstrap)

    async def viewer(self, request: Request[Any, Any, Any]) -> Viewer | Response[Any]:
        """The signed-in viewer, or the redirect to the sign-in page."""
        viewer = await self.auth.viewer(request)
        if viewer is None:
            return Redirect(SIGN_IN, status_code=303)
        return viewer


def order_kind(name: str) -> OrderKind:
    found = ORDER_KINDS.get(name)
    if found is None:
        raise not_found(f"Order list '{name}'")
    return found
