"""ASGI middleware shared by the whole app."""

import asyncio
import re
from dataclasses import dataclass
from urllib.parse import unquote_plus

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.errors import error_response, is_api_path
from broadsheet.schemas import XML_FORBIDDEN


@dataclass(frozen=True)
class BodyLimits:
    """How large a request body may be: `default`, or `uploads` for a file sent as
    multipart/form-data to one of the `upload_paths`."""

    default: int
    uploads: int
    upload_paths: re.Pattern[str]

    def of(self, scope: Scope) -> int:
        if self.upload_paths.fullmatch(scope["path"]) is None:
            return self.default
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        return self.uploads if content_type.startswith(b"multipart/form-data") else self.default


class BodySizeLimit:
    """Refuse request bodies over their limit with 413, whether or not Content-Length is
    sent."""

    def __init__(self, app: ASGIApp, *, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limits.of(scope)
        too_large = HTTPException(413, f"request body is larger than {max_bytes} bytes")
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_large_declared = declared.isdigit() and int(declared) > max_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if too_large_declared:
                raise too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise too_large
            return message

        await self.app(scope, limited_receive, send)


class RefuseForbiddenInUrl:
    """Answer 422 to a URL carrying a character no text field takes: NUL, which no database
    engine stores or matches as text, and the others XML cannot hold, which a tag or a name in
    the URL would carry into a feed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _carries_forbidden(scope):
            message = "must not contain control characters, U+FFFE or U+FFFF"
            response = error_response(422, {"url": [message]})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _carries_forbidden(scope: Scope) -> bool:
    query = unquote_plus(scope["query_string"].decode("latin-1"))
    return bool(XML_FORBIDDEN.search(scope["path"]) or XML_FORBIDDEN.search(query))


class ApiCors:
    """CORS for `/api` only: other origins may call the API, never the site's forms."""

    def __init__(self, app: ASGIApp, *, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and (path == "/api" or path.startswith("/api/")):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


SITE_CSP = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' https: data:",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The interactive API docs: Swagger UI and its start-up script are served from our origin; its
# stylesheet draws icons as data: URIs.
DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    )
)


def security_headers(csp: str = SITE_CSP) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }


class SecurityHeaders:
    """Headers that tell browsers to run only our own scripts and never frame our pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] == "/api/docs" else SITE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(csp).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answer HEAD as GET without the body, for crawlers and uptime monitors."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


# The health probes and the metrics: answered whatever the load, and whatever host they name.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class LoadShedding:
    """Answer 503 with Retry-After at once while this worker already serves `limit` requests.
    Past its capacity a server that queues only makes every request late; a quick refusal lets
    clients retry and balancers go elsewhere, and keeps the admitted requests fast."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Probes and metrics must answer most of all when the server is busy.
        if scope["type"] != "http" or scope["path"] in PROBE_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await _busy(scope)(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def _busy(scope: Scope) -> Response:
    return refusal(
        scope,
        503,
        "the server is busy; please try again shortly",
        headers={"Retry-After": "1", "Cache-Control": "no-store"},
    )


def refusal(
    scope: Scope, status: int, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    """A request turned away before the app ran: RealWorld JSON under /api, plain words
    elsewhere, with the headers every response carries."""
    headers = {**security_headers(), **(headers or {})}
    if is_api_path(scope["path"]):
        response = error_response(status, {"body": [message]})
        response.headers.update(headers)
        return response
    text = message[0].upper() + message[1:] + "."
    return PlainTextResponse(text, status_code=status, headers=headers)


# host[:port] as RFC 9110 allows it in Host: a name or an IPv4 address, or an IPv6 address in
# brackets; no userinfo, path, query or spaces.
_LABEL = r"[a-z0-9_][a-z0-9_-]{0,62}"
_HOST_HEADER = re.compile(
    rf"(?P<host>\[[0-9a-f:.]+\]|{_LABEL}(?:\.{_LABEL})*\.?)(?::[0-9]{{1,5}})?"
)


class CheckRequestHead:
    """Refuse, before anything else runs, a request whose headers are too many or too large
    (431), or whose Host is malformed, doubled, missing (HTTP/1.1 requires one) or not one this
    site answers for (400): links and cache entries must never be made from a host an attacker
    chose."""

    # Host values found good, so that most requests skip the pattern; bounded against floods
    # of distinct ones.
    _REMEMBERED_HOSTS = 64

    def __init__(
        self, app: ASGIApp, *, allowed: frozenset[str], max_bytes: int, max_count: int
    ) -> None:
        self.app = app
        self.allowed = allowed
        self.max_bytes = max_bytes
        self.max_count = max_count
        self._good_hosts: set[bytes] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        size = 0
        hosts = []
        for name, value in headers:
            size += len(name) + len(value)
            if name == b"host":
                hosts.append(value)
        if len(headers) > self.max_count or size > self.max_bytes:
            message = (
                f"request headers must stay within {self.max_count} fields"
                f" and {self.max_bytes} bytes"
            )
            await refusal(scope, 431, message)(scope, receive, send)
            return
        problem = self._host_problem(scope, hosts)
        if problem:
            await refusal(scope, 400, problem)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _host_problem(self, scope: Scope, hosts: list[bytes]) -> str | None:
        if len(hosts) > 1:
            return "a request must carry one Host header, not several"
        if not hosts:
            return None if scope["http_version"] == "1.0" else "a Host header is required"
        if hosts[0] in self._good_hosts:
            return None
        valid = _HOST_HEADER.fullmatch(hosts[0].decode("latin-1").lower())
        if valid is None:
            return "the Host header must be a host name with an optional port"
        if not self._allows(valid["host"].strip("[]")):
            # Health probes come from load balancers that name the server by its address.
            if scope["path"] in PROBE_PATHS:
                return None
            return "this server does not answer for that host"
        if len(self._good_hosts) < self._REMEMBERED_HOSTS:
            self._good_hosts.add(hosts[0])
        return None

    def _allows(self, host: str) -> bool:
        host = host.rstrip(".")
        if "*" in self.allowed or host in self.allowed:
            return True
        return any(
            allowed.startswith(".") and (host.endswith(allowed) or host == allowed[1:])
            for allowed in self.allowed
        )


class ReadBodyFirst:
    """Read a request's whole body before the layers inside run, within `timeout` seconds.

    The in-flight limit inside counts requests being worked on: a client that trickles its
    body in must not hold a slot while it does, and one too slow is answered 408. Bodies are
    bounded (BodySizeLimit, inside, answers 413), so no more than the body's limit and one
    chunk are held."""

    def __init__(self, app: ASGIApp, *, timeout: float, limits: BodyLimits) -> None:
        self.app = app
        self.timeout = timeout
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limits.of(scope)
        if not _may_have_body(scope, max_bytes):
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.timeout):
                arrived = await self._read(receive, max_bytes)
        except TimeoutError:
            late = f"the request body did not arrive within {self.timeout:g} seconds"
            response = refusal(scope, 408, late, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        await self.app(scope, _replaying(arrived, receive), send)

    async def _read(self, receive: Receive, max_bytes: int) -> list[Message]:
        arrived: list[Message] = []
        size = 0
        while True:
            message = await receive()
            arrived.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                return arrived
            size += len(message.get("body", b""))
            if size > max_bytes:
                return arrived  # enough for the limit inside to refuse it


def _may_have_body(scope: Scope, max_bytes: int) -> bool:
    """Whether there is a body worth waiting for: one declared too large is refused inside
    without being read."""
    for name, value in scope["headers"]:
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            return value.isdigit() and 0 < int(value) <= max_bytes
    return False


def _replaying(arrived: list[Message], receive: Receive) -> Receive:
    pending = list(arrived)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay
