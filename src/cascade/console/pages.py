"""The console's pages: the order list, an order's detail and its live stream."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get
from litestar.params import FromPath
from litestar.response import Redirect, ServerSentEvent

from cascade.console.actions import offered
from cascade.console.auth import Viewer
from cascade.console.context import Console, order_kind
from cascade.console.detail import ENDED, Node, TimelineEntry, read_detail, sorted_timeline
from cascade.console.listing import ORDER_KINDS, OrderKind, filters_of, list_orders, page_of
from cascade.console.live import live_stream
from cascade.console.render import error_page, page
from cascade.console.retry import retry_problems
from cascade.console.single import read_single
from cascade.storage.committed import reads_noted
from cascade.tmf.errors import TmfError


def page_handlers(console: Console) -> list[Any]:
    @get("/", name="console.root", include_in_schema=False)
    async def root() -> Redirect:
        return Redirect("/console/", status_code=302)

    @get("/console", name="console.orders", media_type=MediaType.HTML)
    async def orders(request: Request[Any, Any, Any]) -> Response[Any]:
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        query = dict(request.query_params)
        chosen = order_kind(query.get("kind") or "productOrder")
        filters = filters_of(query)
        context: dict[str, Any] = {
            "viewer": viewer,
            "console": console,
            "kinds": ORDER_KINDS,
            "order_kind": chosen,
        }
        try:
            listing = await list_orders(
                console.resources[chosen.resource],
                chosen,
                filters,
                page_of(query.get("page")),
                viewer.caller,
            )
        except TmfError as error:
            return error_page(request, error, **context)
        return page(request, "orders.html", listing=listing, **context)

    @get("/console/{kind:str}/{order_id:str}", name="console.order", media_type=MediaType.HTML)
    async def order(
        request: Request[Any, Any, Any], kind: FromPath[str], order_id: FromPath[str]
    ) -> Response[Any]:
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        chosen = order_kind(kind)
        context: dict[str, Any] = {
            "viewer": viewer,
            "console": console,
            "kinds": ORDER_KINDS,
            "order_kind": chosen,
        }
        try:
            found = await _detail(console, viewer, chosen, order_id)
        except TmfError as error:
            return error_page(request, error, **context)
        return page(request, "order.html", **found, **context)

    return [root, orders, order, _live_handler(console)]


def _live_handler(console: Console) -> Any:
    @get("/console/{kind:str}/{order_id:str}/live", name="console.live")
    async def live(
        request: Request[Any, Any, Any], kind: FromPath[str], order_id: FromPath[str]
    ) -> Response[Any]:
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        chosen = order_kind(kind)
        await _detail(console, viewer, chosen, order_id)  # 404 for what the viewer may not see
        token = request.cookies.get("cascade_csrf", "")

        async def detail() -> dict[str, Any] | None:
            """The order as the viewer sees it now; None once the viewer's credential no
            longer signs in (revoked, expired): each re-read authenticates it again."""
            now = await console.auth.viewer(request)
            return None if now is None else await _detail(console, now, chosen, order_id)

        context = {"csrf": token, "order_kind": chosen, "viewer": viewer}
        return ServerSentEvent(live_stream(console, detail, context))

    return live


async def _detail(
    console: Console, viewer: Viewer, chosen: OrderKind, order_id: str
) -> dict[str, Any]:
    """The order's tree, timeline and the viewer's actions (404 when it may not see it), and
    `watched`: the ids of every entity the tree was read from or looked for."""
    written = await console.resources[chosen.resource].retrieve(order_id, None, viewer.caller)
    document = msgspec.json.decode(written.body)
    repositories = console.repositories

    def read(connection: Any) -> tuple[tuple[Node, list[TimelineEntry]] | None, set[str]]:
        with reads_noted(connection) as watched:
            if chosen.name == "productOrder":
                return read_detail(connection, repositories, order_id), watched
            return read_single(connection, repositories, chosen, order_id), watched

    found, watched = await console.database.read(read)
    if found is None:
        raise TmfError(404, "notFound", f"{chosen.kind.entity} '{order_id}' not found")
    tree, timeline = found
    actions = offered(console.auth, viewer, chosen, tree.state)
    unsafe: list[str] = []
    if any(action.name == "retry" for action in actions):
        unsafe = await console.database.read(lambda c: retry_problems(c, repositories, order_id))
        if unsafe:
            actions = [action for action in actions if action.name != "retry"]
    return {
        "document": document,
        "tree": tree,
        "timeline": sorted_timeline(timeline),
        "actions": actions,
        "retry_unsafe": unsafe,
        "ended": tree.state in ENDED,
        "watched": frozenset({order_id, *watched}),
    }
