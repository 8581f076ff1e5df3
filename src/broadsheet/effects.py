"""What a transaction means beyond its rows: which cached responses it makes stale, and which
jobs it asks for.

Services name what they change as surrogate keys (`changed`), reads name what they show
(`shown`), and services ask for jobs (`later`, through `jobs.later`); all are kept on the
session. The session's owner — the request, the CLI or a worker, through `db.session_scope()` —
purges the changed keys and sends the jobs once the transaction has committed, and drops them
when it rolls back. Every cacheable response carries the keys of what it shows, so a
purge reaches exactly the responses that showed it, here and in a shared cache in front.

Keys are plain tokens (no spaces or commas), so they fit `Surrogate-Key` and `Cache-Tag` headers.
"""

from collections.abc import Collection, Iterable, Sequence
from typing import Any, Protocol
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

_CHANGED = "broadsheet.changed"
_SHOWN = "broadsheet.shown"
_LATER = "broadsheet.later"

# Carried by every cached response: purging it empties the cache (after a restore).
EVERYTHING = "site"
# Which stories exist, newest first: the latest list and its count.
STORIES = "stories"
# Which tags are in use, and how much: the popular tags.
TAGS = "tags"
# Every story's address and last change.
SITEMAP = "sitemap"
# Which stories were most applauded this week, in order.
POPULAR = "popular"
# The words search finds stories by: any story's title, subtitle or body.
SEARCH = "search"


def _token(text: str) -> str:
    return quote(text, safe="")


def story(story_id: int) -> str:
    """A story's own fields: title, body, tags, favorite and clap counts."""
    return f"story:{story_id}"


def responses_to(story_id: int) -> str:
    return f"responses:{story_id}"


def author(user_id: int) -> str:
    """A writer's profile as pages show it: name, bio, image."""
    return f"author:{user_id}"


def stories_by(username_key: str) -> str:
    """Which stories a writer's list holds (lists name writers by username)."""
    return f"stories-by:{_token(username_key)}"


def publication(publication_id: int) -> str:
    """A publication as its page and the stories in it show it: name, tagline, logo, writers,
    followers."""
    return f"publication:{publication_id}"


def stories_in(publication_id: int) -> str:
    """Which stories a publication's list holds."""
    return f"stories-in:{publication_id}"


def series(series_id: int) -> str:
    """A series: its title, description and parts in order."""
    return f"series:{series_id}"


def favorites_of(username_key: str) -> str:
    """Which stories a reader's favorites list holds."""
    return f"favorites:{_token(username_key)}"


def story_list(list_id: int) -> str:
    """A list as its page and feed show it: its name, its stories in order, their notes."""
    return f"list:{list_id}"


def lists_of(user_id: int) -> str:
    """Which lists a reader keeps, as their lists page shows them."""
    return f"lists-of:{user_id}"


def tagged(name: str) -> str:
    """Which stories carry the tag `name`, in whatever case it is written."""
    return f"tag:{_token(name.casefold())}"


class Purger(Protocol):
    async def purge(self, keys: Collection[str]) -> None:
        """Make every response that carries one of `keys` stale."""
        ...


class Sender(Protocol):
    async def send(self, pending: Sequence[Any]) -> None:
        """Queue the jobs a committed transaction asked for."""
        ...


def changed(session: AsyncSession, *keys: str) -> None:
    """Record that this transaction changes what `keys` name."""
    session.info.setdefault(_CHANGED, set()).update(keys)


def shown(session: AsyncSession, *keys: str) -> None:
    """Record that the response being built shows what `keys` name."""
    session.info.setdefault(_SHOWN, set()).update(keys)


def collect_shown(session: AsyncSession, into: set[str]) -> None:
    """Gather the keys that reads in `session` record into `into` (the response's keys)."""
    session.info[_SHOWN] = into


def later(session: AsyncSession, pending: object) -> None:
    """Record a job to send once this transaction commits."""
    session.info.setdefault(_LATER, []).append(pending)


async def after_commit(
    session: AsyncSession, purger: Purger | None, sender: Sender | None = None
) -> None:
    """Act on what the committed transaction recorded; call only once it has committed."""
    keys = session.info.pop(_CHANGED, None)
    if keys and purger is not None:
        await purger.purge(keys)
    pending = session.info.pop(_LATER, None)
    if pending and sender is not None:
        await sender.send(pending)


def keys_of_stories(stories: Iterable[tuple[int, int]]) -> list[str]:
    """The keys of (story id, author id) pairs shown together."""
    keys: list[str] = []
    for story_id, author_id in stories:
        keys += (story(story_id), author(author_id))
    return keys
