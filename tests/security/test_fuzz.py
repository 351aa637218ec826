"""Schemathesis against two descriptions of each API: the one Cascade serves
(`<base>/openapi.json`) and the official TMF swagger it implements (`cascade/specs/`).

For every operation of every API, a bounded number of generated requests (valid ones, and
ones that break the schema): no answer may be a 5xx, every answer must match the schema the
description gives for its status, and its status must be one the description lists. Where
the official files list too few statuses, docs/conformance.md says why another is right and
OFFICIAL_GAPS below excludes exactly that entry. The examples are derandomized, so CI runs
the same ones each time in about the same time; CASCADE_FUZZ_EXAMPLES=50
CASCADE_FUZZ_RANDOM=1 explores more.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from cascade.apis import ALL_APIS
from cascade.bootstrap import Cascade, build
from cascade.security.settings import SecuritySettings
from cascade.settings import Settings
from cascade.storage.migrate import upgrade
from cascade.tmf.declarations import ApiSpec
from cascade.tmf.spec import load_swagger
from tests.api.official_schemas import OfficialSchemas, with_lifts

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiSchema as BaseOpenAPISchema

EXAMPLES = int(os.environ.get("CASCADE_FUZZ_EXAMPLES", "3"))
RANDOM = os.environ.get("CASCADE_FUZZ_RANDOM") == "1"
AMBIGUOUS = "is valid under more than one of the schemas listed in the 'oneOf' keyword"


def schema_by_type(ctx: Any, response: Any, case: Any) -> bool | None:
    """`response_schema_conformance`, reading a v5 `oneOf` as OAS 3 does with its
    discriminator: an object whose `@type` names its class is valid when it matches that
    class, even if a sibling (`PartyRoleRef` beside `PartyRef`) accepts it too. The official
    v5 files' own examples are ambiguous to a plain JSON Schema validator (docs/conformance.md).
    Any other violation still fails."""
    try:
        return response_schema_conformance(ctx, response, case)
    except (AssertionError, BaseExceptionGroup) as exc:  # one failure, or several grouped
        failures = list(getattr(exc, "exceptions", None) or [exc])
        if all(_typed_ambiguity(failure) for failure in failures):
            return None
        raise


def _typed_ambiguity(failure: BaseException) -> bool:
    instance = getattr(failure, "instance", None)
    return AMBIGUOUS in str(failure) and isinstance(instance, dict) and "@type" in instance


CHECKS = [not_a_server_error, schema_by_type]
ALL_CHECKS = [*CHECKS, status_code_conformance]


# Statuses Cascade answers that an official file does not list for the operation, each one
# argued in docs/conformance.md ("Statuses the official files leave out"): (method, path in
# the swagger, status). Nothing else is excused.
# - The catalogs' import and export jobs are not served: every method of their paths is a
#   404 ("Operations Cascade does not serve").
UNSERVED_PATHS = ("/importJob", "/importJob/{id}", "/exportJob", "/exportJob/{id}")
OFFICIAL_GAPS: frozenset[tuple[str, str, int]] = frozenset(
    (method, path, 404) for path in UNSERVED_PATHS for method in ("GET", "POST", "DELETE")
)


def official_status_code(ctx: Any, response: Any, case: Any) -> bool | None:
    """`status_code_conformance`, but for the entries of OFFICIAL_GAPS."""
    operation = case.operation
    if (operation.method.upper(), operation.path, response.status_code) in OFFICIAL_GAPS:
        return None
    return status_code_conformance(ctx, response, case)


OFFICIAL = OfficialSchemas()


def discriminated_schema_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    """`response_schema_conformance` for an OpenAPI 3 (v5) file, read as OpenAPI 3 reads it:
    a `oneOf` with a `discriminator` is the alternative the `@type` names (tmf/oas3.py).
    Schemathesis validates the `oneOf` alone, and the v5 files' `PartyRefOrPartyRoleRef`
    then refuses every `PartyRef`, which `PartyRoleRef` (all optional) matches too."""
    responses = case.operation.definition.raw.get("responses", {})
    declared = responses.get(str(response.status_code)) or responses.get("default") or {}
    content: dict[str, Any] = declared.get("content") or {}
    media: dict[str, Any] = next(iter(content.values()), {})
    schema: dict[str, Any] | None = media.get("schema")
    if not schema or not response.content:
        return None
    body = response.json()
    items = schema.get("items") if schema.get("type") == "array" else None
    ref = str((items or schema).get("$ref", ""))
    if not ref:
        return response_schema_conformance(ctx, response, case)
    spec_file = next(a.spec_file for a in ALL_APIS if a.base_path in case.operation.base_url)
    for document in body if items is not None else [body]:
        OFFICIAL.check_shape(spec_file, ref.rsplit("/", 1)[-1], document)
    return None


def response_checks(api: ApiSpec) -> list[Any]:
    """The response check for the API's kind of description."""
    if api.spec.openapi3:
        return [not_a_server_error, discriminated_schema_conformance]
    return CHECKS


def _fuzz_cascade() -> Iterator[Cascade]:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'fuzz.db'}"
        upgrade(url)
        cascade = build(Settings(database_url=url, controllers=False))
        yield cascade
        cascade.close()


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Cascade]:
    """A Cascade of its own (SQLite, mode none): fuzzing fills it with odd documents. The v4
    and v5 runs share it: a v5 write is also checked against v4's schema, so v4 reads back
    only what it can answer validly (docs/versions.md)."""
    yield from _fuzz_cascade()


@pytest.fixture(scope="module")
def fuzzed_with_keys() -> Iterator[Cascade]:
    """The same with API keys: requests without a valid key must get the declared 401."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'fuzz.db'}"
        upgrade(url)
        security = SecuritySettings(auth_mode="apikey")
        cascade = build(Settings(database_url=url, controllers=False, security=security))
        yield cascade
        cascade.close()


def served(base_path: str, cascade: Cascade) -> BaseOpenAPISchema:
    """The description Cascade serves for an API."""
    return schemathesis.openapi.from_asgi(f"{base_path}/openapi.json", cascade.app)


def official(api: ApiSpec, cascade: Cascade) -> BaseOpenAPISchema:
    """The official swagger of an API, served by the app, less the `required` entries its
    conformance overlay lifts (a value an order creates has no id or href yet, in the answer
    as in the request: docs/conformance.md, ADR 0019); nothing else is changed. An OpenAPI 3
    file (v5) names no server: it gets this one's, at the declared base path."""
    if api.spec.openapi3:
        server = [{"url": f"http://testserver{api.base_path}"}]
        document = {**copy.deepcopy(load_swagger(api.spec_file)), "servers": server}
    else:
        document = {**with_lifts(api.spec_file), "host": "testserver", "schemes": ["http"]}
    schema = schemathesis.openapi.from_dict(document)
    schema.app = cascade.app
    return schema


def failures_of(
    base_path: str, cascade: Cascade, mode: GenerationMode, checks: list[Any] = CHECKS
) -> list[str]:
    return fuzz(served(base_path, cascade), mode, checks)


def fuzz(schema: BaseOpenAPISchema, mode: GenerationMode, checks: list[Any]) -> list[str]:
    """Every operation's failures (each operation is run to its end, not only the first)."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid description raises here

        @settings(
            max_examples=EXAMPLES,
            derandomize=not RANDOM,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],  # no shrinking: keep the run bounded
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(checks=checks)

        try:
            check()
        except Unsatisfiable:
            continue  # nothing in this operation can be made invalid (no parameters, no body)
        except Exception as exc:  # every failing operation is reported, not only the first
            failures.append(f"{mode.value} {operation.label}: {str(exc)[:2000]}")
    return failures


@pytest.mark.parametrize("api", ALL_APIS, ids=lambda api: api.code)
@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
def test_no_5xx_and_every_answer_matches_the_published_schema(
    api: ApiSpec, mode: GenerationMode, fuzzed: Cascade
) -> None:
    checks = [*response_checks(api), status_code_conformance]
    failures = failures_of(api.base_path, fuzzed, mode, checks)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("api", ALL_APIS, ids=lambda api: api.code)
def test_no_5xx_and_every_answer_matches_the_official_description(
    api: ApiSpec, fuzzed: Cascade
) -> None:
    """The official swagger's operations, its schemas and its status lists (docs/conformance.md
    for the statuses they leave out). Valid requests only: the invalid ones are generated
    from the same definitions by the served description's negative run (in mode none it is
    the official swagger plus Cascade's additions), and running them twice doubled the cost
    of this file (about 2 CPU minutes) for nothing new."""
    checks = [*response_checks(api), official_status_code]
    failures = fuzz(official(api, fuzzed), GenerationMode.POSITIVE, checks)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
def test_the_cascade_extensions_too(mode: GenerationMode, fuzzed: Cascade) -> None:
    failures = failures_of("/cascade", fuzzed, mode)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("base_path", [ALL_APIS[0].base_path, "/cascade"])
def test_refusals_match_the_description_served_with_api_keys(
    base_path: str, fuzzed_with_keys: Cascade
) -> None:
    checks = [*CHECKS, status_code_conformance]  # a 401 the description does not list fails
    failures = failures_of(base_path, fuzzed_with_keys, GenerationMode.POSITIVE, checks)
    assert not failures, "\n\n".join(failures)
