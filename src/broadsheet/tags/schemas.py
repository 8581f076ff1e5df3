"""Response shapes for tags."""

from pydantic import Field

from broadsheet.schemas import Schema


class TagListResponse(Schema):
    tags: list[str]


class FollowedTag(Schema):
    name: str = Field(description="As the first writer to use it wrote it")
    following: bool = Field(description="Whether you follow it")


class FollowedTagResponse(Schema):
    tag: FollowedTag
