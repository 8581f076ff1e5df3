"""Request and response shapes for responses to stories."""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from broadsheet.accounts.schemas import ProfileOut
from broadsheet.schemas import NOT_BLANK, Schema, Timestamp, not_blank

COMMENT_MAX_LENGTH = 10_000


class CommentCreate(Schema):
    body: Annotated[
        str, StringConstraints(max_length=COMMENT_MAX_LENGTH), AfterValidator(not_blank), NOT_BLANK
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
