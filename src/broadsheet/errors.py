"""Errors that carry their HTTP status, and the handlers that render them as RealWorld JSON."""

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class AppError(Exception):
    """A failure the client can act on; `field` names what the message is about."""

    status_code = 400
    field = "body"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def errors(self) -> dict[str, list[str]]:
        return {self.field: [self.message]}


class Unauthorized(AppError):
    status_code = 401
    field = "token"


class Forbidden(AppError):
    status_code = 403


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class PayloadTooLarge(AppError):
    status_code = 413


class Invalid(AppError):
    """Input that breaks a rule; several fields may be wrong at once."""

    status_code = 422

    def __init__(self, problems: Mapping[str, Sequence[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in problems.items()))
        self.problems = {field: list(messages) for field, messages in problems.items()}

    def errors(self) -> dict[str, list[str]]:
        return self.problems


class TooManyRequests(AppError):
    """Slow down: the client may try again after `retry_after` seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


def error_response(status_code: int, errors: Mapping[str, list[str]]) -> JSONResponse:
    return JSONResponse({"errors": dict(errors)}, status_code=status_code)


def _field_name(location: Sequence[int | str]) -> str:
    """Name a failing field as a client knows it: ("body", "article", "title") → "title"."""
    names = [str(part) for part in location]
    # The first part says where the field was sent; a field may itself be called "body".
    if len(names) > 1 and names[0] in ("body", "query", "path", "header", "cookie"):
        names = names[1:]
    wrappers = {"user", "article", "comment"}
    meaningful = [name for name in names if name not in wrappers] or names
    return ".".join(meaningful) or "body"


def _validation_message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    limits = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and limits.get("min_length") == 1):
        return "can't be blank"
    if kind in ("string_too_short", "too_short"):
        return f"is too short (minimum is {limits.get('min_length')})"
    if kind in ("string_too_long", "too_long"):
        return f"is too long (maximum is {limits.get('max_length')})"
    if kind == "string_pattern_mismatch":
        return "contains characters that are not allowed"
    if kind == "json_invalid":
        return "is not valid JSON"
    if kind in ("greater_than_equal", "less_than_equal"):
        word = "least" if kind == "greater_than_equal" else "most"
        return f"must be at {word} {limits.get('ge', limits.get('le'))}"
    if kind == "int_parsing":
        return "must be a whole number"
    return str(error.get("msg", "is invalid")).removeprefix("Value error, ")


def validation_problems(errors: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Pydantic's errors as RealWorld's `{"field": ["message"]}`."""
    problems: dict[str, list[str]] = {}
    for error in errors:
        # Unparseable JSON is located by character offset, which names no field.
        invalid_json = error.get("type") == "json_invalid"
        field = "body" if invalid_json else _field_name(error.get("loc", ()))
        problems.setdefault(field, []).append(_validation_message(error))
    return problems


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _methods_allowed(request: Request) -> str:
    """Every method answered at the request's path: Starlette names only the first route's."""
    if is_api(request):
        documented = _documented_methods(request.app, request.url.path)
        if documented is not None:
            return ", ".join(documented)
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


def _documented_methods(app: FastAPI, path: str) -> list[str] | None:
    """The methods the OpenAPI document gives the path; a concrete path (`/articles/feed`)
    is matched before a template it also fits (`/articles/{slug}`), as OpenAPI specifies."""
    for pattern, methods in _api_paths(app):
        if pattern.fullmatch(path):
            return methods
    return None


def _api_paths(app: FastAPI) -> list[tuple[re.Pattern[str], list[str]]]:
    paths = app.openapi()["paths"]
    ordered = sorted(paths, key=lambda template: template.count("{"))
    return [
        (
            re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))),
            [method for method in _METHODS if method.lower() in paths[template]],
        )
        for template in ordered
    ]


HtmlErrorRenderer = Callable[[Request, int, dict[str, list[str]]], Response]


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


# Set by a page route whose answers are read by a script (the editor's uploads): its errors
# are answered as JSON too.
ANSWERS_JSON = "broadsheet.answers_json"


def is_api(request: Request) -> bool:
    return is_api_path(request.url.path) or request.scope.get(ANSWERS_JSON, False)


def _respond(
    request: Request,
    status_code: int,
    errors: dict[str, list[str]],
    headers: Mapping[str, str] | None = None,
    *,
    html: HtmlErrorRenderer,
) -> Response:
    response = (
        error_response(status_code, errors)
        if is_api(request)
        else html(request, status_code, errors)
    )
    if headers:
        response.headers.update(headers)
    return response


def install_handlers(app: FastAPI, *, html: HtmlErrorRenderer) -> None:
    """Answer errors as RealWorld JSON under /api and as an HTML page everywhere else."""

    respond = partial(_respond, html=html)

    async def app_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AppError)  # noqa: S101 (registered for AppError only)
        headers = (
            {"WWW-Authenticate": "Token"} if exc.status_code == 401 and is_api(request) else None
        )
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after)}
        return respond(request, exc.status_code, exc.errors(), headers)

    async def request_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101
        return respond(request, 422, validation_problems(exc.errors()))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # JSON is UTF-8 (RFC 8259): undecodable bytes are invalid JSON like any other.
            return respond(request, 422, {"body": ["is not valid JSON"]})
        if exc.status_code == 400 and isinstance(exc.__context__, MultiPartException):
            # Invalid input like any other: answered as a broken JSON body is.
            return respond(request, 422, {"body": ["is not valid multipart form data"]})
        if exc.status_code == 404 and (moved := _with_slash_flipped(request)) is not None:
            return moved
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _methods_allowed(request)}
        reasons = {404: "not found", 405: "method not allowed"}
        message = reasons.get(exc.status_code, str(exc.detail))
        return respond(request, exc.status_code, {"body": [message]}, headers)

    async def database_unavailable(request: Request, _exc: Exception) -> Response:
        # A lost connection or a lock held too long passes; the client should come back soon.
        return respond(
            request,
            503,
            {"body": ["the database is unavailable; please try again shortly"]},
            {"Retry-After": "5"},
        )

    async def database_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DBAPIError)  # noqa: S101
        if exc.connection_invalidated or _server_unavailable(exc):
            return await database_unavailable(request, exc)
        raise exc  # a real fault: answered 500 and logged by AnswerUnexpectedErrors

    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    for unavailable in (OperationalError, InterfaceError, TimeoutError, ConnectionError):
        app.add_exception_handler(unavailable, database_unavailable)
    app.add_exception_handler(DBAPIError, database_error)


class AnswerUnexpectedErrors:
    """Answer a failure no handler took with 500 (JSON or a page) and log it with its
    traceback. The framework's own last resort sits outside every middleware, so its answer
    would miss the security headers; this one sits inside them."""

    def __init__(self, app: ASGIApp, *, html: HtmlErrorRenderer) -> None:
        self.app = app
        self.html = html

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception:
            log.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            if started:
                raise  # half a response is out: only closing the connection tells the client
            errors = {"body": ["something went wrong on our side"]}
            response = _respond(Request(scope, receive), 500, errors, html=self.html)
            await response(scope, receive, send)


def _with_slash_flipped(request: Request) -> Response | None:
    """A redirect from `/path/` to `/path` (or back) when only the other one is a route, as the
    framework would make it, but to the configured base URL instead of the request's Host."""
    path: str = request.scope["path"]  # request.url would drop line breaks from it
    routes = request.app.router.routes
    if path == "/" or any(route.matches(request.scope)[0] != Match.NONE for route in routes):
        return None
    flipped = path.rstrip("/") if path.endswith("/") else path + "/"
    if not any(
        route.matches({**request.scope, "path": flipped})[0] != Match.NONE for route in routes
    ):
        return None
    # Encoded again from the decoded path the routes matched, keeping what a path may hold.
    location = request.app.state.settings.base_url + quote(flipped, safe="/:@!$&'()*+,;=")
    if request.url.query:
        location += f"?{request.url.query}"
    return RedirectResponse(location, status_code=307)


# SQLSTATE classes of a server that cannot serve us for now: 08 connection exception, 53
# insufficient resources (too many connections), 57 operator intervention ("the database
# system is starting up", "terminating connection due to administrator command").
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")


def _server_unavailable(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    return str(sqlstate).startswith(_UNAVAILABLE_SQLSTATE_CLASSES)


class ErrorResponse(BaseModel):
    """What every failed API request answers: messages grouped by the field they concern."""

    errors: dict[str, list[str]]


_ERROR_MEANINGS = {
    401: "Missing, invalid or expired token",
    403: "Only the author may do this",
    404: "No such resource",
    409: "Conflicts with the current state",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many requests",
}


def errors_documented(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the errors an operation can answer."""
    return {
        code: {"model": ErrorResponse, "description": _ERROR_MEANINGS[code]}
        for code in status_codes
    }
