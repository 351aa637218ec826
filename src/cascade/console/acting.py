"""The console's forms: actions on an order, parked deliveries, sign-in and sign-out.

Every post carries the CSRF token (auth.check_csrf); its outcome, or the TMF Error that
refused it, is shown on the page it leads back to.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import FromPath
from litestar.response import Redirect

from cascade.console.actions import REDELIVER_ROUTE, act, redeliver
from cascade.console.auth import SESSION_COOKIE, ConsoleAuth, Viewer, check_csrf, keep
from cascade.console.context import SIGN_IN, Console, order_kind
from cascade.console.listing import ORDER_KINDS
from cascade.console.render import error_page, flash, page
from cascade.console.retry import place_retry
from cascade.events import store
from cascade.tmf.errors import TmfError

MAX_FORM_FIELD = 10_000


async def read_form(request: Request[Any, Any, Any], auth: ConsoleAuth) -> dict[str, str]:
    """The posted form's fields (urlencoded), each bounded; its CSRF token checked."""
    if request.content_type[0] != RequestEncodingType.URL_ENCODED:
        raise TmfError(415, "unsupportedMediaType", "The console's forms are urlencoded")
    data = await request.form()
    form = {name: str(value)[:MAX_FORM_FIELD] for name, value in data.items()}
    check_csrf(request, form, auth.public_host)
    return form


def _outcome(request: Request[Any, Any, Any], to: str, tone: str, text: str) -> Response[Any]:
    response: Response[Any] = Redirect(to, status_code=303)
    flash(response, request, tone, text)
    return response


def action_handlers(console: Console) -> list[Any]:
    @post("/console/{kind:str}/{order_id:str}/{action:str}", name="console.act")
    async def order_action(
        request: Request[Any, Any, Any],
        kind: FromPath[str],
        order_id: FromPath[str],
        action: FromPath[str],
    ) -> Response[Any]:
        form = await read_form(request, console.auth)
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        chosen = order_kind(kind)
        back = f"/console/{chosen.name}/{order_id}"
        try:
            if action == "retry" and chosen.name == "productOrder":
                said = await place_retry(
                    console.auth,
                    viewer,
                    console.resources[chosen.resource],
                    console.database,
                    console.repositories,
                    order_id,
                )
            else:
                said = await act(
                    console.auth,
                    viewer,
                    console.resources,
                    chosen,
                    order_id,
                    action,
                    form.get("reason", "").strip(),
                )
        except TmfError as error:
            if error.status == 404:
                raise
            return _outcome(
                request, back, "bad", f"Refused ({error.status} {error.code}): {error.message}"
            )
        return _outcome(request, back, "done", said)

    return [order_action, *_parked_handlers(console), *_session_handlers(console)]


def _parked_handlers(console: Console) -> list[Any]:
    @get("/console/events/parked", name="console.parked", media_type=MediaType.HTML)
    async def parked(request: Request[Any, Any, Any]) -> Response[Any]:
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        context: dict[str, Any] = {"viewer": viewer, "console": console, "kinds": ORDER_KINDS}
        if not console.auth.may(viewer, REDELIVER_ROUTE):
            error = TmfError(403, "insufficientScope", "Parked deliveries need the scope admin")
            return error_page(request, error, **context)
        found = await console.database.read(lambda c: store.parked(c, None))
        subscriptions: dict[str, list[store.ParkedDelivery]] = {}
        for delivery in found:
            subscriptions.setdefault(delivery.subscription, []).append(delivery)
        return page(request, "parked.html", subscriptions=subscriptions, **context)

    @post("/console/events/redeliver", name="console.redeliver")
    async def redeliver_parked(request: Request[Any, Any, Any]) -> Response[Any]:
        form = await read_form(request, console.auth)
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        back = "/console/events/parked"
        try:
            said = await redeliver(
                console.auth, viewer, console.database, form.get("subscription") or None
            )
        except TmfError as error:
            return _outcome(
                request, back, "bad", f"Refused ({error.status} {error.code}): {error.message}"
            )
        return _outcome(request, back, "done", said)

    return [parked, redeliver_parked]


def _session_handlers(console: Console) -> list[Any]:
    @get(SIGN_IN, name="console.signin", media_type=MediaType.HTML)
    async def sign_in_page(request: Request[Any, Any, Any]) -> Response[Any]:
        if console.auth.open:
            return Redirect("/console/", status_code=303)
        scheme = console.auth.authenticator.scheme if console.auth.authenticator else ""
        return page(request, "signin.html", scheme=scheme, viewer=None, kinds=ORDER_KINDS)

    @post(SIGN_IN, name="console.signin.post")
    async def sign_in(request: Request[Any, Any, Any]) -> Response[Any]:
        form = await read_form(request, console.auth)
        credential = form.get("credential", "").strip()
        if await console.auth.verify(credential) is None:
            return _outcome(request, SIGN_IN, "bad", "That key or token was not accepted")
        response: Response[Any] = Redirect("/console/", status_code=303)
        keep(response, request, SESSION_COOKIE, credential)
        return response

    @post("/console/signout", name="console.signout")
    async def sign_out(request: Request[Any, Any, Any]) -> Response[Any]:
        await read_form(request, console.auth)
        response: Response[Any] = Redirect(SIGN_IN, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    return [sign_in_page, sign_in, sign_out]
