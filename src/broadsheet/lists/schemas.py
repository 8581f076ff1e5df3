"""What the lists API is sent and answers."""

from typing import Annotated

from pydantic import Field, StringConstraints

from broadsheet.articles.schemas import ArticleSummary
from broadsheet.lists.models import (
    LIST_DESCRIPTION_MAX_LENGTH,
    LIST_NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
)
from broadsheet.schemas import NOT_BLANK, Schema, Timestamp

ListName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=LIST_NAME_MAX_LENGTH),
    NOT_BLANK,
]
ListDescription = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=LIST_DESCRIPTION_MAX_LENGTH)
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX_LENGTH)]
# Taken as sent: a slug no story has is not found (404), whatever its characters.
StorySlug = Annotated[str, StringConstraints(min_length=1, max_length=120)]


class ListCreate(Schema):
    name: ListName
    description: ListDescription = ""
    public: bool = Field(default=False, description="Whether anyone may see it; else only you")


class ListCreateRequest(Schema):
    list: ListCreate


class ListUpdate(Schema):
    name: ListName | None = None
    description: ListDescription | None = None
    public: bool | None = None


class ListUpdateRequest(Schema):
    list: ListUpdate


class EntryCreate(Schema):
    slug: StorySlug = Field(description="The story's slug")
    note: Note | None = Field(default=None, description="Your note on the story in this list")


class EntryCreateRequest(Schema):
    entry: EntryCreate


class EntryUpdate(Schema):
    note: Note | None = None
    position: int | None = Field(
        default=None, ge=0, le=1_000_000, description="Its new place: 0 is the top"
    )


class EntryUpdateRequest(Schema):
    entry: EntryUpdate


class ListOut(Schema):
    slug: str = Field(description='Its address; "reading-list" also names your own reading list')
    name: str
    description: str
    public: bool
    reading_list: bool = Field(description="Whether it is its owner's reading list")
    stories_count: int = Field(description="How many stories it holds")
    owner: str = Field(description="The username of the reader whose list it is")
    created_at: Timestamp
    updated_at: Timestamp


class ListResponse(Schema):
    list: ListOut


class ListsResponse(Schema):
    lists: list[ListOut]


class EntryOut(Schema):
    article: ArticleSummary
    note: str
    added_at: Timestamp


class EntryResponse(Schema):
    entry: EntryOut


# Named here: inside a class with a field called `list`, `list[…]` would mean that field.
Entries = list[EntryOut]


class ListStoriesResponse(Schema):
    list: ListOut
    entries: Entries = Field(description="A page of its stories, in its owner's order")
    entries_count: int = Field(description="How many of its stories you may read")
