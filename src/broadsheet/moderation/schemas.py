"""Request and response shapes for reports, moderation decisions and blocks."""

from typing import Annotated

from pydantic import Field, StringConstraints

from broadsheet.moderation.models import NOTE_MAX_LENGTH, Outcome, Reason
from broadsheet.schemas import Schema, Timestamp


class ReportCreate(Schema):
    reason: Reason = Field(description="Why the response should be looked at.")
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX_LENGTH)] = (
        Field(default="", description="Anything the admins should know.")
    )


class ReportCreateRequest(Schema):
    report: ReportCreate


class Decision(Schema):
    outcome: Outcome = Field(
        description="hidden hides the response (and the replies under it); dismissed keeps it."
    )


class DecisionRequest(Schema):
    decision: Decision


class ReportOut(Schema):
    reason: Reason
    note: str
    reporter: str
    created_at: Timestamp


class ReportedResponseOut(Schema):
    comment_id: int
    body: str
    author: str
    story_slug: str
    story_title: str
    hidden: bool
    reports: list[ReportOut]


class ReportQueueResponse(Schema):
    reported: list[ReportedResponseOut]
