"""Fill a database with writers, stories, comments, follows and favorites for the benchmark.

    DATABASE_URL=... python -m bench.generate small|large

Everything goes through the services, in batches of one transaction each. Row N of every kind
is derived from N alone, so an interrupted run resumes where it stopped: each stage counts what
is there and writes the rest. Every writer signs in as `writer00000@example.com` (and so on)
with the password PASSWORD.
"""

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench import prose
from broadsheet import migrate
from broadsheet.accounts import service as accounts
from broadsheet.accounts.models import Follow, User
from broadsheet.accounts.schemas import NewUser, UserUpdate
from broadsheet.articles import service as articles
from broadsheet.articles.models import Article, Favorite
from broadsheet.articles.schemas import ArticleCreate
from broadsheet.comments import service as comments
from broadsheet.comments.models import Comment
from broadsheet.comments.schemas import CommentCreate
from broadsheet.db import Base, Database, connect, session_scope
from broadsheet.lib.passwords import Passwords
from broadsheet.settings import Settings

PASSWORD = "bench-password"  # noqa: S105 (a benchmark database, signed into by the load scripts)
# Stories are spread over two years before this moment, the newest last, so that every run
# of the generator writes the same dates.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
HISTORY = timedelta(days=730)


@dataclass(frozen=True)
class Size:
    name: str
    writers: int
    stories: int
    tags: int
    comments: int
    follows_per_writer: int
    favorites: int


SIZES = {
    "small": Size("small", writers=50, stories=1_000, tags=30, comments=3_000,
                  follows_per_writer=10, favorites=2_000),
    "large": Size("large", writers=1_000, stories=100_000, tags=30, comments=300_000,
                  follows_per_writer=10, favorites=100_000),
}  # fmt: skip


def username(number: int) -> str:
    return f"writer{number:05d}"


def email(number: int) -> str:
    return f"{username(number)}@example.com"


class Progress:
    """A progress bar on standard error: redrawn in place on a terminal, a line a tenth in logs."""

    def __init__(self, label: str, total: int, done: int = 0) -> None:
        self.label, self.total, self.done, self.first = label, total, done, done
        self.started = time.perf_counter()
        self.shown_tenth = -1
        self._show()

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._show()

    def _show(self) -> None:
        elapsed = time.perf_counter() - self.started
        rate = (self.done - self.first) / elapsed if elapsed > 0 else 0.0
        filled = 30 * self.done // max(self.total, 1)
        line = (
            f"{self.label:<10} [{'#' * filled}{'.' * (30 - filled)}] "
            f"{self.done:>7}/{self.total} {elapsed:6.1f} s {rate:8.0f}/s"
        )
        if sys.stderr.isatty():
            end = "\n" if self.done >= self.total else ""
            print(f"\r{line}", end=end, file=sys.stderr, flush=True)
            return
        tenth = 10 * self.done // max(self.total, 1)
        if tenth != self.shown_tenth:
            self.shown_tenth = tenth
            print(line, file=sys.stderr, flush=True)


def _batches(start: int, stop: int, size: int) -> list[range]:
    return [range(low, min(low + size, stop)) for low in range(start, stop, size)]


async def _count(database: Database, table: type[Base]) -> int:
    async with session_scope(database, write=False) as session:
        return await session.scalar(select(func.count()).select_from(table)) or 0


async def _writers(session: AsyncSession) -> list[User]:
    query = select(User).where(User.username_key.like("writer%")).order_by(User.username_key)
    return list(await session.scalars(query))


async def _story_slugs(database: Database) -> list[str]:
    async with session_scope(database, write=False) as session:
        return list(await session.scalars(select(Article.slug).order_by(Article.id)))


async def sign_up_writers(database: Database, size: Size, passwords: Passwords) -> None:
    done = await _count(database, User)
    progress = Progress("writers", size.writers, done)
    for batch in _batches(done, size.writers, 100):
        async with session_scope(database) as session:
            for number in batch:
                new_user = NewUser(
                    username=username(number), email=email(number), password=PASSWORD
                )
                writer = await accounts.register(session, new_user, passwords=passwords)
                bio = UserUpdate(bio=prose.description(number))
                await accounts.update_account(session, writer, bio, passwords=passwords)
        progress.advance(len(batch))


async def publish_stories(database: Database, size: Size) -> None:
    done = await _count(database, Article)
    progress = Progress("stories", size.stories, done)
    step = HISTORY / size.stories
    for batch in _batches(done, size.stories, 100):
        async with session_scope(database) as session:
            writers = await _writers(session)
            for number in batch:
                draft = ArticleCreate(
                    title=prose.title(number),
                    description=prose.description(number),
                    body=prose.body(number),
                    tag_list=prose.tags_for(number, available=size.tags),
                )
                # Writers publish at different rates: the first few write the most.
                share = prose.seeded(f"author-{number}").random() ** 1.5
                author = writers[int(share * len(writers))]
                article = await articles.write(session, draft, by=author)
                # Moved into the past, as the demo content is, so lists span two years.
                article.created_at = article.updated_at = EPOCH - HISTORY + step * number
        progress.advance(len(batch))


def _followed(number: int, size: Size) -> list[int]:
    """Whom writer `number` follows: a fixed spread of others, never themselves."""
    stride = max(1, size.writers // (size.follows_per_writer + 1))
    return [(number + stride * (k + 1)) % size.writers for k in range(size.follows_per_writer)]


async def follow_writers(database: Database, size: Size) -> None:
    total = size.writers * size.follows_per_writer
    done = await _count(database, Follow)
    progress = Progress("follows", total, done)
    # Following twice changes nothing, so a partial stage is simply run again from its batch.
    for batch in _batches(done // size.follows_per_writer, size.writers, 50):
        async with session_scope(database) as session:
            writers = await _writers(session)
            for number in batch:
                for other in _followed(number, size):
                    await accounts.follow(session, writers[number], username(other))
        progress.advance(len(batch) * size.follows_per_writer)


async def favorite_stories(database: Database, size: Size) -> None:
    done = await _count(database, Favorite)
    slugs = await _story_slugs(database)
    progress = Progress("favorites", size.favorites, done)
    for batch in _batches(done, size.favorites, 500):
        async with session_scope(database) as session:
            writers = await _writers(session)
            for number in batch:
                # Distinct (reader, story) pairs: every story's k-th favorite comes in round k,
                # from a writer 17 places after the one of round k - 1.
                story = len(slugs) - 1 - (number * 7919) % len(slugs)
                round_ = number // len(slugs)
                reader = writers[(story * 31 + round_ * 17 + 1) % len(writers)]
                await articles.favorite(session, slugs[story], by=reader)
        progress.advance(len(batch))


async def write_comments(database: Database, size: Size) -> None:
    done = await _count(database, Comment)
    slugs = await _story_slugs(database)
    progress = Progress("comments", size.comments, done)
    for batch in _batches(done, size.comments, 500):
        async with session_scope(database) as session:
            writers = await _writers(session)
            for number in batch:
                story = (number * 7919) % len(slugs)
                reader = writers[(number * 13 + 5) % len(writers)]
                reply = CommentCreate(body=prose.comment(number))
                await comments.respond(session, slugs[story], reply, by=reader)
        progress.advance(len(batch))


STAGES = {
    "stories": publish_stories,
    "follows": follow_writers,
    "favorites": favorite_stories,
    "comments": write_comments,
}


async def generate(
    database_url: str, size: Size, *, stages: Sequence[str] = tuple(STAGES)
) -> float:
    """Bring the database up to `size`; returns the seconds it took."""
    started = time.perf_counter()
    # Cheap hashing for the writers made here; the server rehashes a password at its own cost
    # the first time its writer signs in.
    settings = Settings(
        database={"url": database_url}, password={"memory_kib": 1024, "time_cost": 1}
    )
    database = connect(settings)
    try:
        await migrate.upgrade(database)
        await sign_up_writers(database, size, accounts.password_hashing(settings))
        for stage in stages:
            await STAGES[stage](database, size)
        # Statistics for the planner now, as a database in service has them: without them a
        # list's tags were read with a parallel bitmap scan of every tag link (9 ms for 20).
        async with database.write_engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    finally:
        await database.dispose()
    return time.perf_counter() - started


async def is_generated(database_url: str, size: Size) -> bool:
    """Whether the database holds `size`: its writers and stories exactly, and every other row."""
    database = connect(Settings(database={"url": database_url}))
    try:
        if not await migrate.is_current(database):
            return False
        exactly = [await _count(database, table) for table in (User, Article)]
        at_least: Sequence[tuple[type[Base], int]] = (
            (Follow, size.writers * size.follows_per_writer),
            (Favorite, size.favorites),
            (Comment, size.comments),
        )
        return exactly == [size.writers, size.stories] and all(
            [await _count(database, table) >= count for table, count in at_least]
        )
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--database-url", help="defaults to DATABASE_URL")
    parser.add_argument(
        "--stages",
        nargs="+",
        choices=list(STAGES),
        default=list(STAGES),
        help="only these (writers always); on PostgreSQL, the stages after stories may run side "
        "by side in separate processes",
    )
    arguments = parser.parse_args()
    database_url = arguments.database_url or Settings().database.url
    seconds = asyncio.run(generate(database_url, SIZES[arguments.size], stages=arguments.stages))
    print(f"{arguments.size}: generated in {seconds:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
