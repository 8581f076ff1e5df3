"""Reads of lists as a given reader sees them, shared by the API and the pages."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from broadsheet import effects
from broadsheet.accounts.models import User
from broadsheet.accounts.service import not_suspended
from broadsheet.articles.models import Article
from broadsheet.articles.queries import ArticleView, views_of, visible_to
from broadsheet.lists.models import ListEntry, StoryList
from broadsheet.lists.service import (
    READING_LIST,
    ListNotFound,
    can_see,
    reading_list_slug,
    unsaved_reading_list,
)

# How many lists a reader's lists page shows.
MAX_LISTS = 100


@dataclass(frozen=True)
class ListedStory:
    view: ArticleView
    note: str
    added_at: datetime


@dataclass(frozen=True)
class ListPage:
    story_list: StoryList
    stories: list[ListedStory]
    # How many of the list's stories the reader may see.
    total: int


async def find_list(session: AsyncSession, slug: str, *, viewer: User | None) -> StoryList:
    """The list at `slug` (`reading-list`: the viewer's own), with its owner, if `viewer` may
    see it; nobody sees a suspended account's lists."""
    if slug == READING_LIST and viewer is not None:
        slug = reading_list_slug(viewer)
    query = (
        select(StoryList)
        .join(StoryList.owner)
        .options(contains_eager(StoryList.owner))
        .where(StoryList.slug == slug, not_suspended(StoryList.owner_id))
    )
    found = await session.scalar(query)
    if found is None and viewer is not None and slug == reading_list_slug(viewer):
        return unsaved_reading_list(viewer)
    if found is None or not can_see(viewer, found):
        raise ListNotFound()
    effects.shown(session, effects.story_list(found.id))
    return found


async def stories_in(
    session: AsyncSession,
    story_list: StoryList,
    *,
    viewer: User | None,
    limit: int,
    offset: int,
    with_body: bool = False,
) -> ListPage:
    """A page of the stories in `story_list` that `viewer` may read, in the owner's order."""
    if story_list.id is None:
        return ListPage(story_list, [], 0)
    entries = (
        select(ListEntry.article_id, ListEntry.note, ListEntry.added_at)
        .join(Article, Article.id == ListEntry.article_id)
        .where(ListEntry.list_id == story_list.id, visible_to(viewer))
    )
    total = await session.scalar(select(func.count()).select_from(entries.subquery())) or 0
    if total <= offset:
        return ListPage(story_list, [], total)
    page = (
        await session.execute(
            entries.order_by(ListEntry.position, ListEntry.added_at.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    views = {
        view.article.id: view
        for view in await views_of(
            session, [row.article_id for row in page], viewer=viewer, with_body=with_body
        )
    }
    stories = [
        ListedStory(views[row.article_id], row.note, row.added_at)
        for row in page
        if row.article_id in views
    ]
    return ListPage(story_list, stories, total)


async def lists_of(session: AsyncSession, owner: User, *, viewer: User | None) -> list[StoryList]:
    """The lists of `owner` that `viewer` may see: the reading list first (to its owner, even
    before it holds anything), then the most recently changed."""
    own = viewer is not None and viewer.id == owner.id
    query = (
        select(StoryList)
        .join(StoryList.owner)
        .options(contains_eager(StoryList.owner))
        .where(StoryList.owner_id == owner.id, *([] if own else [StoryList.public]))
        .order_by(
            StoryList.is_reading_list.desc(), StoryList.updated_at.desc(), StoryList.id.desc()
        )
        .limit(MAX_LISTS)
    )
    found = list(await session.scalars(query))
    if own and not any(story_list.is_reading_list for story_list in found):
        found.insert(0, unsaved_reading_list(owner))
    effects.shown(session, effects.lists_of(owner.id))
    return found


@dataclass(frozen=True)
class ListChoice:
    story_list: StoryList
    holds_the_story: bool


async def lists_for_story(
    session: AsyncSession, reader: User, article: Article
) -> list[ListChoice]:
    """`reader`'s lists, the reading list first, each with whether it holds `article`."""
    holds = (
        select(ListEntry.list_id)
        .where(ListEntry.list_id == StoryList.id, ListEntry.article_id == article.id)
        .exists()
    )
    query = (
        select(StoryList, holds)
        .where(StoryList.owner_id == reader.id)
        .order_by(
            StoryList.is_reading_list.desc(), StoryList.updated_at.desc(), StoryList.id.desc()
        )
        .limit(MAX_LISTS)
    )
    choices = [
        ListChoice(story_list, bool(held)) for story_list, held in await session.execute(query)
    ]
    if not any(choice.story_list.is_reading_list for choice in choices):
        choices.insert(0, ListChoice(unsaved_reading_list(reader), holds_the_story=False))
    effects.shown(session, effects.lists_of(reader.id))
    return choices
