"""The description of Cascade's own extensions under `/cascade` (served at
`/cascade/openapi.json`): the audit trail, the order tree and parked event deliveries. No TMF
API has them, so every operation, and the document itself, is marked `x-cascade-extension`
like the hub GETs are."""

from __future__ import annotations

import copy
from typing import Any

BASE_PATH = "/cascade"
CODE = "cascade"
TITLE = "Cascade extensions (audit trail, order tree, parked events)"
_EXTENSION = {"x-cascade-extension": True}
_ERROR = {"$ref": "#/definitions/Error"}
_COUNTS = {
    "X-Total-Count": {"type": "integer", "description": "How many entries match"},
    "X-Result-Count": {"type": "integer", "description": "How many entries this page holds"},
}


def extension_description(public_url: str, error: dict[str, Any]) -> dict[str, Any]:
    """A Swagger 2.0 document for `/cascade`; `error` is the TMF `Error` definition."""
    scheme, _, host = public_url.partition("://")
    return {
        "swagger": "2.0",
        **_EXTENSION,
        "info": {
            "title": TITLE,
            "version": "1",
            "description": "Cascade's extensions: not part of any TMF Open API.",
        },
        "host": host.rstrip("/"),
        "schemes": [scheme],
        "basePath": BASE_PATH,
        "consumes": ["application/json;charset=utf-8"],
        "produces": ["application/json;charset=utf-8"],
        "paths": {
            "/audit": {"get": _audit()},
            "/productOrder/{order_id}/tree": {"get": _tree()},
            "/events/parked": {"get": _parked()},
            "/events/parked/redeliver": {"post": _redeliver()},
        },
        "definitions": {
            "Error": copy.deepcopy(error),
            "CascadeAuditEntry": _audit_entry(),
            "CascadeOrderTree": _order_tree(),
            "CascadeParkedDelivery": _parked_delivery(),
        },
    }


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "type": "string",
        "description": description,
        **schema,
    }


def _audit() -> dict[str, Any]:
    return {
        **_EXTENSION,
        "operationId": "listAuditEntry",
        "summary": "Lists the audit trail of client writes, newest first (Cascade extension)",
        "description": "Needs `admin`. A party-bound administrator sees only its party's "
        "entries. Entries are only ever inserted: nothing changes or removes one.",
        "tags": ["audit"],
        "parameters": [
            _query("kind", "The API resource written, e.g. tmf622.productOrder"),
            _query("entityId", "The entity's id"),
            _query("actor", "apikey:<id>, or a token's subject"),
            _query("action", "create, update, cancel or delete"),
            _query("since", "Entries at or after this instant", format="date-time"),
            _query("until", "Entries before this instant", format="date-time"),
            _query("offset", "Entries to skip", type="integer", minimum=0),
            _query("limit", "Entries to return", type="integer", minimum=1, maximum=1000),
        ],
        "responses": {
            "200": {
                "description": "Success",
                "schema": {"type": "array", "items": {"$ref": "#/definitions/CascadeAuditEntry"}},
                "headers": copy.deepcopy(_COUNTS),
            },
            "400": {"description": "Bad Request", "schema": dict(_ERROR)},
        },
    }


def _tree() -> dict[str, Any]:
    return {
        **_EXTENSION,
        "operationId": "retrieveProductOrderTree",
        "summary": "Retrieves a product order's whole tree with every node's state "
        "(Cascade extension)",
        "tags": ["productOrder"],
        "parameters": [{"name": "order_id", "in": "path", "required": True, "type": "string"}],
        "responses": {
            "200": {"description": "Success", "schema": {"$ref": "#/definitions/CascadeOrderTree"}},
            "404": {"description": "Not Found", "schema": dict(_ERROR)},
        },
    }


def _audit_entry() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "description": "One client write: who, when, what (Cascade extension)",
        "required": ["id", "at", "actor", "action", "kind", "entityId"],
        "properties": {
            "@type": text,
            "id": text,
            "at": {"type": "string", "format": "date-time"},
            "actor": text,
            "party": text,
            "action": {"type": "string", "enum": ["create", "update", "cancel", "delete"]},
            "kind": text,
            "entityId": text,
            "requestId": text,
            "detail": {"type": "string", "description": "Attributes patched, order cancelled"},
        },
    }


def _order_tree() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "A product order and everything it made, each node with its state",
        "required": ["id", "state", "items"],
        "properties": {
            "id": {"type": "string"},
            "state": {"type": "string"},
            "note": {"type": "array", "items": {"type": "object"}},
            "items": {"type": "array", "items": {"type": "object"}},
        },
    }


_SUBSCRIPTION = _query("subscription", "Only this hub subscription's (its id)")


def _parked() -> dict[str, Any]:
    return {
        **_EXTENSION,
        "operationId": "listParkedDelivery",
        "summary": "Lists event deliveries parked because their subscriber stayed unreachable "
        "(Cascade extension)",
        "description": "Needs `admin`. Oldest first, at most 1000.",
        "tags": ["events"],
        "parameters": [dict(_SUBSCRIPTION)],
        "responses": {
            "200": {
                "description": "Success",
                "schema": {
                    "type": "array",
                    "items": {"$ref": "#/definitions/CascadeParkedDelivery"},
                },
                "headers": {"X-Result-Count": copy.deepcopy(_COUNTS["X-Result-Count"])},
            },
        },
    }


def _redeliver() -> dict[str, Any]:
    return {
        **_EXTENSION,
        "operationId": "redeliverParkedDelivery",
        "summary": "Puts parked deliveries back in line (Cascade extension)",
        "description": "Needs `admin`. They are sent at once, in order per entity.",
        "tags": ["events"],
        "parameters": [dict(_SUBSCRIPTION)],
        "responses": {
            "200": {
                "description": "How many deliveries were put back",
                "schema": {
                    "type": "object",
                    "required": ["redelivered"],
                    "properties": {"redelivered": {"type": "integer", "minimum": 0}},
                },
            },
        },
    }


def _parked_delivery() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "description": "An event delivery given up on until redelivered (Cascade extension)",
        "required": ["eventId", "eventType", "subscription", "hub", "callback", "attempts"],
        "properties": {
            "eventId": text,
            "eventType": text,
            "subscription": text,
            "hub": {"type": "string", "description": "The hub's kind, e.g. tmf622.hub"},
            "callback": text,
            "attempts": {"type": "integer", "minimum": 0},
            "lastError": {"type": "string", "x-nullable": True},
        },
    }
