"""Request and response shapes for stories."""

from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from broadsheet.accounts.schemas import ProfileOut
from broadsheet.articles.models import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UPDATE_NOTE_MAX_LENGTH,
    Status,
)
from broadsheet.media.models import URL_MAX_LENGTH
from broadsheet.media.schemas import PictureOut
from broadsheet.publications.models import PUBLICATION_SLUG_MAX_LENGTH
from broadsheet.publications.schemas import PublicationSummary, SeriesSummary
from broadsheet.schemas import NOT_BLANK, NOT_BLANK_PATTERN, Schema, Timestamp, not_blank
from broadsheet.tags.models import TAG_MAX_LENGTH, tag_key

BODY_MAX_LENGTH = 100_000
MAX_TAGS = 10
MAX_PAGE_SIZE = 100


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_LENGTH),
    NOT_BLANK,
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_MAX_LENGTH),
    NOT_BLANK,
]


# Markdown is kept as written: leading spaces open a code block, so nothing is stripped.
Body = Annotated[
    str, StringConstraints(max_length=BODY_MAX_LENGTH), AfterValidator(not_blank), NOT_BLANK
]
# A tag is a one-line label that also names a page (/tag/{tag}): no control characters.
TagName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=TAG_MAX_LENGTH,
        pattern=r"^[^\x00-\x1f\x7f]+$",
    ),
    Field(json_schema_extra={"allOf": [{"pattern": NOT_BLANK_PATTERN}]}),
]


def _distinct(tags: list[str]) -> list[str]:
    """Each tag once, as first written: "Python" and "python" are one tag."""
    first: dict[str, str] = {}
    for tag in tags:
        first.setdefault(tag_key(tag), tag)
    return list(first.values())


TagList = Annotated[list[TagName], Field(max_length=MAX_TAGS), AfterValidator(_distinct)]


# What a draft may hold: the same limits, but any of it may still be blank.
DraftTitle = Annotated[str, StringConstraints(strip_whitespace=True, max_length=TITLE_MAX_LENGTH)]
DraftDescription = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX_LENGTH)
]
DraftBody = Annotated[str, StringConstraints(max_length=BODY_MAX_LENGTH)]

StatusField = Annotated[
    Status,
    Field(
        description="draft, scheduled (with publishAt), published (listed everywhere) or "
        "unlisted (read by link only). A Broadsheet extension."
    ),
]
PublishAt = Annotated[
    AwareDatetime,
    Field(
        description="When a scheduled story goes public: a time in the future, with its "
        "offset. Giving it schedules the story. A Broadsheet extension."
    ),
]


CoverImage = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=URL_MAX_LENGTH),
    Field(
        description="The `url` of a picture you uploaded (POST /api/uploads), shown in lists "
        "and link previews; empty to take it away. A Broadsheet extension."
    ),
]


PublicationSlugField = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=PUBLICATION_SLUG_MAX_LENGTH),
    Field(
        description="The slug of a publication you are an editor or owner of, to publish the "
        "story in it; empty to take it out. A Broadsheet extension."
    ),
]


class _Publishing(Schema):
    # Before the status, which is checked against it.
    publish_at: PublishAt | None = None
    status: StatusField | None = Field(default=None, validate_default=True)

    @field_validator("status")
    @classmethod
    def _fits_the_time(cls, status: Status | None, info: ValidationInfo) -> Status | None:
        """A time to go public schedules the story; a schedule needs one."""
        if info.data.get("publish_at") is not None:
            if status not in (None, Status.SCHEDULED):
                raise ValueError("must be scheduled (or left out) for a story with publishAt")
            return Status.SCHEDULED
        if status == Status.SCHEDULED:
            raise ValueError("needs publishAt, the time the story goes public")
        return status


class DraftCreate(_Publishing):
    """A new story as the editor saves it: a draft may be saved before it has a title."""

    title: DraftTitle = ""
    description: DraftDescription = ""
    body: DraftBody = ""
    tag_list: TagList = Field(default_factory=list)
    cover_image: CoverImage = ""
    publication: PublicationSlugField = ""


class ArticleCreate(DraftCreate):
    """A new story; without a status it is published at once, as RealWorld clients expect."""

    title: Title
    description: Description
    body: Body


class ArticleCreateRequest(Schema):
    article: ArticleCreate


UpdateNote = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=UPDATE_NOTE_MAX_LENGTH),
    Field(
        description="A note for readers on what changed, shown above the story with its date; "
        "an empty one takes it away. A Broadsheet extension."
    ),
]


class DraftUpdate(_Publishing):
    """Changes as the editor saves them to a draft: any field may still be blank."""

    title: DraftTitle | None = None
    description: DraftDescription | None = None
    body: DraftBody | None = None
    tag_list: TagList | None = None
    cover_image: CoverImage | None = None
    publication: PublicationSlugField | None = None
    update_note: UpdateNote | None = None


class ArticleUpdate(DraftUpdate):
    title: Title | None = None
    description: Description | None = None
    body: Body | None = None
    tag_list: TagList | None = None


class ArticleUpdateRequest(Schema):
    article: ArticleUpdate


class ArticleSummary(Schema):
    """A story as lists show it: everything but the body."""

    slug: str
    title: str
    description: str
    tag_list: list[str]
    created_at: Timestamp
    updated_at: Timestamp
    favorited: bool
    favorites_count: int
    claps_count: int = Field(
        description="Every reader's claps for the story added up. A Broadsheet extension."
    )
    your_claps: int = Field(
        description="How many times the caller clapped for the story, 0 to 50. A Broadsheet "
        "extension."
    )
    author: ProfileOut
    status: Status = Field(description="Where the story stands. A Broadsheet extension.")
    published_at: Timestamp | None = Field(
        description="When it went public, or for a scheduled story when it will; null for a "
        "draft. A Broadsheet extension."
    )
    update_note: str | None = Field(
        description="The writer's note on what changed, if any. A Broadsheet extension."
    )
    update_noted_at: Timestamp | None = Field(
        description="When the update note was last written. A Broadsheet extension."
    )
    cover_image: PictureOut | None = Field(
        description="The picture shown in lists and link previews. A Broadsheet extension."
    )
    publication: PublicationSummary | None = Field(
        description="The publication the story is published in, if any. A Broadsheet extension."
    )
    series: SeriesSummary | None = Field(
        description="The series the story is a part of, if any. A Broadsheet extension."
    )
    submitted_to: PublicationSummary | None = Field(
        description="The publication whose editors the draft waits for, if any; seen by its "
        "writer and those editors. A Broadsheet extension."
    )


class ArticleOut(ArticleSummary):
    body: str


class ArticleResponse(Schema):
    article: ArticleOut


class ArticleListResponse(Schema):
    articles: list[ArticleSummary]
    articles_count: int


class NextReadsResponse(Schema):
    more_from_author: list[ArticleSummary] = Field(
        description="The writer's latest other published stories (up to 3)"
    )
    related: list[ArticleSummary] = Field(
        description="Up to 3 stories by others that share the story's tags"
    )
