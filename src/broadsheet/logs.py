"""Logs on stderr, one JSON object a line (or text, for a person at a terminal), every line
written during a request carrying that request's id, and one access line per request. Nothing
secret is ever logged: no headers, no query strings, no bodies."""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LogFormat = Literal["json", "text"]

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only if it cannot forge a log line or carry a secret of any size.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("broadsheet.access")


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request being served, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def json_formatter() -> logging.Formatter:
    """Records as one JSON object a line: time, level, logger, message, request id, extras.
    (orjson: an access line is written for every request, cache hits included, and the standard
    library's encoder made it a third of a hit's cost.)"""
    return OrjsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
        # uvicorn adds a copy of its messages coloured for terminals.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request_id", None)
        record.request = f" [{request}]" if request else ""
        return super().format(record)


def text_formatter() -> logging.Formatter:
    """Records as a line for a person: time, level, logger, the request's id (only for lines
    written during a request, so start-up lines carry no "[None]"), message."""
    return _TextFormatter("%(asctime)s %(levelname)s %(name)s%(request)s %(message)s")


def logging_config(*, level: str = "INFO", log_format: LogFormat = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` mapping: everything, uvicorn's lines included, to stderr."""
    formatters: dict[str, dict[str, Any]] = {
        "json": {"()": json_formatter},
        "text": {"()": text_formatter},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Requests are logged once, by RequestLog, with their id.
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _VALID_REQUEST_ID.fullmatch(candidate) else None
    return None


class RequestLog:
    """Give each request an id (the caller's `X-Request-ID` when valid), send it back, and
    write one access line when the response is done, unless `access_log` is off."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = _incoming_request_id(scope) or uuid.uuid4().hex
        token = request_id.set(current)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = current
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # The id stays set: the server logs the escaping error next, and that line should
            # carry it too. Each request runs in its own task, so the id dies with the task.
            _log_access(scope, status, time.perf_counter() - started)
            raise
        if self.access_log:
            _log_access(scope, status, time.perf_counter() - started)
        request_id.reset(token)


def _log_access(scope: Scope, status: int, seconds: float) -> None:
    method, path = scope["method"], scope["path"]
    duration_ms = round(seconds * 1000, 1)
    # The path only: query strings may carry tokens or search terms.
    access_log.info(
        "%s %s %s %sms",
        method,
        path,
        status,
        duration_ms,
        extra={"method": method, "path": path, "status": status, "duration_ms": duration_ms},
    )
