"""What is served around the resources: OpenAPI descriptions, docs pages, error bodies."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from cascade.apis import ALL_APIS
from cascade.bootstrap import Cascade


def test_every_api_serves_its_description_and_docs(client: TestClient[Any]) -> None:
    for api in ALL_APIS:
        description = client.get(f"{api.base_path}/openapi.json")
        assert description.status_code == 200
        document = description.json()
        if api.spec.openapi3:
            assert document["openapi"] == "3.0.1"
            assert document["servers"] == [{"url": f"http://testserver.local{api.base_path}"}]
        else:
            assert document["swagger"] == "2.0"
            assert document["basePath"] == api.base_path
        assert document["info"]["version"] == api.spec.version
        assert not any(path.startswith("/listener") for path in document["paths"])
        page = client.get(f"/docs/{api.code}")
        assert page.status_code == 200
        assert f"{api.base_path}/openapi.json" in page.text
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    index = client.get("/docs").text
    assert all(f"/docs/{api.code}" in index for api in ALL_APIS)


def test_every_operation_of_every_spec_is_routed(client: TestClient[Any]) -> None:
    """Each path and method the swagger lists answers with something other than 404/405."""
    for api in ALL_APIS:
        for path, operations in api.spec.swagger["paths"].items():
            if path.startswith("/listener/") or "Job" in path:
                continue
            concrete = api.base_path + path.replace("{id}", "no-such-id")
            for method in operations:
                if method == "parameters":
                    continue
                response = client.request(method.upper(), concrete, json={})
                assert response.status_code not in (405,), (api.code, method, path)
                if "{id}" not in path:
                    assert response.status_code != 404, (api.code, method, path)


def test_unexpected_failures_are_500_error_bodies_without_internals(
    cascade: Cascade, client: TestClient[Any], monkeypatch: Any
) -> None:
    service = cascade.resources["tmf622.productOrder"]

    async def explode(*_: Any, **__: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(service, "retrieve", explode)
    response = client.get("/tmf-api/productOrderingManagement/v4/productOrder/x")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internalError" and body["status"] == "500"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_deeply_nested_json_is_refused(client: TestClient[Any]) -> None:
    nested: Any = "x"
    for _ in range(100):
        nested = {"a": nested}
    response = client.post(
        "/tmf-api/productOrderingManagement/v4/productOrder",
        json={"productOrderItem": [{"id": "1", "action": "add"}], "deep": nested},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "tooDeep"
