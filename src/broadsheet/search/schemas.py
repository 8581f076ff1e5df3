"""What a search is asked, and what it answers through the API."""

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, Field

from broadsheet.accounts.schemas import ProfileOut
from broadsheet.articles.schemas import ArticleSummary
from broadsheet.publications.schemas import PublicationSummary
from broadsheet.schemas import Schema

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD, and in no other way (ISO 8601 and pydantic allow others)."""
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError("must be a day, such as 2026-12-31")


def _day_as_written(value: object) -> object:
    return parse_day(value) if isinstance(value, str) else value


Day = Annotated[date, BeforeValidator(_day_as_written)]


class FoundArticle(ArticleSummary):
    snippet_html: str = Field(
        description="A passage of the story around the searched words, as HTML: the text "
        "escaped, the words that matched in <mark>."
    )


class SearchResponse(Schema):
    articles: list[FoundArticle]
    articles_count: int = Field(
        description="How many stories were ranked: every match, or the newest 100 of them "
        "when more match (then moreArticles is true)."
    )
    more_articles: bool = Field(description="Whether more stories match than were ranked.")
    profiles: list[ProfileOut] = Field(
        description="Up to five writers whose usernames begin with one of the words."
    )
    tags: list[str] = Field(description="Up to five tags beginning with one of the words.")
    publications: list[PublicationSummary] = Field(
        description="Up to five publications whose names hold one of the words."
    )
