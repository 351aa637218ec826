"""HTTP routes for declared resources: one generic set of handlers, built per resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.handlers import HTTPRouteHandler

from cascade.frontend.bodies import decode_json, require_json, require_utf8
from cascade.frontend.resource import TmfResource
from cascade.frontend.types import CALLER, Caller, Written
from cascade.tmf.patching import parse_patch, patch_kind

JSON = "application/json;charset=utf-8"


def resource_handlers(service: TmfResource) -> list[HTTPRouteHandler]:
    """The list/create/retrieve/patch/delete handlers the resource's swagger lists."""
    ops = service.api.operations(service.resource)
    return [make(service) for operation, make in _HANDLERS.items() if operation in ops]


def _list(service: TmfResource) -> HTTPRouteHandler:
    async def list_entities(request: Request[Any, Any, Any]) -> Response[bytes]:
        params = list(request.query_params.multi_items())
        page = await service.list(params, _caller(request))
        headers = {"X-Total-Count": str(page.total), "X-Result-Count": str(page.count)}
        return Response(page.body, status_code=200, media_type=JSON, headers=headers)

    return get(f"/{service.resource.name}", name=f"{service.name}.list")(list_entities)


def _create(service: TmfResource) -> HTTPRouteHandler:
    async def create_entity(request: Request[Any, Any, Any]) -> Response[bytes]:
        require_json(request.headers.get("content-type"))
        body = await read_json(request)
        key = request.headers.get("idempotency-key")
        fields = request.query_params.get("fields")
        written = await service.create(body, key, _caller(request), fields)
        return _entity_response(written, location=written.location)

    path, name = f"/{service.resource.name}", f"{service.name}.create"
    return post(path, name=name, status_code=201)(create_entity)


def _retrieve(service: TmfResource) -> HTTPRouteHandler:
    async def retrieve_entity(request: Request[Any, Any, Any]) -> Response[bytes]:
        entity_id = request.path_params["entity_id"]
        fields = request.query_params.get("fields")
        written = await service.retrieve(entity_id, fields, _caller(request))
        return _entity_response(written)

    return get(_item_path(service), name=f"{service.name}.retrieve")(retrieve_entity)


def _patch(service: TmfResource) -> HTTPRouteHandler:
    async def patch_entity(request: Request[Any, Any, Any]) -> Response[bytes]:
        entity_id = request.path_params["entity_id"]
        content_type = request.headers.get("content-type")
        kind = patch_kind(content_type, service.patch_query)
        require_utf8((content_type or "").partition(";")[2])
        body = parse_patch(kind, await read_json(request))
        if_match = request.headers.get("if-match")
        fields = request.query_params.get("fields")
        written = await service.patch(entity_id, body, if_match, _caller(request), fields)
        return _entity_response(written)

    return patch(_item_path(service), name=f"{service.name}.patch")(patch_entity)


def _delete(service: TmfResource) -> HTTPRouteHandler:
    async def delete_entity(request: Request[Any, Any, Any]) -> Response[None]:
        entity_id = request.path_params["entity_id"]
        if_match = request.headers.get("if-match")
        await service.delete(entity_id, if_match, _caller(request))
        return Response(None, status_code=204)

    name = f"{service.name}.delete"
    return delete(_item_path(service), name=name, status_code=204)(delete_entity)


def _item_path(service: TmfResource) -> str:
    return f"/{service.resource.name}/{{entity_id:str}}"


_HANDLERS: dict[str, Callable[[TmfResource], HTTPRouteHandler]] = {
    "list": _list,
    "create": _create,
    "retrieve": _retrieve,
    "patch": _patch,
    "delete": _delete,
}


def _caller(request: Request[Any, Any, Any]) -> Caller | None:
    """Who calls, when security is on (it leaves a Caller in the scope); None otherwise."""
    return cast("Caller | None", request.scope.get(CALLER))


def api_router(base_path: str, services: list[TmfResource], extra: list[Any]) -> Router:
    handlers: list[Any] = [h for service in services for h in resource_handlers(service)]
    return Router(path=base_path, route_handlers=[*handlers, *extra])


async def read_json(request: Request[Any, Any, Any]) -> Any:
    """The request's body as JSON, or a 400 TMF Error (frontend/bodies.py)."""
    return decode_json(await request.body())


def _entity_response(written: Written, location: str | None = None) -> Response[bytes]:
    headers = {"ETag": written.etag}
    if location:
        headers["Location"] = location
    return Response(written.body, status_code=written.status, media_type=JSON, headers=headers)
