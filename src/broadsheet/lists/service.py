"""Lists: making, changing and deleting them, and saving stories in them with a note, in the
order their owner wants. No HTTP in here."""

from dataclasses import dataclass

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet import effects
from broadsheet.accounts.models import User
from broadsheet.articles.models import Article
from broadsheet.articles.service import PUBLIC, find_article
from broadsheet.errors import Conflict, Forbidden, NotFound
from broadsheet.lib.clock import utcnow
from broadsheet.lib.slugs import unique_slug
from broadsheet.lists.models import READING_LIST_NAME, ListEntry, StoryList

# What `reading-list` names in an address: the caller's own reading list.
READING_LIST = "reading-list"
# A list is read and reordered whole: it holds no more than this.
MAX_LIST_STORIES = 1_000


class ListNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("list not found", field="list")


class EntryNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("is not in this list", field="story")


class ReadingListStays(Forbidden):
    def __init__(self) -> None:
        super().__init__("is every reader's own and cannot be deleted", field="list")


class NotPublic(Conflict):
    def __init__(self) -> None:
        super().__init__("can be saved once it is published", field="story")


class ListFull(Conflict):
    def __init__(self) -> None:
        super().__init__(f"holds {MAX_LIST_STORIES} stories, as many as a list may", field="list")


@dataclass(frozen=True)
class ListChanges:
    name: str | None = None
    description: str | None = None
    public: bool | None = None


def reading_list_slug(owner: User) -> str:
    return f"{READING_LIST}-{owner.id}"


def _new_reading_list(owner: User) -> StoryList:
    now = utcnow()
    return StoryList(
        slug=reading_list_slug(owner),
        owner_id=owner.id,
        name=READING_LIST_NAME,
        description="",
        public=False,
        is_reading_list=True,
        stories_count=0,
        created_at=now,
        updated_at=now,
    )


def unsaved_reading_list(owner: User) -> StoryList:
    """The reading list of a reader who has saved nothing yet, as it will be: not stored."""
    reading_list = _new_reading_list(owner)
    reading_list.owner = owner
    return reading_list


def can_see(viewer: User | None, story_list: StoryList) -> bool:
    """Whether `viewer` may see `story_list`: a public one anyone, a private one its owner."""
    return story_list.public or (viewer is not None and viewer.id == story_list.owner_id)


async def _reading_list(session: AsyncSession, owner: User) -> StoryList:
    """The owner's reading list, locked, made the first time it is needed."""
    slug = reading_list_slug(owner)
    if await session.scalar(select(StoryList.id).where(StoryList.slug == slug)) is None:
        # A reader's first saves queue on their account's row, so one of them makes the list
        # and the others find it. Racing to insert it instead, InnoDB's locks on the duplicate
        # key would deadlock them.
        await session.execute(select(User.id).where(User.id == owner.id).with_for_update())
        locked = select(StoryList.id).where(StoryList.slug == slug).with_for_update()
        if await session.scalar(locked) is None:
            session.add(_new_reading_list(owner))
            await session.flush()
    return await _locked(session, owner, slug)


async def _own_list(session: AsyncSession, owner: User, slug: str) -> StoryList:
    """The owner's list `slug`, locked: changes to one list queue behind each other."""
    if slug == READING_LIST:
        return await _reading_list(session, owner)
    return await _locked(session, owner, slug)


async def _locked(session: AsyncSession, owner: User, slug: str) -> StoryList:
    query = (
        select(StoryList)
        .where(StoryList.slug == slug, StoryList.owner_id == owner.id)
        .with_for_update()
    )
    found = await session.scalar(query)
    if found is None:
        raise ListNotFound()
    return found


def _changed(session: AsyncSession, story_list: StoryList) -> None:
    story_list.updated_at = utcnow()
    # The reader's lists page shows each list's count and keeps the last changed first.
    effects.changed(
        session, effects.story_list(story_list.id), effects.lists_of(story_list.owner_id)
    )


async def make_list(
    session: AsyncSession, owner: User, *, name: str, description: str, public: bool
) -> StoryList:
    """A new list of `owner`'s, empty."""
    slug = unique_slug(name)
    if slug.startswith(READING_LIST):
        # Reading lists' addresses are "reading-list-{owner id}": never one of those.
        slug = f"list-{slug}"
    story_list = StoryList(
        slug=slug,
        owner_id=owner.id,
        name=name,
        description=description,
        public=public,
        is_reading_list=False,
        stories_count=0,
    )
    session.add(story_list)
    await session.flush()
    effects.changed(session, effects.lists_of(owner.id))
    return story_list


async def change_list(
    session: AsyncSession, owner: User, slug: str, changes: ListChanges
) -> StoryList:
    """Rename, describe, publish or hide one of `owner`'s lists."""
    story_list = await _own_list(session, owner, slug)
    if changes.name is not None:
        story_list.name = changes.name
    if changes.description is not None:
        story_list.description = changes.description
    if changes.public is not None:
        story_list.public = changes.public
    _changed(session, story_list)
    await session.flush()
    return story_list


async def delete_list(session: AsyncSession, owner: User, slug: str) -> None:
    """Delete one of `owner`'s lists, though never their reading list; the stories stay."""
    story_list = await _own_list(session, owner, slug)
    if story_list.is_reading_list:
        raise ReadingListStays()
    effects.changed(session, effects.story_list(story_list.id), effects.lists_of(owner.id))
    await session.execute(delete(StoryList).where(StoryList.id == story_list.id))


async def _entry(session: AsyncSession, story_list: StoryList, article: Article) -> ListEntry:
    query = select(ListEntry).where(
        ListEntry.list_id == story_list.id, ListEntry.article_id == article.id
    )
    entry = await session.scalar(query)
    if entry is None:
        raise EntryNotFound()
    return entry


async def save(
    session: AsyncSession, owner: User, slug: str, story_slug: str, *, note: str | None = None
) -> tuple[StoryList, ListEntry, bool]:
    """Put the story `story_slug` at the top of `owner`'s list `slug`, with `note`; a story
    already there keeps its place (and takes the note, if one is given). The list, the entry,
    and whether the story was added now."""
    story_list = await _own_list(session, owner, slug)
    article = await find_article(session, story_slug, viewer=owner)
    if article.status not in PUBLIC:
        raise NotPublic()
    try:
        entry = await _entry(session, story_list, article)
    except EntryNotFound:
        pass
    else:
        if note is not None and note != entry.note:
            entry.note = note
            _changed(session, story_list)
            await session.flush()
        return story_list, entry, False
    if story_list.stories_count >= MAX_LIST_STORIES:
        raise ListFull()
    top = await session.scalar(
        select(func.min(ListEntry.position)).where(ListEntry.list_id == story_list.id)
    )
    entry = ListEntry(
        list_id=story_list.id,
        article_id=article.id,
        note=note or "",
        position=0 if top is None else top - 1,
        added_at=utcnow(),
    )
    session.add(entry)
    story_list.stories_count += 1
    _changed(session, story_list)
    await session.flush()
    return story_list, entry, True


async def toggle_saved(session: AsyncSession, owner: User, story_slug: str) -> bool:
    """Save the story to the owner's reading list, or take it out if it is there; whether it
    is saved now."""
    reading_list = await _reading_list(session, owner)
    article = await find_article(session, story_slug, viewer=owner)
    try:
        await _entry(session, reading_list, article)
    except EntryNotFound:
        await save(session, owner, READING_LIST, story_slug)
        return True
    await unsave(session, owner, READING_LIST, story_slug)
    return False


async def unsave(session: AsyncSession, owner: User, slug: str, story_slug: str) -> StoryList:
    """Take the story `story_slug` out of `owner`'s list `slug`."""
    story_list = await _own_list(session, owner, slug)
    article = await find_article(session, story_slug, viewer=owner)
    entry = await _entry(session, story_list, article)
    await session.delete(entry)
    story_list.stories_count -= 1
    _changed(session, story_list)
    await session.flush()
    return story_list


async def change_entry(
    session: AsyncSession,
    owner: User,
    slug: str,
    story_slug: str,
    *,
    note: str | None = None,
    position: int | None = None,
) -> tuple[StoryList, ListEntry]:
    """Change the note on a story in one of `owner`'s lists, or move it to `position` (0 is
    the top; past the end is the end)."""
    story_list = await _own_list(session, owner, slug)
    article = await find_article(session, story_slug, viewer=owner)
    entry = await _entry(session, story_list, article)
    if note is not None:
        entry.note = note
    if position is not None:
        await _move(session, story_list, entry, position)
    _changed(session, story_list)
    await session.flush()
    return story_list, entry


async def _move(
    session: AsyncSession, story_list: StoryList, entry: ListEntry, position: int
) -> None:
    """Number the list's entries again, 0 upwards, with `entry` at `position`."""
    query = (
        select(ListEntry.article_id)
        .where(ListEntry.list_id == story_list.id, ListEntry.article_id != entry.article_id)
        .order_by(ListEntry.position, ListEntry.added_at.desc())
    )
    order = list(await session.scalars(query))
    order.insert(min(position, len(order)), entry.article_id)
    numbers = {article_id: number for number, article_id in enumerate(order)}
    await session.execute(
        update(ListEntry)
        .where(ListEntry.list_id == story_list.id)
        .values(position=case(numbers, value=ListEntry.article_id))
        .execution_options(synchronize_session=False)
    )
    entry.position = numbers[entry.article_id]
