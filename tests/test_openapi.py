"""The OpenAPI document: complete for RealWorld clients, honest about errors, no secrets."""

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.engines("sqlite")

# Every operation of the RealWorld contract (api/openapi.yml, version 1.1.0), under /api.
REALWORLD_OPERATIONS = {
    ("post", "/api/users/login"),
    ("post", "/api/users"),
    ("get", "/api/user"),
    ("put", "/api/user"),
    ("get", "/api/profiles/{username}"),
    ("post", "/api/profiles/{username}/follow"),
    ("delete", "/api/profiles/{username}/follow"),
    ("get", "/api/articles/feed"),
    ("get", "/api/articles"),
    ("post", "/api/articles"),
    ("get", "/api/articles/{slug}"),
    ("put", "/api/articles/{slug}"),
    ("delete", "/api/articles/{slug}"),
    ("get", "/api/articles/{slug}/comments"),
    ("post", "/api/articles/{slug}/comments"),
    ("delete", "/api/articles/{slug}/comments/{id}"),
    ("post", "/api/articles/{slug}/favorite"),
    ("delete", "/api/articles/{slug}/favorite"),
    ("get", "/api/tags"),
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
SECRET_PROPERTIES = {"password", "password_hash", "passwordHash"}
ERROR_SCHEMA = "#/components/schemas/ErrorResponse"


@pytest.fixture
async def spec(client) -> dict[str, Any]:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation


def resolve(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    result: dict[str, Any] = node
    return result


def property_names(spec: dict[str, Any], schema: Any, seen: set[str]) -> Iterator[str]:
    """Every property name reachable from `schema`, following references once each."""
    if isinstance(schema, list):
        for item in schema:
            yield from property_names(spec, item, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref not in seen:
            seen.add(ref)
            yield from property_names(spec, resolve(spec, ref), seen)
        return
    properties = schema.get("properties", {})
    yield from properties
    for key, value in schema.items():
        if key != "properties":
            yield from property_names(spec, value, seen)
    for value in properties.values():
        yield from property_names(spec, value, seen)


def response_schema(response: dict[str, Any]) -> Any:
    return response.get("content", {}).get("application/json", {}).get("schema")


async def test_spec_is_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1.")
    assert spec["info"]["title"]


async def test_spec_lists_every_realworld_operation(spec):
    listed = {(method, path) for method, path, _operation in operations(spec)}
    assert sorted(REALWORLD_OPERATIONS - listed) == []


async def test_no_response_schema_has_a_password_property(spec):
    sign_up = spec["paths"]["/api/users"]["post"]["requestBody"]
    assert "password" in set(property_names(spec, response_schema(sign_up), set()))
    for method, path, operation in operations(spec):
        for status, response in operation["responses"].items():
            names = set(property_names(spec, response_schema(response), set()))
            assert not names & SECRET_PROPERTIES, (method, path, status)


async def test_every_error_response_documents_the_error_shape(spec):
    wrong_shape = [
        (method, path, status)
        for method, path, operation in operations(spec)
        for status, response in operation["responses"].items()
        if status.startswith("4") and response_schema(response) != {"$ref": ERROR_SCHEMA}
    ]
    assert wrong_shape == []
    error = resolve(spec, ERROR_SCHEMA)
    assert error["required"] == ["errors"]


async def test_operations_document_the_errors_they_can_answer(spec):
    missing = []
    for method, path, operation in operations(spec):
        parameters = [p for p in operation.get("parameters", []) if p["in"] != "header"]
        expected = set()
        if parameters or "requestBody" in operation:
            expected.add("422")
        if "requestBody" in operation:
            expected.add("413")
        if operation.get("security"):
            expected.add("401")
        if any(p["in"] == "path" for p in parameters):
            expected.add("404")
        missing += [(method, path, status) for status in expected - set(operation["responses"])]
    assert missing == []


async def test_token_security_scheme_is_declared_and_used(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["Token"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["Token"]["description"],
    }
    needs_token = {
        ("get", "/api/user"),
        ("put", "/api/user"),
        ("post", "/api/profiles/{username}/follow"),
        ("delete", "/api/profiles/{username}/follow"),
        ("get", "/api/articles/feed"),
        ("post", "/api/articles"),
        ("put", "/api/articles/{slug}"),
        ("delete", "/api/articles/{slug}"),
        ("post", "/api/articles/{slug}/comments"),
        ("delete", "/api/articles/{slug}/comments/{id}"),
        ("post", "/api/articles/{slug}/favorite"),
        ("delete", "/api/articles/{slug}/favorite"),
    }
    for method, path, operation in operations(spec):
        if (method, path) in needs_token:
            assert {"Token": []} in operation.get("security", []), (method, path)
