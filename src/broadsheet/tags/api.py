"""RealWorld route for tags."""

from typing import Annotated

from fastapi import APIRouter, Query

from broadsheet.deps import DbSession
from broadsheet.errors import errors_documented
from broadsheet.tags.schemas import TagListResponse
from broadsheet.tags.service import popular_tags

router = APIRouter(tags=["Tags"])


@router.get("/tags", responses=errors_documented(422))
async def list_tags(
    session: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> TagListResponse:
    """Tags in use, the most used first."""
    return TagListResponse(tags=await popular_tags(session, limit=limit))
