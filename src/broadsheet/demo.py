"""Demo content: five writers, thirty stories, and the comments, follows and favorites between
them, and a publication some of the stories are published in, three of them as a series.

Every demo writer signs in with the email `<username>@example.com` and the password
"broadsheet-demo" (for instance margot.lind@example.com). The stories are Markdown files in
`demo_stories/`, each opened by a few `key: value` lines (title, description, author, tags,
days_ago, favorited_by, `publication: plain-text` for one published in the demo publication, and
one `comment: <username>: <text>` line per comment) and a blank line.

Loading with `force` into a database that already has the demo writers' names gives the new set a
suffix shared by all five and the publication ("margot.lind-2", "margot.lind-2@example.com",
"/p/plain-text-2"), so a second set of
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
from broadsheet.publications import series
from broadsheet.publications import service as publications
from broadsheet.publications.models import Role
from broadsheet.publications.schemas import PublicationCreate, SeriesCreate, SeriesUpdate
from broadsheet.reactions import service as reactions

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

PUBLICATION_SLUG = "plain-text"
PUBLICATION = PublicationCreate(
    name="Plain Text",
    tagline="Software, written down slowly",
    description=(
        "Essays on databases, deploys, logs and code review: how software is made by the "
        "people who have to live with it."
    ),
)
# Who belongs to it, beside its owner, and who follows it.
PUBLICATION_OWNER = "tomas.reyes"
PUBLICATION_MEMBERS = (("margot.lind", Role.EDITOR), ("jun.watanabe", Role.WRITER))
PUBLICATION_FOLLOWERS = ("amara.okafor", "priya.raman", "jun.watanabe")
# A series of the publication's, of these stories in this order.
SERIES = SeriesCreate(
    title="The database you already have",
    description="Three evenings with the database under your app: why keep it, how to read "
    "what it does, and how to page through it.",
)
SERIES_PARTS = (
    "In Praise of the Database You Already Have",
    "Reading an EXPLAIN Plan Out Loud",
    "Pagination Without Tears",
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
    in_publication: bool = False


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
        in_publication=fields.get("publication") == PUBLICATION_SLUG,
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
    """Create the demo writers and their stories, comments, follows, favorites and claps."""
    if not force and await _has_content(session):
        raise DatabaseNotEmpty("the database already has users or stories")
    now = utcnow()
    stories = demo_stories()
    writers = await _sign_up_writers(
        session, passwords=passwords, joined=now - timedelta(days=stories[0].days_ago + 14)
    )
    for follower, followed in FOLLOWS:
        await accounts.follow(session, writers[follower], writers[followed].username)
    place = await _found_publication(session, writers)

    comment_count = favorite_count = 0
    slugs = {}
    for position, story in enumerate(stories):
        draft = ArticleCreate(
            title=story.title,
            description=story.description,
            body=story.body,
            tag_list=story.tags,
            publication=place if story.in_publication else "",
        )
        article = await articles.write(session, draft, by=writers[story.author])
        slugs[story.title] = article.slug
        # Publication times fall at varied hours of the day, deterministically.
        published = now - timedelta(days=story.days_ago, minutes=(position * 157) % 600)
        _backdate(article, published)
        previous = None
        for order, said in enumerate(story.comments):
            # A writer's response answers the one before it: the demo has threads.
            answers = previous.id if previous and said.author == story.author else None
            reply = CommentCreate(body=said.body, parent_id=answers)
            responded = await comments.respond(
                session, article.slug, reply, by=writers[said.author]
            )
            comment = previous = responded.comment
            # The first response within hours, later ones over the following days.
            answered = published + timedelta(hours=3 + 10 * order**2)
            comment.created_at = comment.updated_at = min(answered, now)
            comment_count += 1
        for order, fan in enumerate(story.favorited_by):
            await articles.favorite(session, article.slug, by=writers[fan])
            # Fans clap too, some more than others, deterministically.
            times = 1 + (position * 7 + order * 13) % 30
            await reactions.clap(session, article.slug, by=writers[fan], times=times)
            favorite_count += 1
    await _gather_series(session, place, [slugs[title] for title in SERIES_PARTS], writers)
    await reactions.rank_popular(session, now=now)
    await session.flush()
    return (
        f"loaded {len(writers)} writers, {len(stories)} stories, {comment_count} comments, "
        f"{len(FOLLOWS)} follows, {favorite_count} favorites, 1 publication"
    )


async def _gather_series(
    session: AsyncSession, place: str, parts: list[str], writers: dict[str, User]
) -> None:
    """Start the publication's series and give it its parts."""
    owner = writers[PUBLICATION_OWNER]
    new = SERIES.model_copy(update={"publication": place})
    started = await series.start(session, new, by=owner)
    await series.change(session, started.slug, SeriesUpdate(stories=parts), by=owner)


async def _found_publication(session: AsyncSession, writers: dict[str, User]) -> str:
    """Start the demo publication, with its members and followers; its slug."""
    owner = writers[PUBLICATION_OWNER]
    suffix = owner.username.removeprefix(PUBLICATION_OWNER)
    new = PUBLICATION.model_copy(update={"slug": PUBLICATION_SLUG + suffix})
    slug = (await publications.found(session, new, by=owner)).slug
    for name, role in PUBLICATION_MEMBERS:
        await publications.invite(session, slug, writers[name].username, role, by=owner)
        await publications.accept(session, slug, by=writers[name])
    for name in PUBLICATION_FOLLOWERS:
        await publications.follow(session, slug, by=writers[name])
    return slug
