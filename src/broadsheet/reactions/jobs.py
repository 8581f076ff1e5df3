"""The periodic ranking of the week's most applauded stories."""

from broadsheet.db import session_scope
from broadsheet.jobs import Context, Kind
from broadsheet.lib.clock import utcnow
from broadsheet.reactions.service import rank_popular

# Popular this week is ranked again this often (a cron time), not on each request.
RANK_POPULAR_CRON = "*/10 * * * *"


async def rank_popular_stories(ctx: Context) -> int:
    """Rank the week's most applauded stories again; how many made the list."""
    async with session_scope(ctx["database"]) as session:
        return await rank_popular(session, now=utcnow())


RANK_POPULAR_STORIES = Kind(rank_popular_stories, timeout=300, attempts=1)
