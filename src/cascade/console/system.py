"""Watch the system, for administrators: the components and their links, and the audit trail.

The audit page reads the trail as `GET /cascade/audit` does (the same filters, the same
party narrowing, its scopes). The components page shows what `cascade component status`
says, read through a function the composition root hands over (`Console.components`): the
console does not import the components package (docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, get

from cascade.console.auth import Viewer
from cascade.console.context import Console
from cascade.console.listing import ORDER_KINDS
from cascade.console.render import error_page, page
from cascade.security.audit import parse_audit_query, read_entries
from cascade.tmf.errors import TmfError

AUDIT_ROUTE = "cascade.audit"  # the API route whose scopes both pages need (admin)
AUDIT_FILTERS = ("kind", "entityId", "actor", "action")
AUDIT_PAGE = 50


def system_handlers(console: Console) -> list[Any]:
    def context(viewer: Viewer) -> dict[str, Any]:
        return {"viewer": viewer, "console": console, "kinds": ORDER_KINDS}

    def refused(request: Request[Any, Any, Any], viewer: Viewer) -> Response[Any] | None:
        if console.auth.may(viewer, AUDIT_ROUTE):
            return None
        error = TmfError(403, "insufficientScope", "This page needs the scope admin")
        return error_page(request, error, **context(viewer))

    @get("/console/components", name="console.components", media_type=MediaType.HTML)
    async def components(request: Request[Any, Any, Any]) -> Response[Any]:
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        if (answer := refused(request, viewer)) is not None:
            return answer
        source = console.components
        report = await console.database.read(source) if source is not None else None
        return page(request, "components.html", report=report, **context(viewer))

    @get("/console/audit", name="console.audit", media_type=MediaType.HTML)
    async def audit(request: Request[Any, Any, Any]) -> Response[Any]:
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        if (answer := refused(request, viewer)) is not None:
            return answer
        query_params = request.query_params
        asked = {name: (query_params.get(name) or "").strip() for name in AUDIT_FILTERS}
        filters = {name: value for name, value in asked.items() if value}
        try:
            start = max(0, int(request.query_params.get("offset") or 0))
        except ValueError:
            start = 0
        params = [*filters.items(), ("offset", str(start)), ("limit", str(AUDIT_PAGE))]
        try:
            query = parse_audit_query(params, viewer.caller.party)
        except TmfError as error:
            return error_page(request, error, **context(viewer))
        entries, total = await console.database.read(lambda c: read_entries(c, query))
        found: dict[str, Any] = {"entries": entries, "total": total, "offset": start}
        found |= {"size": AUDIT_PAGE, "filters": filters}
        return page(request, "audit.html", **found, **context(viewer))

    return [components, audit]
