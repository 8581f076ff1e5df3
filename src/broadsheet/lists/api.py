"""Lists through the API: a Broadsheet extension."""

from fastapi import APIRouter, Response, status

from broadsheet.accounts.deps import TOKEN_OPTIONAL, CurrentUser, OptionalUser
from broadsheet.accounts.service import find_user
from broadsheet.articles.api import Limit, Offset, summary_fields
from broadsheet.articles.queries import views_of
from broadsheet.articles.schemas import ArticleSummary
from broadsheet.deps import WRITES, DbSession, PathText
from broadsheet.errors import errors_documented
from broadsheet.lists import queries
from broadsheet.lists import service as lists
from broadsheet.lists.models import ListEntry, StoryList
from broadsheet.lists.queries import ListedStory
from broadsheet.lists.schemas import (
    EntryCreateRequest,
    EntryOut,
    EntryResponse,
    EntryUpdateRequest,
    ListCreateRequest,
    ListOut,
    ListResponse,
    ListsResponse,
    ListStoriesResponse,
    ListUpdateRequest,
)

router = APIRouter(tags=["Lists"])


def list_out(story_list: StoryList) -> ListOut:
    return ListOut(
        slug=story_list.slug,
        name=story_list.name,
        description=story_list.description,
        public=story_list.public,
        reading_list=story_list.is_reading_list,
        stories_count=story_list.stories_count,
        owner=story_list.owner.username,
        created_at=story_list.created_at,
        updated_at=story_list.updated_at,
    )


def _entry_out(listed: ListedStory) -> EntryOut:
    article = ArticleSummary(**summary_fields(listed.view))
    return EntryOut(article=article, note=listed.note, added_at=listed.added_at)


async def _entry_response(
    session: DbSession, entry: ListEntry, reader: CurrentUser
) -> EntryResponse:
    (view,) = await views_of(session, [entry.article_id], viewer=reader)
    return EntryResponse(entry=_entry_out(ListedStory(view, entry.note, entry.added_at)))


async def _list_response(session: DbSession, slug: str, reader: CurrentUser) -> ListResponse:
    return ListResponse(list=list_out(await queries.find_list(session, slug, viewer=reader)))


@router.get("/lists", responses=errors_documented(401, 422))
async def your_lists(session: DbSession, reader: CurrentUser) -> ListsResponse:
    """Your lists: your reading list first, then the most recently changed."""
    found = await queries.lists_of(session, reader, viewer=reader)
    return ListsResponse(lists=[list_out(story_list) for story_list in found])


@router.post(
    "/lists",
    dependencies=[WRITES],
    status_code=status.HTTP_201_CREATED,
    responses=errors_documented(401, 413, 422),
)
async def make_list(
    body: ListCreateRequest, session: DbSession, reader: CurrentUser
) -> ListResponse:
    """Make a list, private unless `public`."""
    made = await lists.make_list(
        session,
        reader,
        name=body.list.name,
        description=body.list.description,
        public=body.list.public,
    )
    return await _list_response(session, made.slug, reader)


@router.get(
    "/lists/{slug}", responses=errors_documented(401, 404, 422), openapi_extra=TOKEN_OPTIONAL
)
async def get_list(
    slug: PathText,
    session: DbSession,
    viewer: OptionalUser,
    limit: Limit = 20,
    offset: Offset = 0,
) -> ListStoriesResponse:
    """A list and a page of its stories, in its owner's order, with their notes: a public
    list to anyone, a private one to its owner (`reading-list`: your own reading list)."""
    story_list = await queries.find_list(session, slug, viewer=viewer)
    page = await queries.stories_in(session, story_list, viewer=viewer, limit=limit, offset=offset)
    return ListStoriesResponse(
        list=list_out(story_list),
        entries=[_entry_out(listed) for listed in page.stories],
        entries_count=page.total,
    )


@router.put("/lists/{slug}", dependencies=[WRITES], responses=errors_documented(401, 404, 413, 422))
async def change_list(
    slug: PathText, body: ListUpdateRequest, session: DbSession, reader: CurrentUser
) -> ListResponse:
    """Rename or describe one of your lists, or make it public or private."""
    changes = lists.ListChanges(
        name=body.list.name, description=body.list.description, public=body.list.public
    )
    changed = await lists.change_list(session, reader, slug, changes)
    return await _list_response(session, changed.slug, reader)


@router.delete(
    "/lists/{slug}",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 403, 404, 422),
)
async def delete_list(slug: PathText, session: DbSession, reader: CurrentUser) -> None:
    """Delete one of your lists (never your reading list); its stories stay where they are."""
    await lists.delete_list(session, reader, slug)


@router.post(
    "/lists/{slug}/entries",
    dependencies=[WRITES],
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {
            "model": EntryResponse,
            "description": "The story was in the list already; its note is the one sent",
        },
        **errors_documented(401, 404, 409, 413, 422),
    },
)
async def save_story(
    slug: PathText,
    body: EntryCreateRequest,
    session: DbSession,
    reader: CurrentUser,
    response: Response,
) -> EntryResponse:
    """Save a published story at the top of one of your lists (`reading-list`: your reading
    list), with a note if you like."""
    _, entry, added = await lists.save(session, reader, slug, body.entry.slug, note=body.entry.note)
    if not added:
        response.status_code = status.HTTP_200_OK
    return await _entry_response(session, entry, reader)


@router.put(
    "/lists/{slug}/entries/{story}",
    dependencies=[WRITES],
    responses=errors_documented(401, 404, 413, 422),
)
async def change_entry(
    slug: PathText,
    story: PathText,
    body: EntryUpdateRequest,
    session: DbSession,
    reader: CurrentUser,
) -> EntryResponse:
    """Change your note on a story in one of your lists, or move it (`position`: 0 is the
    top)."""
    _, entry = await lists.change_entry(
        session, reader, slug, story, note=body.entry.note, position=body.entry.position
    )
    return await _entry_response(session, entry, reader)


@router.delete(
    "/lists/{slug}/entries/{story}",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors_documented(401, 404, 422),
)
async def remove_story(
    slug: PathText, story: PathText, session: DbSession, reader: CurrentUser
) -> None:
    """Take a story out of one of your lists."""
    await lists.unsave(session, reader, slug, story)


@router.get(
    "/profiles/{username}/lists",
    responses=errors_documented(401, 404, 422),
    openapi_extra=TOKEN_OPTIONAL,
)
async def lists_of_reader(
    username: PathText, session: DbSession, viewer: OptionalUser
) -> ListsResponse:
    """A reader's public lists (all of them, to the reader themselves)."""
    owner = await find_user(session, username)
    found = await queries.lists_of(session, owner, viewer=viewer)
    return ListsResponse(lists=[list_out(story_list) for story_list in found])
