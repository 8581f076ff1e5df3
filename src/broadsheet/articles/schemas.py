"""Request and response shapes for stories."""

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from broadsheet.accounts.schemas import ProfileOut
from broadsheet.articles.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from broadsheet.schemas import WHITE_SPACE, WHITE_SPACE_CLASS, Schema, Timestamp
from broadsheet.tags.models import TAG_MAX_LENGTH

BODY_MAX_LENGTH = 100_000
MAX_TAGS = 10
MAX_PAGE_SIZE = 100

# Tells the OpenAPI document what stripping and not_blank() enforce: whitespace alone is refused.
NOT_BLANK_PATTERN = f"[^{WHITE_SPACE_CLASS}]"
NOT_BLANK = Field(json_schema_extra={"pattern": NOT_BLANK_PATTERN})


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


def not_blank(text: str) -> str:
    """Refuse text that is only whitespace; keep any other text exactly as written."""
    if not text.strip(WHITE_SPACE):
        raise ValueError("can't be blank")
    return text


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
    return list(dict.fromkeys(tags))


TagList = Annotated[list[TagName], Field(max_length=MAX_TAGS), AfterValidator(_distinct)]


class ArticleCreate(Schema):
    title: Title
    description: Description
    body: Body
    tag_list: TagList = Field(default_factory=list)


class ArticleCreateRequest(Schema):
    article: ArticleCreate


class ArticleUpdate(Schema):
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
    author: ProfileOut


class ArticleOut(ArticleSummary):
    body: str


class ArticleResponse(Schema):
    article: ArticleOut


class ArticleListResponse(Schema):
    articles: list[ArticleSummary]
    articles_count: int
