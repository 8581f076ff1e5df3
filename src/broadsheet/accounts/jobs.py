"""Jobs that keep accounts tidy."""

from sqlalchemy import delete

from broadsheet.accounts.models import SiteSession
from broadsheet.db import session_scope
from broadsheet.jobs import Context, Kind
from broadsheet.lib.clock import utcnow


async def forget_expired_sessions(ctx: Context) -> int:
    """Delete the sessions of browsers whose sign-in has expired; how many went. Run twice, the
    second run finds none."""
    async with session_scope(ctx["database"]) as session:
        result = await session.execute(delete(SiteSession).where(SiteSession.expires_at < utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]


FORGET_EXPIRED_SESSIONS = Kind(forget_expired_sessions, timeout=60)
