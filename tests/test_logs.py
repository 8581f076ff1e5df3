"""Logs: one JSON object a line, every line of a request carrying its id, and no secrets."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from broadsheet.app import close, create_app
from broadsheet.logs import RequestIdFilter, json_formatter, logging_config, text_formatter
from tests.conftest import settings_for_tests
from tests.helpers import PASSWORD, publish, sign_up
from tests.pages.helpers import browser, csrf_from, sign_in_on_site, sign_up_on_site


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """What the root logger writes, formatted as `broadsheet serve` formats it."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    # The test's own HTTP client logs the URLs it requests; only the server's lines count.
    handler.addFilter(lambda record: not record.name.startswith("httpx"))
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield output
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


def lines_of(output: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in output.getvalue().splitlines()]


def access_lines(output: io.StringIO) -> list[dict]:
    return [line for line in lines_of(output) if line["logger"] == "broadsheet.access"]


@pytest.mark.engines("sqlite")
async def test_each_request_writes_one_json_access_line(client):
    with captured_logs() as output:
        await client.get("/api/articles?offset=0")
        await client.post("/api/users/login", json={"user": {}})

    first, second = access_lines(output)
    assert first["method"] == "GET"
    assert first["path"] == "/api/articles"
    assert first["status"] == 200
    assert isinstance(first["duration_ms"], float)
    assert first["request_id"]
    assert first["level"] == "INFO"
    assert "timestamp" in first
    assert (second["method"], second["status"]) == ("POST", 422)
    assert second["request_id"] != first["request_id"]


@pytest.mark.engines("sqlite")
async def test_access_lines_can_be_left_to_a_proxy_in_front(backend):
    app = create_app(settings_for_tests(backend.settings.database.url, access_log=False))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            with captured_logs() as output:
                response = await client.get("/api/articles")
    finally:
        await close(app)

    assert response.status_code == 200
    assert len(response.headers["x-request-id"]) == 32
    assert access_lines(output) == []


@pytest.mark.engines("sqlite")
async def test_a_valid_incoming_request_id_is_kept_and_sent_back(client):
    with captured_logs() as output:
        response = await client.get("/api/tags", headers={"X-Request-ID": "edge-42.a_b:c"})

    assert response.headers["x-request-id"] == "edge-42.a_b:c"
    assert access_lines(output)[0]["request_id"] == "edge-42.a_b:c"


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize("incoming", ["", "has space", "x" * 129, "new\nline", 'quote"'])
async def test_an_unusable_request_id_is_replaced(client, incoming):
    response = await client.get("/api/tags", headers={"X-Request-ID": incoming})

    assert response.headers["x-request-id"] != incoming
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.engines("sqlite")
async def test_lines_logged_inside_a_request_carry_its_id(backend):
    # The response cache warns, from inside the request, that Redis cannot be reached.
    app = create_app(
        settings_for_tests(backend.settings.database.url, redis_url="redis://127.0.0.1:1/0")
    )
    transport = httpx.ASGITransport(app=app)
    try:
        with captured_logs() as output:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                response = await c.get("/api/tags", headers={"X-Request-ID": "trace-me"})
    finally:
        await close(app)

    warnings = [line for line in lines_of(output) if line["logger"] == "broadsheet.cache"]
    assert response.status_code == 200
    assert warnings
    assert {line["request_id"] for line in warnings} == {"trace-me"}


async def test_no_secret_reaches_the_logs_over_a_whole_visit(backend, client):
    with captured_logs() as output:
        writer = await sign_up(client)
        login = await client.post(
            "/api/users/login", json={"user": {"email": writer.email, "password": PASSWORD}}
        )
        token = login.json()["user"]["token"]
        await client.get("/api/user", headers={"Authorization": f"Token {token}"})
        story = await publish(client, writer)
        await client.get(f"/api/articles/{story['slug']}?token={token}&password={PASSWORD}")
        await client.post("/api/users/login", json={"user": {"email": "x@y.z", "password": "a"}})
        async with browser(backend) as first_visit, browser(backend) as second_visit:
            reader = await sign_up_on_site(first_visit)
            await sign_in_on_site(second_visit, reader.email, reader.password)
            csrf = csrf_from((await second_visit.get("/settings")).text)
            cookies = [
                value for visit in (first_visit, second_visit) for value in visit.cookies.values()
            ]

    logged = output.getvalue()
    assert len(access_lines(output)) >= 10
    assert cookies
    for secret in [PASSWORD, token, writer.token, csrf, *cookies]:
        assert secret not in logged
    assert "authorization" not in logged.lower()
    assert "cookie" not in logged.lower()


def test_the_server_configuration_routes_uvicorn_through_one_json_handler():
    config = logging_config(level="warning", log_format="json")

    assert config["root"] == {"handlers": ["stderr"], "level": "WARNING"}
    assert config["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
    assert config["loggers"]["uvicorn.access"]["propagate"] is False
    assert logging_config(log_format="text")["handlers"]["stderr"]["formatter"] == "text"


def text_line(request: str | None) -> str:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "started", None, None)
    record.request_id = request
    return text_formatter().format(record)


def test_text_lines_name_the_request_only_when_there_is_one():
    assert text_line(None).endswith(" INFO uvicorn.error started")
    assert text_line("4f2a").endswith(" INFO uvicorn.error [4f2a] started")
