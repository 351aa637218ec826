"""HTTP routes for declared resources: one generic set of handlers, built per resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import msgspec
from litestar import Request, Response, Router, delete, get, patch, post
from litestar.handlers import HTTPRouteHandler

from cascade.frontend.bounds import check_body_bounds
from cascade.frontend.resource import TmfResource
from cascade.frontend.types import CALLER, Caller, Written
from cascade.tmf.errors import TmfError, bad_request
from cascade.tmf.patching import parse_patch, patch_kind

JSON = "application/json;charset=utf-8"
MAX_JSON_DEPTH = 32


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
        _require_json(request.headers.get("content-type"))
        body = await read_json(request)
        key = request.headers.get("idempotency-key")
        written = await service.create(body, key, _caller(request))
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
        kind = patch_kind(request.headers.get("content-type"))
        body = parse_patch(kind, await read_json(request))
        if_match = request.headers.get("if-match")
        written = await service.patch(entity_id, body, if_match, _caller(request))
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
    raw = await request.body()
    if not raw.strip():
        raise bad_request("The request body is empty", "invalidBody")
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise bad_request(f"The request body is not valid JSON: {exc}", "malformedJson") from None
    if _nested_deeper(value, MAX_JSON_DEPTH):
        raise bad_request(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", "tooDeep")
    check_body_bounds(raw, value)  # array, object and string lengths
    return value


_CONTAINERS = (dict, list)


def _nested_deeper(value: Any, limit: int) -> bool:
    """True when objects and arrays nest more than `limit` levels (stops as soon as they do)."""
    if type(value) not in _CONTAINERS:
        return False
    if limit < 1:
        return True
    for child in value.values() if type(value) is dict else value:
        if type(child) in _CONTAINERS and _nested_deeper(child, limit - 1):
            return True
    return False


def _require_json(content_type: str | None) -> None:
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise TmfError(415, "unsupportedMediaType", f"Expected application/json, not '{media}'")


def _entity_response(written: Written, location: str | None = None) -> Response[bytes]:
    headers = {"ETag": written.etag}
    if location:
        headers["Location"] = location
    return Response(written.body, status_code=written.status, media_type=JSON, headers=headers)
