"""Response shapes for tags."""

from broadsheet.schemas import Schema


class TagListResponse(Schema):
    tags: list[str]
