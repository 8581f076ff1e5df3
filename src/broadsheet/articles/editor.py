"""The editor: drafts, autosave, pictures, publishing now, unlisted or at a time.

Whatever goes wrong with a post from the editor (an expired form, a signed-out writer, a rule
broken), the editor comes back with every word the writer sent.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser, SiteViewer
from broadsheet.accounts.models import User
from broadsheet.articles import service as articles
from broadsheet.articles.models import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UPDATE_NOTE_MAX_LENGTH,
    Article,
    Status,
)
from broadsheet.articles.pages import own_story_of, story_path, writers_path
from broadsheet.articles.schemas import (
    BODY_MAX_LENGTH,
    ArticleCreate,
    ArticleUpdate,
    DraftCreate,
    DraftUpdate,
)
from broadsheet.deps import CHANGES_NOTHING, WRITES, DbSession, PathText
from broadsheet.errors import (
    AppError,
    Forbidden,
    Invalid,
    TooManyRequests,
    validation_problems,
)
from broadsheet.lib.clock import as_utc, isoformat
from broadsheet.lib.markdown import reading_minutes, render, word_count
from broadsheet.media.deps import PICTURE_FIELD, Uploads, UploadsTaken, markdown_for
from broadsheet.media.models import ALT_MAX_LENGTH
from broadsheet.media.service import megabytes
from broadsheet.publications.queries import publishing_places
from broadsheet.web import (
    CheckedForm,
    SubmittedForm,
    UncheckedForm,
    named_as_in_form,
    page,
    redirect,
    site_url,
)

router = APIRouter(include_in_schema=False)

FORM_FIELDS = (
    "title",
    "description",
    "body",
    "tags",
    "cover_image",
    "when",
    "publish_at",
    "time_zone",
    "update_note",
    "alt",
    "as_cover",
    "publication",
)
# Form field names for the API's names of what the writer typed.
_FORM_NAMES = {
    "tagList": "tags",
    "tag_list": "tags",
    "publishAt": "publish_at",
    "coverImage": "cover_image",
    "file": PICTURE_FIELD,
    "uploads": PICTURE_FIELD,
}
# Kept by the browser too, so that a story never grows past what the form may send.
EDITOR_LIMITS = {
    "title": TITLE_MAX_LENGTH,
    "description": DESCRIPTION_MAX_LENGTH,
    "body": BODY_MAX_LENGTH,
    "update_note": UPDATE_NOTE_MAX_LENGTH,
    "alt": ALT_MAX_LENGTH,
}
# How the editor asks for a story to go public.
WHEN_CHOICES = (Status.PUBLISHED, Status.UNLISTED, Status.SCHEDULED)


@dataclass(frozen=True)
class Editor:
    """The story being written (None before its first save), and where its form posts."""

    article: Article | None
    action: str
    # (slug, name) of the publications the story may be published in: the writer's own, as an
    # owner or editor, and the one it is in.
    places: tuple[tuple[str, str], ...] = ()

    @property
    def heading(self) -> str:
        return "Write a story" if self.article is None else "Edit story"

    @property
    def status(self) -> Status:
        return Status.DRAFT if self.article is None else Status(self.article.status)

    @property
    def autosaves(self) -> bool:
        """Drafts save themselves as the writer types; a public story changes only on Save."""
        return self.status == Status.DRAFT


NEW_STORY = Editor(article=None, action="/new")


def _editing(article: Article) -> Editor:
    return Editor(article=article, action=f"{story_path(article)}/edit")


async def _with_places(session: DbSession, editor: Editor, writer: User) -> Editor:
    """`editor`, knowing where `writer` may publish the story."""
    places = {place.slug: place.name for place in await publishing_places(session, writer)}
    current = editor.article.publication if editor.article is not None else None
    if current is not None:
        places.setdefault(current.slug, current.name)
    return replace(editor, places=tuple(places.items()))


def _tags_from(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _form_problems(error: ValidationError) -> dict[str, list[str]]:
    problems = validation_problems(error.errors())
    return named_as_in_form(problems, _FORM_NAMES)


def _publish_time(form: dict[str, str]) -> datetime | None:
    """The time typed into the schedule field, in the writer's time zone (UTC without one)."""
    text = form.get("publish_at", "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid({"publish_at": ["is not a date and time"]}) from None
    try:
        zone: Any = ZoneInfo(form.get("time_zone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _wanted_status(form: dict[str, str]) -> Status:
    when = form.get("when", Status.PUBLISHED)
    return Status(when) if when in WHEN_CHOICES else Status.PUBLISHED


def _fields(form: dict[str, str], *, publishing: bool) -> dict[str, Any]:
    """What the form asks for, as the schemas name it; a draft keeps its status."""
    fields: dict[str, Any] = {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "body": form.get("body", ""),
        "tag_list": _tags_from(form.get("tags", "")),
    }
    for name in ("update_note", "cover_image", "publication"):
        if name in form:
            fields[name] = form[name]
    if publishing:
        status = _wanted_status(form)
        fields["status"] = status
        if status == Status.SCHEDULED:
            publish_at = _publish_time(form)
            if publish_at is None:
                raise Invalid({"publish_at": ["needs a date and time"]})
            fields["publish_at"] = publish_at
    else:
        fields["status"] = Status.DRAFT
    return fields


def _form_of(article: Article) -> dict[str, str]:
    scheduled = article.status == Status.SCHEDULED and article.published_at is not None
    return {
        "title": article.title,
        "description": article.description,
        "body": article.body,
        "tags": ", ".join(tag.name for tag in article.tags),
        "when": article.status if article.status in WHEN_CHOICES else Status.PUBLISHED,
        # Shown in UTC; the editor's script moves it to the writer's own time zone.
        "publish_at": f"{as_utc(article.published_at):%Y-%m-%dT%H:%M}"
        if scheduled and article.published_at
        else "",
        "time_zone": "UTC",
        "update_note": article.update_note or "",
        "cover_image": article.cover_image or "",
        "publication": article.publication.slug if article.publication else "",
    }


def _editor(
    request: Request,
    editor: Editor,
    *,
    form: dict[str, str],
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
    preview: bool = False,
    status_code: int | None = None,
) -> Response:
    # render() sanitises what it returns.
    preview_html = Markup(render(form.get("body", ""))) if preview else None  # noqa: S704 # nosec B704
    article = editor.article
    preview_url = (
        f"{site_url(request)}/preview/{article.preview_token}"
        if article is not None and article.preview_token and article.status not in articles.PUBLIC
        else None
    )
    return page(
        request,
        "articles/editor.html",
        status_code=status_code or (422 if errors else 200),
        title=editor.heading,
        editor=editor,
        form={name: form.get(name, "") for name in FORM_FIELDS},
        errors=errors or {},
        notice=notice,
        notice_is_problem=status_code is not None and status_code >= 400,
        preview_html=preview_html,
        preview_url=preview_url,
        story_path=story_path(article) if article is not None else None,
        limits=EDITOR_LIMITS,
        upload_max_mb=megabytes(request.app.state.settings.upload.max_bytes),
    )


EXPIRED = (
    "This form had expired (you may have signed in again in another tab), so nothing was "
    "saved. Everything you wrote is below: press the button again."
)
SIGNED_OUT = (
    "You are signed out, so nothing was saved. Everything you wrote is below: sign in in "
    "another tab, then come back and press the button again."
)


def _refused(submitted: SubmittedForm, writer: User | None) -> str | None:
    """Why the editor cannot act on this post, if it cannot."""
    if writer is None:
        return SIGNED_OUT
    if not submitted.trusted:
        return EXPIRED
    return None


def _saved_answer(article: Article, writer: User) -> JSONResponse:
    """What the editor's script hears after an autosave: when, and where to save next."""
    action = f"{writers_path(article, writer)}/edit"
    answer = JSONResponse({"savedAt": isoformat(article.updated_at), "action": action})
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _autosave_refused(message: str, status_code: int) -> JSONResponse:
    return JSONResponse({"errors": {"body": [message]}}, status_code=status_code)


async def _save(
    request: Request,
    submitted: SubmittedForm,
    session: DbSession,
    writer: User | None,
    editor: Editor,
    uploads: Uploads,
) -> Response:
    """Act on a post from the editor: preview, save the draft (by hand or automatically), or
    publish as the form asks."""
    form = submitted.fields
    intent = form.get("intent", "publish")
    refusal = _refused(submitted, writer)
    if intent == "autosave":
        if refusal is not None:
            return _autosave_refused(refusal, 401 if writer is None else 403)
        if not editor.autosaves:
            return _autosave_refused("only drafts save themselves", 409)
    elif refusal is not None:
        status_code = 401 if writer is None else 403
        return _editor(request, editor, form=form, notice=refusal, status_code=status_code)
    assert writer is not None  # noqa: S101 (a refusal above otherwise)
    if intent == "upload":
        return await _add_picture(request, submitted, session, writer, editor, uploads)
    if intent == "remove_cover":
        notice = "The cover is taken away when you save."
        return _editor(request, editor, form={**form, "cover_image": ""}, notice=notice)
    if intent == "preview":
        try:
            DraftCreate.model_validate(_fields(form, publishing=False))
        except ValidationError as error:
            return _editor(request, editor, form=form, errors=_form_problems(error))
        return _editor(request, editor, form=form, preview=True)
    publishing = intent == "publish"
    try:
        article = await _store(session, editor, form, writer=writer, publishing=publishing)
    except ValidationError as error:
        problems = _form_problems(error)
    # A story the writer may not publish where they asked is shown back with the reason.
    except (Invalid, Forbidden) as error:
        problems = named_as_in_form(error.errors(), _FORM_NAMES)
    else:
        if intent == "autosave":
            return _saved_answer(article, writer)
        if publishing and article.status in articles.PUBLIC:
            return redirect(writers_path(article, writer))
        return redirect(f"{writers_path(article, writer)}/edit?saved=1")
    if intent == "autosave":
        return JSONResponse({"errors": problems}, status_code=422)
    return _editor(request, editor, form=form, errors=problems)


async def _add_picture(
    request: Request,
    submitted: SubmittedForm,
    session: DbSession,
    writer: User,
    editor: Editor,
    uploads: Uploads,
) -> Response:
    """Upload the picture sent with the form (without JavaScript, the editor's only way), and
    show the editor again with it at the end of the story, or as the cover. The story itself
    is saved by the writer's next Save, as for any other change."""
    form = submitted.fields
    file = submitted.files.get(PICTURE_FIELD)
    try:
        stored = await uploads.take(session, file, alt=form.get("alt", ""), by=writer)
    except AppError as refusal:
        answer = _editor(
            request,
            editor,
            form=form,
            errors=named_as_in_form(refusal.errors(), _FORM_NAMES),
            status_code=refusal.status_code,
        )
        if isinstance(refusal, TooManyRequests):
            answer.headers["Retry-After"] = str(refusal.retry_after)
        return answer
    shown = {**form, "alt": "", "as_cover": ""}
    if form.get("as_cover"):
        shown["cover_image"] = stored.url
        notice = "The picture is the cover now. Save to keep it."
    else:
        body = form.get("body", "").rstrip()
        shown["body"] = f"{body}\n\n{markdown_for(stored)}\n" if body else markdown_for(stored)
        notice = "The picture is at the end of the story. Save to keep it."
    return _editor(request, editor, form=shown, notice=notice)


async def _store(
    session: DbSession,
    editor: Editor,
    form: dict[str, str],
    *,
    writer: User,
    publishing: bool,
) -> Article:
    fields = _fields(form, publishing=publishing)
    if editor.article is None:
        creating = ArticleCreate if publishing else DraftCreate
        return await articles.write(session, creating.model_validate(fields), by=writer)
    updating = ArticleUpdate if publishing else DraftUpdate
    changes = updating.model_validate(fields)
    return await articles.edit(session, editor.article.slug, changes, by=writer)


@router.get("/new", name="new_story")
async def new_story(request: Request, session: DbSession, writer: SiteUser) -> Response:
    """The editor, empty."""
    editor = await _with_places(session, NEW_STORY, writer)
    return _editor(request, editor, form={"when": Status.PUBLISHED, "time_zone": "UTC"})


@router.post("/new", dependencies=[WRITES])
async def save_new_story(
    request: Request,
    submitted: UncheckedForm,
    session: DbSession,
    writer: SiteViewer,
    uploads: UploadsTaken,
) -> Response:
    """Save the new story as a draft, publish it, add a picture, or show its preview."""
    editor = NEW_STORY if writer is None else await _with_places(session, NEW_STORY, writer)
    return await _save(request, submitted, session, writer, editor, uploads)


@router.get("/@{username}/{slug}/edit", name="edit_story")
async def edit_story(
    request: Request,
    username: PathText,
    slug: PathText,
    session: DbSession,
    writer: SiteUser,
    saved: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The editor, filled with a story its author wants to change."""
    view = await own_story_of(session, username, slug, writer)
    article = view.article
    notice = f"Saved {article.updated_at:%H:%M} UTC." if saved else None
    editor = await _with_places(session, _editing(article), writer)
    return _editor(request, editor, form=_form_of(article), notice=notice)


@router.post("/@{username}/{slug}/edit", dependencies=[WRITES])
async def save_story(
    request: Request,
    username: PathText,
    slug: PathText,
    submitted: UncheckedForm,
    session: DbSession,
    writer: SiteViewer,
    uploads: UploadsTaken,
) -> Response:
    """Save the author's changes, change where the story stands, add a picture, or show
    their preview."""
    if writer is None:
        unknown = _unknown_story(username, slug)
        return await _save(request, submitted, session, writer, unknown, uploads)
    view = await own_story_of(session, username, slug, writer)
    editor = await _with_places(session, _editing(view.article), writer)
    return await _save(request, submitted, session, writer, editor, uploads)


def _unknown_story(username: str, slug: str) -> Editor:
    """The editor of a story a signed-out writer cannot be shown: it posts where it did."""
    return Editor(article=None, action=f"/@{quote(username)}/{slug}/edit")


@router.post("/preview", dependencies=[CHANGES_NOTHING])
async def live_preview(form: CheckedForm, _writer: SiteUser) -> JSONResponse:
    """The story as readers would see it, for the editor's preview beside the text: the same
    rendering and sanitiser as a save, with its length."""
    body = form.get("body", "")[:BODY_MAX_LENGTH]
    answer = JSONResponse(
        {
            "title": form.get("title", "")[:TITLE_MAX_LENGTH],
            "description": form.get("description", "")[:DESCRIPTION_MAX_LENGTH],
            "html": render(body),
            "words": word_count(body),
            "minutes": reading_minutes(body),
        }
    )
    answer.headers["Cache-Control"] = "no-store"
    return answer
