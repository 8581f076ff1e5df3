"""Request and response shapes for responses to stories."""

from typing import Annotated

from pydantic import StringConstraints

from broadsheet.accounts.schemas import ProfileOut
from broadsheet.schemas import Schema, Timestamp

COMMENT_MAX_LENGTH = 10_000


class CommentCreate(Schema):
    body: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=COMMENT_MAX_LENGTH)
    ]


class CommentCreateRequest(Schema):
    comment: CommentCreate


class CommentOut(Schema):
    id: int
    created_at: Timestamp
    updated_at: Timestamp
    body: str
    author: ProfileOut


class CommentResponse(Schema):
    comment: CommentOut


class CommentListResponse(Schema):
    comments: list[CommentOut]
