"""Demo content: five writers, thirty stories, and the comments, follows and favorites between them.

Every demo writer signs in with the email `<username>@example.com` and the password
"broadsheet-demo" (for instance margot.lind@example.com). The stories are Markdown files in
`demo_stories/`, each opened by a few `key: value` lines (title, description, author, tags,
days_ago, favorited_by, and one `comment: <username>: <text>` line per comment) and a blank line.

Loading with `force` into a database that already has the demo writers' names gives the new set a
suffix shared by all five ("margot.lind-2", "margot.lind-2@example.com"), so a second set of
content loads beside the first and nobody's existing account is touched.
"""

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet.accounts import service as accounts
from broadsheet.accounts.models import User
from broadsheet.accounts.schemas import NewUser, UserUpdate
from broadsheet.articles import service as articles
from broadsheet.articles.models import Article
from broadsheet.articles.schemas import ArticleCreate
from broadsheet.comments import service as comments
from broadsheet.comments.schemas import CommentCreate
from broadsheet.lib.clock import utcnow
from broadsheet.lib.passwords import Passwords

# Public on purpose: anyone trying the demo signs in as one of its writers.
DEMO_PASSWORD = "broadsheet-demo"  # noqa: S105
EMAIL_DOMAIN = "example.com"

WRITERS = {
    "margot.lind": (
        "Editor. Twenty years of cutting other people's adverbs and, now and then, my own. "
        "I write about craft, reading and the strange business of publishing."
    ),
    "tomas.reyes": (
        "Backend engineer who likes small servers, good indexes and boring deploys. "
        "Databases, logs, and the habits that keep software easy to change."
    ),
    "amara.okafor": (
        "Science writer with a physics degree and a soft spot for back-of-the-envelope sums. "
        "Space, weather, climate, and how we know what we know."
    ),
    "jun.watanabe": (
        "Urban designer. I walk cities with a notebook and a tape measure: streets, transit, "
        "public space, and the maps we draw of them."
    ),
    "priya.raman": (
        "Cook and food writer. Bread on weekends, stock on Sundays, and a kitchen notebook "
        "that is mostly arithmetic."
    ),
}

FOLLOWS = (
    ("tomas.reyes", "margot.lind"),
    ("tomas.reyes", "jun.watanabe"),
    ("margot.lind", "amara.okafor"),
    ("margot.lind", "priya.raman"),
    ("margot.lind", "tomas.reyes"),
    ("amara.okafor", "tomas.reyes"),
    ("amara.okafor", "jun.watanabe"),
    ("jun.watanabe", "priya.raman"),
    ("jun.watanabe", "amara.okafor"),
    ("jun.watanabe", "tomas.reyes"),
    ("priya.raman", "margot.lind"),
    ("priya.raman", "jun.watanabe"),
)


class DatabaseNotEmpty(Exception):
    """The database already has users or stories, and loading was not forced."""


@dataclass(frozen=True)
class DemoComment:
    author: str
    body: str


@dataclass(frozen=True)
class DemoStory:
    title: str
    description: str
    author: str
    tags: list[str]
    days_ago: int
    favorited_by: list[str]
    comments: list[DemoComment]
    body: str


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def parse_story(text: str) -> DemoStory:
    """A story file: `key: value` lines, a blank line, then the Markdown body."""
    header, _, body = text.partition("\n\n")
    fields: dict[str, str] = {}
    said: list[DemoComment] = []
    for line in header.splitlines():
        key, _, value = line.partition(": ")
        if key == "comment":
            author, _, comment = value.partition(": ")
            said.append(DemoComment(author, comment))
        else:
            fields[key] = value
    return DemoStory(
        title=fields["title"],
        description=fields["description"],
        author=fields["author"],
        tags=_names(fields["tags"]),
        days_ago=int(fields["days_ago"]),
        favorited_by=_names(fields.get("favorited_by", "")),
        comments=said,
        body=body.strip(),
    )


def demo_stories() -> list[DemoStory]:
    """Every demo story, oldest first."""
    folder = resources.files("broadsheet") / "demo_stories"
    stories = [
        parse_story(file.read_text(encoding="utf-8"))
        for file in folder.iterdir()
        if file.name.endswith(".md")
    ]
    return sorted(stories, key=lambda story: (-story.days_ago, story.title))


def _email(username: str) -> str:
    return f"{username}@{EMAIL_DOMAIN}"


async def demo_sign_in(session: AsyncSession) -> str | None:
    """How to sign in as a demo writer, when the demo content is loaded."""
    email = _email(next(iter(WRITERS)))
    writer = select(User.id).where(User.email_key == accounts.email_key(email))
    if await session.scalar(writer) is None:
        return None
    return f"sign in as a demo writer: {email}, password {DEMO_PASSWORD}"


async def _has_content(session: AsyncSession) -> bool:
    query = select(or_(select(User.id).exists(), select(Article.id).exists()))
    return bool(await session.scalar(query))


async def _free_suffix(session: AsyncSession) -> str:
    """What to add to every demo name so that all five are free: nothing, or "-2", "-3", …"""
    for suffix in itertools.chain([""], (f"-{number}" for number in itertools.count(2))):
        usernames = [accounts.username_key(name + suffix) for name in WRITERS]
        emails = [accounts.email_key(_email(name + suffix)) for name in WRITERS]
        taken = exists().where(or_(User.username_key.in_(usernames), User.email_key.in_(emails)))
        if not await session.scalar(select(taken)):
            return suffix
    raise AssertionError("an endless supply of suffixes ran out")


def _backdate(row: User | Article, moment: datetime) -> None:
    # Demo data only: rows are written through the services, then moved into the past so that
    # lists look like months of activity rather than one second of it.
    row.created_at = moment
    row.updated_at = moment
    if isinstance(row, Article):
        row.published_at = moment


async def _sign_up_writers(
    session: AsyncSession, *, passwords: Passwords, joined: datetime
) -> dict[str, User]:
    suffix = await _free_suffix(session)
    writers = {}
    for name, bio in WRITERS.items():
        username = name + suffix
        new_user = NewUser(username=username, email=_email(username), password=DEMO_PASSWORD)
        writer = await accounts.register(session, new_user, passwords=passwords)
        await accounts.update_account(session, writer, UserUpdate(bio=bio), passwords=passwords)
        _backdate(writer, joined)
        writers[name] = writer
    return writers


async def load_demo(session: AsyncSession, *, passwords: Passwords, force: bool = False) -> str:
    """Create the demo writers and their stories, comments, follows and favorites."""
    if not force and await _has_content(session):
        raise DatabaseNotEmpty("the database already has users or stories")
    now = utcnow()
    stories = demo_stories()
    writers = await _sign_up_writers(
        session, passwords=passwords, joined=now - timedelta(days=stories[0].days_ago + 14)
    )
    for follower, followed in FOLLOWS:
        await accounts.follow(session, writers[follower], writers[followed].username)

    comment_count = favorite_count = 0
    for position, story in enumerate(stories):
        draft = ArticleCreate(
            title=story.title, description=story.description, body=story.body, tag_list=story.tags
        )
        article = await articles.write(session, draft, by=writers[story.author])
        # Publication times fall at varied hours of the day, deterministically.
        published = now - timedelta(days=story.days_ago, minutes=(position * 157) % 600)
        _backdate(article, published)
        for order, said in enumerate(story.comments):
            reply = CommentCreate(body=said.body)
            comment = await comments.respond(session, article.slug, reply, by=writers[said.author])
            # The first response within hours, later ones over the following days.
            answered = published + timedelta(hours=3 + 10 * order**2)
            comment.created_at = comment.updated_at = min(answered, now)
            comment_count += 1
        for fan in story.favorited_by:
            await articles.favorite(session, article.slug, by=writers[fan])
            favorite_count += 1
    await session.flush()
    return (
        f"loaded {len(writers)} writers, {len(stories)} stories, {comment_count} comments, "
        f"{len(FOLLOWS)} follows, {favorite_count} favorites"
    )
