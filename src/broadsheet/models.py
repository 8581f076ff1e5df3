"""Every table, imported in one place so Alembic and the app see the whole schema."""

from broadsheet.accounts.models import Block, Follow, SiteSession, User
from broadsheet.articles.models import Article, Favorite, RetiredSlug, Revision
from broadsheet.comments.models import Comment
from broadsheet.lists.models import ListEntry, StoryList
from broadsheet.media.models import Upload
from broadsheet.moderation.models import Report
from broadsheet.publications.models import (
    Member,
    Publication,
    PublicationFollow,
    RetiredPublicationSlug,
    Series,
    Submission,
)
from broadsheet.reactions.models import Clap, PopularStory
from broadsheet.search.models import SearchDocument
from broadsheet.tags.models import Tag, TagFollow, article_tags

__all__ = [
    "Article",
    "Block",
    "Clap",
    "Comment",
    "Favorite",
    "Follow",
    "ListEntry",
    "Member",
    "PopularStory",
    "Publication",
    "PublicationFollow",
    "Report",
    "RetiredPublicationSlug",
    "RetiredSlug",
    "Revision",
    "SearchDocument",
    "Series",
    "SiteSession",
    "StoryList",
    "Submission",
    "Tag",
    "TagFollow",
    "Upload",
    "User",
    "article_tags",
]
