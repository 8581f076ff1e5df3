"""Signed, expiring access tokens (JWT, HS256 pinned)."""

from dataclasses import dataclass
from datetime import timedelta

import jwt

from broadsheet.lib.clock import utcnow

ALGORITHM = "HS256"


class InvalidTokenError(Exception):
    """The token is malformed, forged or expired."""


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    version: int


def issue(claims: TokenClaims, *, key: str, ttl: timedelta) -> str:
    now = utcnow()
    payload = {
        "sub": str(claims.user_id),
        "ver": claims.version,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM)


def verify(token: str, *, key: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp", "iat", "ver"]},
        )
        return TokenClaims(user_id=int(payload["sub"]), version=int(payload["ver"]))
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidTokenError(str(error)) from error
