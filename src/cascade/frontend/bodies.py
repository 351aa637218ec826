"""Request bodies as JSON: the media type, the encoding, the syntax and the bounds.

Every body-taking route (POST and PATCH of every API, `/hub`, the Cascade extensions) reads
its body through `decode_json`, so a body that is not UTF-8 JSON is a 400 TMF Error before
anything is stored, never a 500. JSON exchanged between systems is UTF-8 (RFC 8259 section
8.1): a declared charset other than UTF-8 is refused with 415, like another media type, and
a body in another encoding (UTF-16, Latin-1, a byte order mark) with 400 `invalidEncoding`.
The checks cost nothing on a good body: msgspec validates UTF-8 while it parses, and the
encoding is only looked at again to explain a failure.
"""

from __future__ import annotations

from typing import Any

import msgspec

from cascade.frontend.bounds import check_body_bounds
from cascade.tmf.errors import TmfError, bad_request

MAX_JSON_DEPTH = 32
_UTF8 = frozenset({"utf-8", "utf8"})
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def require_json(content_type: str | None) -> None:
    """415 unless the media type is JSON (`application/json` or `+json`) in UTF-8."""
    media, _, parameters = (content_type or "application/json").partition(";")
    media = media.strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise TmfError(415, "unsupportedMediaType", f"Expected application/json, not '{media}'")
    require_utf8(parameters)


def require_utf8(parameters: str) -> None:
    """415 when the media type's parameters declare a charset other than UTF-8."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in _UTF8:
            raise TmfError(
                415, "unsupportedMediaType", f"JSON is read as UTF-8 only, not '{charset}'"
            )


def decode_json(raw: bytes) -> Any:
    """The decoded body, or a 400 TMF Error saying what is wrong with it."""
    if not raw.strip():
        raise bad_request("The request body is empty", "invalidBody")
    try:
        value = msgspec.json.decode(raw)
    except UnicodeDecodeError:
        raise _not_utf8(raw) from None
    except msgspec.DecodeError as exc:
        if raw.startswith((_BOM, *_UTF16_BOMS)) or b"\x00" in raw:
            raise _not_utf8(raw) from None
        raise bad_request(f"The request body is not valid JSON: {exc}", "malformedJson") from None
    if _nested_deeper(value, MAX_JSON_DEPTH):
        raise bad_request(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", "tooDeep")
    check_body_bounds(raw, value)  # array, object and string lengths
    return value


def _not_utf8(raw: bytes) -> TmfError:
    if raw.startswith(_BOM):
        return bad_request(
            "The request body starts with a byte order mark: send UTF-8 JSON without one",
            "invalidEncoding",
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f": byte {exc.start} (0x{raw[exc.start]:02x}) does not decode"
    else:
        where = " (it holds NUL bytes: UTF-16?)"
    return bad_request(f"The request body is not UTF-8{where}", "invalidEncoding")


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
