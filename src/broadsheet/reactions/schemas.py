"""Request shapes for claps."""

from typing import Annotated

from pydantic import Field

from broadsheet.reactions.models import MAX_CLAPS
from broadsheet.schemas import Schema


class ClapsCreate(Schema):
    count: Annotated[
        int,
        Field(
            ge=1,
            le=MAX_CLAPS,
            description="How many claps to add; a reader's claps for one story stop at 50.",
        ),
    ] = 1


class ClapsCreateRequest(Schema):
    claps: ClapsCreate
