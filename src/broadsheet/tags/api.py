"""RealWorld route for tags, and following tags (a Broadsheet extension)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from broadsheet.accounts.deps import CurrentUser
from broadsheet.deps import WRITES, DbSession
from broadsheet.errors import errors_documented
from broadsheet.schemas import FREE_OF_FORBIDDEN
from broadsheet.tags import service as tags
from broadsheet.tags.models import TAG_MAX_LENGTH
from broadsheet.tags.schemas import FollowedTag, FollowedTagResponse, TagListResponse
from broadsheet.tags.service import popular_tags

router = APIRouter(tags=["Tags"])


@router.get("/tags", responses=errors_documented(422))
async def list_tags(
    session: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> TagListResponse:
    """Tags in use, the most used first."""
    return TagListResponse(tags=await popular_tags(session, limit=limit))


TagName = Annotated[
    str, Path(min_length=1, max_length=TAG_MAX_LENGTH, json_schema_extra=FREE_OF_FORBIDDEN)
]


@router.get("/tags/followed", responses=errors_documented(401, 422))
async def followed_tags(session: DbSession, reader: CurrentUser) -> TagListResponse:
    """The tags you follow, by name."""
    return TagListResponse(tags=await tags.followed_tags(session, reader))


@router.post(
    "/tags/{tag:path}/follow", dependencies=[WRITES], responses=errors_documented(401, 404, 422)
)
async def follow_tag(tag: TagName, session: DbSession, reader: CurrentUser) -> FollowedTagResponse:
    """Follow a tag: its stories join your feed (`GET /api/articles/feed`)."""
    followed = await tags.follow_tag(session, reader, tag)
    return FollowedTagResponse(tag=FollowedTag(name=followed.name, following=True))


@router.delete(
    "/tags/{tag:path}/follow", dependencies=[WRITES], responses=errors_documented(401, 404, 422)
)
async def unfollow_tag(
    tag: TagName, session: DbSession, reader: CurrentUser
) -> FollowedTagResponse:
    """Stop following a tag."""
    left = await tags.unfollow_tag(session, reader, tag)
    return FollowedTagResponse(tag=FollowedTag(name=left.name, following=False))
