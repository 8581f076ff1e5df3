"""The path of a request as the client sent it."""

from urllib.parse import quote

from starlette.types import Scope


def raw_path(scope: Scope) -> str:
    """The path as sent, still percent-encoded and without the query: `%3F` stays `%3F`,
    where the decoded path would make it a `?` that looks like the start of a query."""
    raw: bytes | None = scope.get("raw_path")
    return raw.decode("latin-1").partition("?")[0] if raw else quote(scope["path"])
