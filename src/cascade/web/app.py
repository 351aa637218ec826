"""The ASGI application: every declared API mounted at its official base path."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, Response, get
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from cascade.frontend.extensions import BASE_PATH, ExtensionRoute
from cascade.frontend.http import JSON, api_router
from cascade.frontend.resource import TmfResource
from cascade.tmf.declarations import ApiSpec
from cascade.tmf.errors import TmfError, error_body
from cascade.tmf.openapi import docs_index, docs_page, served_description
from cascade.web import description
from cascade.web.observed import count_unmatched, observed_requests

log = logging.getLogger(__name__)
DOCS_ASSETS = "/docs/assets"
# What security adds to a served description (schemes, scopes, 401/403/429), by API code.
Describe = Callable[[dict[str, Any], str], dict[str, Any]]


def _as_is(document: dict[str, Any], code: str) -> dict[str, Any]:
    return document


def create_app(
    apis: tuple[ApiSpec, ...],
    resources: Mapping[str, TmfResource],
    *,
    public_url: str,
    max_body_bytes: int,
    extensions: Sequence[ExtensionRoute] = (),
    dependencies: Mapping[str, Any] | None = None,
    on_startup: list[Any] | None = None,
    on_shutdown: list[Any] | None = None,
    middleware: list[Any] | None = None,
    before_send: list[Any] | None = None,
    describe: Describe = _as_is,
    operations: Sequence[Any] = (),
) -> Litestar:
    """The application; `operations`: health, metrics (web/health.py), the console's pages."""
    routers = [
        api_router(
            api.base_path,
            [resources[api.route_prefix(resource)] for resource in api.all_resources],
            _description_handlers(api.code, _described(api, public_url, describe)),
        )
        for api in apis
    ]
    titles = [(api.code, api.title) for api in apis]
    index = docs_index([*titles, (description.CODE, description.TITLE)])

    @get("/docs", media_type=MediaType.HTML, sync_to_thread=False, name="docs.index")
    def docs() -> str:
        return index

    assets = create_static_files_router(
        path=DOCS_ASSETS, directories=[str(swagger_ui_path)], name="docs.assets"
    )
    return Litestar(
        route_handlers=[
            *routers,
            *_extension_description(
                apis[0].spec.definitions["Error"], public_url, describe, extensions
            ),
            *(_docs_page_handler(api.code, api.title, api.base_path) for api in apis),
            docs,
            health,
            *operations,
            assets,
            *(route.handler for route in extensions),
        ],
        exception_handlers={Exception: handle_exception},
        openapi_config=None,
        request_max_body_size=max_body_bytes,
        dependencies={
            name: Provide(_value(value), sync_to_thread=False)
            for name, value in (dependencies or {}).items()
        },
        on_startup=on_startup or [],
        on_shutdown=on_shutdown or [],
        middleware=[observed_requests, *(middleware or [])],
        before_send=[*(before_send or []), count_unmatched],
    )


@get("/health", sync_to_thread=False, name="health")
def health() -> dict[str, str]:
    """Kept as it was; /health/live and /health/ready say more (web/health.py)."""
    return {"status": "ok"}


def operations_only(
    operations: Sequence[Any], middleware: list[Any], before_send: list[Any]
) -> Litestar:
    """An application of the health and metrics routes alone (a worker's listener)."""
    return Litestar(
        route_handlers=list(operations),
        exception_handlers={Exception: handle_exception},
        openapi_config=None,
        middleware=[observed_requests, *middleware],
        before_send=[*before_send, count_unmatched],
    )


def _description_handlers(code: str, document: dict[str, Any], path: str = "") -> list[Any]:
    description = msgspec.json.encode(document)

    @get(f"{path}/openapi.json", sync_to_thread=False, name=f"{code}.openapi")
    def openapi() -> Response[bytes]:
        return Response(description, media_type=JSON)

    return [openapi]


def _described(api: ApiSpec, public_url: str, describe: Describe) -> dict[str, Any]:
    return describe(served_description(api, public_url), api.code)


def _extension_description(
    error: dict[str, Any],
    public_url: str,
    describe: Describe,
    routes: Sequence[ExtensionRoute],
) -> list[Any]:
    """`/cascade/openapi.json` and `/docs/cascade`: Cascade's own extensions, described."""
    code, base = description.CODE, BASE_PATH
    document = describe(description.extension_description(public_url, error, routes), code)
    return [
        *_description_handlers(code, document, base),
        _docs_page_handler(code, description.TITLE, base),
    ]


def _docs_page_handler(code: str, title: str, base_path: str) -> Any:
    page = docs_page(title, f"{base_path}/openapi.json", DOCS_ASSETS)

    @get(f"/docs/{code}", media_type=MediaType.HTML, sync_to_thread=False, name=f"{code}.docs")
    def docs() -> str:
        return page

    return docs


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Every error leaves as a TMF `Error` body; unexpected ones say nothing of the internals."""
    if isinstance(exc, TmfError):
        body, status, headers = exc.body(), exc.status, exc.headers
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        body = error_body(status, _code_for(status), str(exc.detail))
        headers = dict(exc.headers or {})
    else:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        status = 500
        body = error_body(500, "internalError", "An unexpected error occurred")
        headers = {}
    return Response(msgspec.json.encode(body), status_code=status, media_type=JSON, headers=headers)


def _code_for(status: int) -> str:
    return {
        400: "invalidRequest",
        404: "notFound",
        405: "methodNotAllowed",
        413: "payloadTooLarge",
        415: "unsupportedMediaType",
    }.get(status, "error")


def _value(value: Any) -> Callable[[], Any]:
    """A dependency provider: the extension handlers' `database`, `repositories`..."""

    def provide() -> Any:
        return value

    return provide
