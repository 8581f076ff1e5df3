"""Request and response shapes for responses to stories."""

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from broadsheet.accounts.schemas import ProfileOut
from broadsheet.schemas import MAX_ID, NOT_BLANK, Schema, Timestamp, not_blank

COMMENT_MAX_LENGTH = 10_000

ResponseText = Annotated[
    str,
    StringConstraints(max_length=COMMENT_MAX_LENGTH),
    AfterValidator(not_blank),
    NOT_BLANK,
    Field(
        description="Light Markdown: emphasis, links, code, quotations and lists; no headings, "
        "pictures or HTML."
    ),
]


class CommentCreate(Schema):
    body: ResponseText
    parent_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="The id of the response this one answers. A Broadsheet extension.",
    )


class CommentCreateRequest(Schema):
    comment: CommentCreate


class CommentUpdate(Schema):
    body: ResponseText


class CommentUpdateRequest(Schema):
    comment: CommentUpdate


class CommentOut(Schema):
    id: int
    created_at: Timestamp
    updated_at: Timestamp
    body: str
    author: ProfileOut
    body_html: str = Field(
        description="The body rendered and sanitised, as the site shows it. A Broadsheet extension."
    )
    parent_id: int | None = Field(
        description="The id of the response this one answers, if any. A Broadsheet extension."
    )
    edited_at: Timestamp | None = Field(
        description="When its writer last changed the text, if they have. A Broadsheet extension."
    )
    hidden: bool = Field(
        description="Hidden by the story's writer or editors: only they and the response's "
        "writer see it, and the replies under it. A Broadsheet extension."
    )
    by_story_author: bool = Field(
        description="Written by the story's author. A Broadsheet extension."
    )


class CommentResponse(Schema):
    comment: CommentOut


class CommentListResponse(Schema):
    comments: list[CommentOut]
