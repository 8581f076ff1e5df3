"""Submissions: a writer offers a draft to a publication's editors, who publish it, or send it
back with a note; the writer may withdraw it while it waits. No HTTP in here."""

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from broadsheet import effects
from broadsheet.accounts.models import User
from broadsheet.articles import service as articles
from broadsheet.articles.models import Article, Status
from broadsheet.errors import Conflict, Forbidden
from broadsheet.lib.clock import utcnow
from broadsheet.publications import service as publications
from broadsheet.publications.models import Outcome, Publication, Submission
from broadsheet.publications.queries import places_of

# A queue or a history shows at most this many submissions.
SUBMISSIONS_SHOWN = 100


class NotADraft(Conflict):
    def __init__(self) -> None:
        super().__init__("only a draft can be submitted: unpublish it first", field="article")


class AlreadySubmitted(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(f"is already waiting for the editors of {name}", field="article")


class NotSubmitted(Conflict):
    def __init__(self) -> None:
        super().__init__("is not waiting for a publication's editors", field="article")


class NotAMember(Forbidden):
    def __init__(self) -> None:
        super().__init__("you can submit only to a publication you write for", field="publication")


class NotTheirEditor(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "only the editors of the publication it was submitted to decide on it",
            field="article",
        )


async def submit(
    session: AsyncSession, slug: str, publication_slug: str, *, by: User
) -> Submission:
    """Offer the author's draft to the editors of a publication the author writes for."""
    # Locked, so that two submissions of one draft at once cannot both wait.
    article = await articles.find_article(session, slug, viewer=by, locked=True)
    articles.ensure_is_author(article, by)
    publication = await publications.named_publication(session, publication_slug)
    if await publications.place_of(session, publication, by) is None:
        raise NotAMember()
    waiting = await publications.pending_submission(session, article, locked=True)
    if waiting is not None:
        raise AlreadySubmitted(waiting.publication.name)
    if article.status != Status.DRAFT:
        raise NotADraft()
    articles.ensure_complete(article)
    article.submitted_to_id = publication.id
    submission = Submission(
        article_id=article.id,
        publication_id=publication.id,
        outcome=Outcome.PENDING,
        submitted_by_id=by.id,
        submitted_at=utcnow(),
    )
    session.add(submission)
    effects.changed(session, effects.story(article.id))
    await session.flush()
    return submission


async def _waiting(session: AsyncSession, slug: str, *, by: User) -> Article:
    article = await articles.find_article(session, slug, viewer=by, locked=True)
    if article.submitted_to_id is None:
        raise NotSubmitted()
    return article


async def withdraw(session: AsyncSession, slug: str, *, by: User) -> Submission:
    """Take the draft back from the editors it waits for; only its author may."""
    article = await _waiting(session, slug, by=by)
    articles.ensure_is_author(article, by)
    return await publications.decide(session, article, Outcome.WITHDRAWN, by=by)


async def send_back(session: AsyncSession, slug: str, note: str, *, by: User) -> Submission:
    """Return the draft to its writer, with a note on why; only the editors it waits for may."""
    article = await _waiting(session, slug, by=by)
    submitted_to = await session.get(Publication, article.submitted_to_id)
    assert submitted_to is not None  # noqa: S101 (the foreign key holds it)
    if not publications.can_publish(await publications.place_of(session, submitted_to, by)):
        raise NotTheirEditor()
    return await publications.decide(session, article, Outcome.RETURNED, by=by, note=note)


def _with_people(query: Select[Submission]) -> Select[Submission]:
    """`query`, loading the story, its author, the publication and who did what."""
    return query.options(
        selectinload(Submission.article).selectinload(Article.author),
        selectinload(Submission.publication),
        selectinload(Submission.submitted_by),
        selectinload(Submission.decided_by),
    )


async def waiting_for(session: AsyncSession, publication: Publication) -> list[Submission]:
    """The drafts waiting for the publication's editors, oldest first."""
    query = (
        select(Submission)
        .where(Submission.publication_id == publication.id, Submission.outcome == Outcome.PENDING)
        .order_by(Submission.submitted_at, Submission.id)
        .limit(SUBMISSIONS_SHOWN)
    )
    return list(await session.scalars(_with_people(query)))


async def decisions_for(session: AsyncSession, writer: User, *, limit: int) -> list[Submission]:
    """What editors lately decided on the writer's submissions, newest first."""
    query = (
        select(Submission)
        .where(
            Submission.submitted_by_id == writer.id,
            Submission.outcome.in_((Outcome.PUBLISHED, Outcome.RETURNED)),
            Submission.decided_by_id != writer.id,
        )
        .order_by(Submission.decided_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(_with_people(query)))


async def history_of(
    session: AsyncSession, article: Article, *, limit: int = SUBMISSIONS_SHOWN
) -> list[Submission]:
    """The story's submissions, newest first: who offered it where, and what became of it."""
    query = (
        select(Submission)
        .where(Submission.article_id == article.id)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(_with_people(query)))


@dataclass(frozen=True)
class DraftsPlace:
    """Where a draft stands with publications, as someone who may change it sees it."""

    # The submission it waits on, and whether the viewer is one of the editors who decide.
    waiting: Submission | None
    can_decide: bool
    # For its author: the publications it may be submitted to, and the last one sent back.
    submit_to: list[Publication]
    returned: Submission | None


async def drafts_place(session: AsyncSession, article: Article, viewer: User) -> DraftsPlace:
    """Where `article`, a draft `viewer` may change, stands with publications."""
    waiting = None
    can_decide = False
    if article.submitted_to_id is not None:
        waiting = await publications.pending_submission(session, article)
    if waiting is not None:
        place = await publications.place_of(session, waiting.publication, viewer)
        can_decide = publications.can_publish(place)
    if viewer.id != article.author_id:
        return DraftsPlace(waiting, can_decide, submit_to=[], returned=None)
    submit_to = []
    if waiting is None:
        submit_to = [member.publication for member in await places_of(session, viewer)]
    latest = await history_of(session, article, limit=1)
    returned = latest[0] if latest and latest[0].outcome == Outcome.RETURNED else None
    return DraftsPlace(waiting, can_decide, submit_to, returned)
