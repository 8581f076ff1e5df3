"""Who is calling: the user behind the request's token, if any."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader

from broadsheet.accounts import service as accounts
from broadsheet.accounts.models import User
from broadsheet.deps import AppSettings, DbSession
from broadsheet.errors import Unauthorized

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
