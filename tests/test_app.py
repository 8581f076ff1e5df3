"""App-wide behaviour: CORS on the API, the body size limit, the error shape of failures."""

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.helpers import PASSWORD, sign_up

OTHER_ORIGIN = "https://reader.example"


def assert_error_shape(response: httpx.Response) -> None:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["errors"]
    assert body["errors"]
    for field, messages in body["errors"].items():
        assert isinstance(field, str)
        assert messages
        assert all(isinstance(message, str) and message for message in messages)


@pytest.mark.engines("sqlite")
async def test_api_preflight_from_another_origin_allows_token_and_json(client):
    response = await client.options(
        "/api/articles",
        headers={
            "Origin": OTHER_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    allowed_headers = {
        name.strip().lower() for name in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type"} <= allowed_headers
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.engines("sqlite")
async def test_api_read_from_another_origin_is_allowed_without_credentials(client):
    response = await client.get("/api/tags", headers={"Origin": OTHER_ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.engines("sqlite")
async def test_paths_outside_the_api_get_no_cors_headers(client):
    response = await client.get("/", headers={"Origin": OTHER_ORIGIN})
    assert "access-control-allow-origin" not in response.headers


def _sign_up_body(username: str, size: int) -> bytes:
    """A valid sign-up of exactly `size` bytes, made up with a field the API ignores."""
    fields = (
        f'"username": "{username}", "email": "{username}@example.com", "password": "{PASSWORD}"'
    )
    start = '{"user": {' + fields + '}, "padding": "'
    end = '"}'
    body = (start + "x" * (size - len(start) - len(end)) + end).encode()
    assert len(body) == size
    return body


async def test_body_over_the_limit_with_content_length_is_refused_and_not_stored(client, backend):
    body = _sign_up_body("heavy", backend.settings.max_body_bytes + 1)
    response = await client.post(
        "/api/users", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert_error_shape(response)
    await sign_up(client, "heavy")


async def test_chunked_body_over_the_limit_is_refused_and_not_stored(client, backend):
    body = _sign_up_body("streamer", backend.settings.max_body_bytes + 1)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    request = client.build_request(
        "POST", "/api/users", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in request.headers
    assert request.headers["transfer-encoding"] == "chunked"
    response = await client.send(request)
    assert response.status_code == 413
    assert_error_shape(response)
    await sign_up(client, "streamer")


async def test_body_at_the_limit_is_accepted(client, backend):
    body = _sign_up_body("roomy", backend.settings.max_body_bytes)
    response = await client.post(
        "/api/users", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text


@pytest.mark.engines("sqlite")
async def test_invalid_json_answers_422_with_the_error_shape(client):
    response = await client.post(
        "/api/users", content=b'{"user": {"email": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert_error_shape(response)
    assert response.json() == {"errors": {"body": ["is not valid JSON"]}}


@pytest.mark.engines("sqlite")
async def test_unknown_api_path_answers_404_with_the_error_shape(client):
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert_error_shape(response)


@pytest.mark.engines("sqlite")
async def test_wrong_method_answers_405_with_the_error_shape(client):
    response = await client.delete("/api/tags")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert_error_shape(response)


@pytest.mark.engines("sqlite")
async def test_allow_names_the_methods_of_the_path_itself_not_of_a_template_it_also_fits(client):
    # `/api/articles/feed` also fits `/api/articles/{slug}`, whose PUT and DELETE it does not offer.
    feed = await client.request("PATCH", "/api/articles/feed")
    story = await client.request("PATCH", "/api/articles/some-story")
    assert (feed.status_code, feed.headers["allow"]) == (405, "GET")
    assert (story.status_code, story.headers["allow"]) == (405, "GET, PUT, DELETE")


async def test_head_answers_like_get_without_a_body(client):
    for path in ("/", "/api/articles", "/robots.txt"):
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
