"""Who is calling: the user behind the API token or the site's session cookie, if any."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.responses import Response

from broadsheet.accounts import service as accounts
from broadsheet.accounts.models import User
from broadsheet.deps import AppSettings, DbSession
from broadsheet.errors import Unauthorized
from broadsheet.web import renew_csrf, set_cookie

_authorization = APIKeyHeader(
    name="Authorization",
    scheme_name="Token",
    description="`Token <jwt>` from the `token` field of a user response",
    auto_error=False,
)


def _token_from(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not token.strip():
        raise Unauthorized("must be sent as 'Authorization: Token <jwt>'")
    return token.strip()


async def _optional_user(
    session: DbSession,
    settings: AppSettings,
    header: Annotated[str | None, Depends(_authorization)],
) -> User | None:
    token = _token_from(header)
    if token is None:
        return None
    return await accounts.user_for_token(session, token, key=settings.signing_key)


async def _current_user(user: Annotated[User | None, Depends(_optional_user)]) -> User:
    if user is None:
        raise Unauthorized("is missing")
    return user


OptionalUser = Annotated[User | None, Depends(_optional_user)]
CurrentUser = Annotated[User, Depends(_current_user)]


SITE_SESSION_COOKIE = "broadsheet_session"


@dataclass(frozen=True)
class SignedIn:
    """Who the page is for, as the header and buttons need it."""

    id: int
    username: str


class SignInRequired(Unauthorized):
    def __init__(self) -> None:
        super().__init__("Please sign in to do that.", field="session")


async def _site_viewer(request: Request, session: DbSession) -> User | None:
    token = request.cookies.get(SITE_SESSION_COOKIE)
    user = await accounts.user_for_site_session(session, token) if token else None
    # Pages, error pages included, show who is signed in from this snapshot: it outlives the
    # request's transaction, which a failed request rolls back.
    request.state.viewer = SignedIn(user.id, user.username) if user else None
    return user


async def _site_user(user: Annotated[User | None, Depends(_site_viewer)]) -> User:
    if user is None:
        raise SignInRequired()
    return user


SiteViewer = Annotated[User | None, Depends(_site_viewer)]
SiteUser = Annotated[User, Depends(_site_user)]


async def start_site_session(
    request: Request, response: Response, session: DbSession, user: User
) -> None:
    """Sign `user` in on this browser with a fresh session id and a fresh CSRF seed."""
    old_token = request.cookies.get(SITE_SESSION_COOKIE)
    if old_token:
        await accounts.end_site_session(session, old_token)
    token = await accounts.start_site_session(session, user)
    lifetime = int(accounts.SITE_SESSION_LIFETIME.total_seconds())
    set_cookie(request, response, SITE_SESSION_COOKIE, token, max_age=lifetime)
    renew_csrf(request, response)
