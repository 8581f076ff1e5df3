"""Jobs about stories: publishing scheduled ones on time, and telling a WebSub hub that feeds
have new or changed stories."""

from collections.abc import Sequence

import httpx

from broadsheet.db import session_scope
from broadsheet.jobs import Context, Kind
from broadsheet.lib.clock import utcnow

# How often workers look for scheduled stories whose time has come (a cron time with seconds):
# a story goes public at most this long after its time.
PUBLISH_DUE_CRON = "* * * * * */10"

# An edit a minute after publishing is announced with it: a hub fetches the feeds once.
ANNOUNCE_DELAY_SECONDS = 10


async def announce_feeds(ctx: Context, *, paths: Sequence[str]) -> int:
    """Tell the configured WebSub hub (W3C WebSub, "publish" ping) that the feeds at `paths`
    changed, so that it fetches them and pushes the news to subscribers; how many were told.
    Telling a hub twice only makes it fetch again."""
    settings = ctx["settings"]
    if not settings.websub_hub:
        return 0
    base = settings.base_url.rstrip("/")
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        for path in paths:
            answer = await client.post(
                settings.websub_hub, data={"hub.mode": "publish", "hub.url": base + path}
            )
            answer.raise_for_status()
    return len(paths)


ANNOUNCE_FEEDS = Kind(announce_feeds, timeout=60, attempts=8, retry_delay=30)


async def publish_due_stories(ctx: Context) -> int:
    """Publish the scheduled stories whose time has come; how many."""
    # Imported here: the service queues the jobs above, so it imports this module first.
    from broadsheet.articles.service import publish_due

    async with session_scope(ctx["database"]) as session:
        return await publish_due(session, now=utcnow())


PUBLISH_DUE_STORIES = Kind(publish_due_stories, timeout=60, attempts=1)
