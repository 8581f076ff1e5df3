"""Publications through the API: founding and changing them, members and invitations, and
following. A Broadsheet extension."""

from fastapi import APIRouter, status
from sqlalchemy.orm import selectinload

from broadsheet.accounts.api import profile_out
from broadsheet.accounts.deps import TOKEN_OPTIONAL, CurrentUser, OptionalUser
from broadsheet.accounts.models import User
from broadsheet.articles import service as articles
from broadsheet.articles.models import Article
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import errors_documented
from broadsheet.media.schemas import PictureOut
from broadsheet.publications import queries, submissions
from broadsheet.publications import series as series_service
from broadsheet.publications import service as publications
from broadsheet.publications.models import (
    Member,
    Outcome,
    Publication,
    Role,
    Series,
    Submission,
)
from broadsheet.publications.queries import PublicationView
from broadsheet.publications.schemas import (
    InvitationCreateRequest,
    MemberListResponse,
    MemberOut,
    MemberResponse,
    PublicationCreateRequest,
    PublicationListResponse,
    PublicationOut,
    PublicationResponse,
    PublicationSummary,
    PublicationUpdateRequest,
    RoleChangeRequest,
    SeriesCreateRequest,
    SeriesOut,
    SeriesPart,
    SeriesResponse,
    SeriesUpdateRequest,
    SubmissionCreateRequest,
    SubmissionListResponse,
    SubmissionOut,
    SubmissionResponse,
    SubmissionReturnRequest,
    SubmittedStory,
)

router = APIRouter(tags=["Publications"])


def logo_of(publication: Publication) -> PictureOut | None:
    if publication.logo is None:
        return None
    return PictureOut.at(publication.logo, alt=publication.logo_alt or "")


def publication_summary(publication: Publication) -> PublicationSummary:
    return PublicationSummary(
        slug=publication.slug,
        name=publication.name,
        tagline=publication.tagline,
        logo=logo_of(publication),
    )


def _publication_out(view: PublicationView) -> PublicationOut:
    publication = view.publication
    return PublicationOut(
        **publication_summary(publication).model_dump(),
        description=publication.description,
        links=publication.links,
        followers_count=publication.followers_count,
        following=view.following,
        role=Role(view.place.role) if view.place else None,
        invited=Role(view.invitation.role) if view.invitation else None,
        created_at=publication.created_at,
    )


async def _response(session: DbSession, slug: str, viewer: OptionalUser) -> PublicationResponse:
    view = await queries.publication_view(session, slug, viewer=viewer)
    return PublicationResponse(publication=_publication_out(view))


def _member_out(member: Member) -> MemberOut:
    return MemberOut(
        profile=profile_out(member.user, following=False),
        role=Role(member.role),
        invited_at=member.invited_at,
        joined_at=member.joined_at,
        invited_by=member.invited_by.username if member.invited_by else None,
    )


@router.post(
    "/publications",
    dependencies=[WRITES],
    status_code=status.HTTP_201_CREATED,
    responses=errors_documented(401, 409, 413, 422),
)
async def found_publication(
    body: PublicationCreateRequest, session: DbSession, user: CurrentUser
) -> PublicationResponse:
    """Start a publication, with the caller as its owner."""
    publication = await publications.found(session, body.publication, by=user)
    return await _response(session, publication.slug, user)


@router.get(
    "/publications/{slug}",
    responses=errors_documented(401, 404, 422),
    openapi_extra=TOKEN_OPTIONAL,
)
async def get_publication(
    slug: PathText, session: DbSession, viewer: OptionalUser
) -> PublicationResponse:
    """A publication, with the caller's place in it and whether they follow it."""
    return await _response(session, slug, viewer)


@router.put(
    "/publications/{slug}",
    dependencies=[WRITES],
    responses=errors_documented(401, 403, 404, 409, 413, 422),
)
async def change_publication(
    slug: PathText, body: PublicationUpdateRequest, session: DbSession, user: CurrentUser
) -> PublicationResponse:
    """Change a publication; only its owners may. A new slug keeps the old one as a
    redirect of its page."""
    publication = await publications.change(session, slug, body.publication, by=user)
    return await _response(session, publication.slug, user)


@router.get("/user/publications", responses=errors_documented(401))
async def my_publications(session: DbSession, user: CurrentUser) -> PublicationListResponse:
    """The publications the caller belongs to, then those they are invited to."""
    memberships = [
        *await queries.places_of(session, user),
        *await queries.places_of(session, user, joined=False),
    ]
    followed = await queries.followed_by(session, user)
    views = [
        PublicationView(
            member.publication,
            following=member.publication_id in followed,
            membership=member,
        )
        for member in memberships
    ]
    return PublicationListResponse(publications=[_publication_out(view) for view in views])


@router.post(
    "/publications/{slug}/follow",
    dependencies=[WRITES],
    responses=errors_documented(401, 404, 422),
)
async def follow_publication(
    slug: PathText, session: DbSession, user: CurrentUser
) -> PublicationResponse:
    """Follow a publication: its stories join the caller's feed."""
    await publications.follow(session, slug, by=user)
    return await _response(session, slug, user)


@router.delete(
    "/publications/{slug}/follow",
    dependencies=[WRITES],
    responses=errors_documented(401, 404, 422),
)
async def unfollow_publication(
    slug: PathText, session: DbSession, user: CurrentUser
) -> PublicationResponse:
    """Stop following a publication."""
    await publications.unfollow(session, slug, by=user)
    return await _response(session, slug, user)


@router.get(
    "/publications/{slug}/members",
    responses=errors_documented(401, 404, 422),
    openapi_extra=TOKEN_OPTIONAL,
)
async def list_members(slug: PathText, session: DbSession) -> MemberListResponse:
    """Who belongs to a publication, owners first."""
    publication = await publications.find_publication(session, slug)
    members = await queries.members_of(session, publication)
    return MemberListResponse(members=[_member_out(member) for member in members])


@router.get("/publications/{slug}/invitations", responses=errors_documented(401, 403, 404, 422))
async def list_invitations(
    slug: PathText, session: DbSession, user: CurrentUser
) -> MemberListResponse:
    """The open invitations to a publication; for its owners and editors."""
    publication = await publications.find_publication(session, slug)
    place = await publications.place_of(session, publication, user)
    if not publications.can_manage(place, Role.WRITER):
        raise publications.NotAllowed("only the publication's owners and editors see this")
    invited = await queries.members_of(session, publication, joined=False)
    return MemberListResponse(members=[_member_out(member) for member in invited])


@router.post(
    "/publications/{slug}/invitations",
    dependencies=[WRITES],
    status_code=status.HTTP_201_CREATED,
    responses=errors_documented(401, 403, 404, 409, 413, 422),
)
async def invite_member(
    slug: PathText, body: InvitationCreateRequest, session: DbSession, user: CurrentUser
) -> MemberResponse:
    """Invite someone by username to be a writer (owners and editors may), an editor or an
    owner (owners may); they join once they accept."""
    invitation = body.invitation
    member = await publications.invite(session, slug, invitation.username, invitation.role, by=user)
    return await _member_response(session, member)


async def _member_response(session: DbSession, member: Member) -> MemberResponse:
    await session.refresh(member, attribute_names=["user", "invited_by"])
    return MemberResponse(member=_member_out(member))


@router.post(
    "/publications/{slug}/invitation",
    dependencies=[WRITES],
    responses=errors_documented(401, 404, 422),
)
async def accept_invitation(
    slug: PathText, session: DbSession, user: CurrentUser
) -> MemberResponse:
    """Accept the caller's invitation to a publication."""
    return await _member_response(session, await publications.accept(session, slug, by=user))


@router.delete(
    "/publications/{slug}/invitation",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 404, 422),
)
async def decline_invitation(slug: PathText, session: DbSession, user: CurrentUser) -> None:
    """Decline the caller's invitation to a publication."""
    await publications.decline(session, slug, by=user)


@router.put(
    "/publications/{slug}/members/{username}",
    dependencies=[WRITES],
    responses=errors_documented(401, 403, 404, 409, 413, 422),
)
async def change_role(
    slug: PathText,
    username: PathText,
    body: RoleChangeRequest,
    session: DbSession,
    user: CurrentUser,
) -> MemberResponse:
    """Give a member another role; only owners may. The last owner stays one."""
    member = await publications.set_role(session, slug, username, body.member.role, by=user)
    return await _member_response(session, member)


@router.delete(
    "/publications/{slug}/members/{username}",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 409, 422),
)
async def remove_member(
    slug: PathText, username: PathText, session: DbSession, user: CurrentUser
) -> None:
    """Take a member out, or withdraw their invitation (owners any, editors writers); or
    leave, with your own username. The last owner cannot leave."""
    await publications.remove(session, slug, username, by=user)


# -- Submissions ------------------------------------------------------------------------------


def _submission_out(submission: Submission) -> SubmissionOut:
    article = submission.article
    return SubmissionOut(
        id=submission.id,
        article=SubmittedStory(
            slug=article.slug, title=article.title, author=article.author.username
        ),
        publication=publication_summary(submission.publication),
        outcome=Outcome(submission.outcome),
        submitted_by=submission.submitted_by.username if submission.submitted_by else None,
        submitted_at=submission.submitted_at,
        decided_by=submission.decided_by.username if submission.decided_by else None,
        decided_at=submission.decided_at,
        note=submission.note,
    )


async def _submission_response(session: DbSession, submission: Submission) -> SubmissionResponse:
    await session.refresh(submission, attribute_names=["publication", "submitted_by", "decided_by"])
    article = await session.get(
        Article, submission.article_id, options=[selectinload(Article.author)]
    )
    assert article is not None  # noqa: S101 (the foreign key holds it)
    submission.article = article
    return SubmissionResponse(submission=_submission_out(submission))


@router.post(
    "/articles/{slug}/submission",
    tags=["Submissions"],
    dependencies=[WRITES],
    status_code=status.HTTP_201_CREATED,
    responses=errors_documented(401, 403, 404, 409, 413, 422),
)
async def submit_story(
    slug: PathText, body: SubmissionCreateRequest, session: DbSession, user: CurrentUser
) -> SubmissionResponse:
    """Submit your draft to the editors of a publication you write for. They edit it, then
    publish it in the publication (`PUT /api/articles/{slug}` with a `status`) or send it
    back with a note."""
    submission = await submissions.submit(session, slug, body.submission.publication, by=user)
    return await _submission_response(session, submission)


@router.delete(
    "/articles/{slug}/submission",
    tags=["Submissions"],
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 409, 422),
)
async def withdraw_story(slug: PathText, session: DbSession, user: CurrentUser) -> None:
    """Withdraw your draft from the editors it waits for."""
    await submissions.withdraw(session, slug, by=user)


@router.post(
    "/articles/{slug}/submission/return",
    tags=["Submissions"],
    dependencies=[WRITES],
    responses=errors_documented(401, 403, 404, 409, 413, 422),
)
async def send_story_back(
    slug: PathText, body: SubmissionReturnRequest, session: DbSession, user: CurrentUser
) -> SubmissionResponse:
    """Send a submitted draft back to its writer with a note; for the publication's editors."""
    submission = await submissions.send_back(session, slug, body.submission.note, by=user)
    return await _submission_response(session, submission)


@router.get(
    "/articles/{slug}/submissions",
    tags=["Submissions"],
    responses=errors_documented(401, 403, 404, 422),
)
async def story_submissions(
    slug: PathText, session: DbSession, user: CurrentUser
) -> SubmissionListResponse:
    """Every submission of a story, newest first, and what became of each; for its writer and
    the editors who can see it."""
    article = await articles.find_article(session, slug, viewer=user)
    await articles.ensure_can_edit(session, article, user)
    history = await submissions.history_of(session, article)
    return SubmissionListResponse(submissions=[_submission_out(s) for s in history])


@router.get(
    "/publications/{slug}/submissions",
    tags=["Submissions"],
    responses=errors_documented(401, 403, 404, 422),
)
async def waiting_submissions(
    slug: PathText, session: DbSession, user: CurrentUser
) -> SubmissionListResponse:
    """The drafts waiting for a publication's editors, oldest first; for its owners and
    editors."""
    publication = await publications.find_publication(session, slug)
    if not publications.can_publish(await publications.place_of(session, publication, user)):
        raise publications.NotAllowed("only the publication's owners and editors see this")
    waiting = await submissions.waiting_for(session, publication)
    return SubmissionListResponse(submissions=[_submission_out(s) for s in waiting])


# -- Series -----------------------------------------------------------------------------------


async def _series_response(
    session: DbSession, series: Series, viewer: User | None
) -> SeriesResponse:
    everything = await series_service.may_keep(session, series, viewer)
    parts = await series_service.parts_of(session, series, everything=everything)
    return SeriesResponse(
        series=SeriesOut(
            slug=series.slug,
            title=series.title,
            description=series.description,
            owner=series.owner.username if series.owner else None,
            publication=publication_summary(series.publication) if series.publication else None,
            stories=[
                SeriesPart(slug=part.slug, title=part.title, author=part.author, part=part.number)
                for part in parts
            ],
            created_at=series.created_at,
            updated_at=series.updated_at,
        )
    )


@router.post(
    "/series",
    tags=["Series"],
    dependencies=[WRITES],
    status_code=status.HTTP_201_CREATED,
    responses=errors_documented(401, 403, 404, 413, 422),
)
async def start_series(
    body: SeriesCreateRequest, session: DbSession, user: CurrentUser
) -> SeriesResponse:
    """Start a series of your own stories, or (with `publication`) of a publication's that you
    edit for; then give it its parts with `PUT`."""
    series = await series_service.start(session, body.series, by=user)
    return await _series_response(
        session, await series_service.find_series(session, series.slug), user
    )


@router.get(
    "/series/{slug}",
    tags=["Series"],
    responses=errors_documented(401, 404, 422),
    openapi_extra=TOKEN_OPTIONAL,
)
async def get_series(slug: PathText, session: DbSession, viewer: OptionalUser) -> SeriesResponse:
    """A series and its published parts in order (its keepers see every part)."""
    series = await series_service.find_series(session, slug)
    return await _series_response(session, series, viewer)


@router.put(
    "/series/{slug}",
    tags=["Series"],
    dependencies=[WRITES],
    responses=errors_documented(401, 403, 404, 413, 422),
)
async def change_series(
    slug: PathText, body: SeriesUpdateRequest, session: DbSession, user: CurrentUser
) -> SeriesResponse:
    """Retitle a series, or give it its parts in order (`stories`: the whole list)."""
    series = await series_service.change(session, slug, body.series, by=user)
    return await _series_response(session, series, user)


@router.delete(
    "/series/{slug}",
    tags=["Series"],
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 422),
)
async def end_series(slug: PathText, session: DbSession, user: CurrentUser) -> None:
    """Delete a series; its stories stay, in no series."""
    await series_service.end(session, slug, by=user)
