"""What a search answers through the API."""

from pydantic import Field

from broadsheet.accounts.schemas import ProfileOut
from broadsheet.articles.schemas import ArticleSummary
from broadsheet.publications.schemas import PublicationSummary
from broadsheet.schemas import Schema


class FoundArticle(ArticleSummary):
    snippet_html: str = Field(
        description="A passage of the story around the searched words, as HTML: the text "
        "escaped, the words that matched in <mark>."
    )


class SearchResponse(Schema):
    articles: list[FoundArticle]
    articles_count: int = Field(
        description="How many stories were ranked: every match, or the newest 200 of them "
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
