"""Who is calling: the user behind the API token or the site's session cookie, if any."""

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.responses import Response

from broadsheet.accounts import service as accounts
from broadsheet.accounts.models import User
from broadsheet.accounts.schemas import UserUpdate
from broadsheet.deps import AppSettings, DbSession
from broadsheet.errors import Unauthorized
from broadsheet.ratelimit import RateLimiter, client_address
from broadsheet.settings import Settings
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
# FastAPI documents the token as required wherever it is read. Operations that also answer
# anonymous callers add this empty requirement, OpenAPI's way of saying "or no token at all".
TOKEN_OPTIONAL: dict[str, Any] = {"security": [{}]}
CurrentUser = Annotated[User, Depends(_current_user)]


SITE_SESSION_COOKIE = "broadsheet_session"


@dataclass(frozen=True)
class SignedIn:
    """Who the page is for, as the header and buttons need it."""

    id: int
    username: str
    is_admin: bool = False


class SignInRequired(Unauthorized):
    def __init__(self) -> None:
        super().__init__("Please sign in to do that.", field="session")


async def _site_viewer(request: Request, session: DbSession) -> User | None:
    token = request.cookies.get(SITE_SESSION_COOKIE)
    user = await accounts.user_for_site_session(session, token) if token else None
    # Pages, error pages included, show who is signed in from this snapshot: it outlives the
    # request's transaction, which a failed request rolls back.
    request.state.viewer = SignedIn(user.id, user.username, user.is_admin) if user else None
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


@dataclass(frozen=True)
class AttemptLimits:
    """Counts this client's attempts to sign in and to sign up; raises LimitReached past a limit.

    Limits hold per address, per account and address, and per account from anywhere, so neither
    guessing many passwords from one machine nor one password at many accounts goes unchecked.
    An email counts the same whether or not its account exists.
    """

    limiter: RateLimiter
    settings: Settings
    address: str

    async def sign_in(self, email: str) -> None:
        account = _account(email)
        await self.limiter.hit(
            self.settings.limits.login_per_address, "login:address", self.address
        )
        await self.limiter.hit(
            self.settings.limits.login_per_account_and_address, "login:both", account, self.address
        )
        await self.limiter.hit(self.settings.limits.login_per_account, "login:account", account)

    async def sign_up(self, email: str) -> None:
        account = _account(email)
        await self.limiter.hit(
            self.settings.limits.signup_per_address, "signup:address", self.address
        )
        await self.limiter.hit(self.settings.limits.signup_per_account, "signup:account", account)

    async def update_account(self, user: User, changes: UserUpdate) -> None:
        """A settings change counts like what it could be used for instead: a current password
        tried as a sign-in, a new email as a sign-up (so that trying addresses here is no way
        around the sign-up limits), and new emails per account besides."""
        if changes.current_password is not None:
            await self.sign_in(user.email)
        if email := accounts.new_email(user, changes):
            await self.sign_up(email)
            await self.limiter.hit(
                self.settings.limits.email_change_per_account, "email-change:account", str(user.id)
            )


def _account(email: str) -> str:
    # Counted under a digest: no address book of who tried to sign in is left in Redis.
    return hashlib.sha256(accounts.email_key(email).encode()).hexdigest()


async def _attempt_limits(request: Request, settings: AppSettings) -> AttemptLimits:
    return AttemptLimits(request.app.state.rate_limiter, settings, client_address(request))


Attempts = Annotated[AttemptLimits, Depends(_attempt_limits)]


def _not_stored(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


# For responses that carry a token or an email address: no cache, the browser's included, keeps
# them.
NOT_STORED = Depends(_not_stored)
