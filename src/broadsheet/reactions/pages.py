"""Claps on the site: a form that adds one clap without JavaScript, the same for the story
page's script (which sends a held or repeated press as one count), and taking them back."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser
from broadsheet.articles.pages import story_of, story_path
from broadsheet.deps import ANSWERS_JSON_ERRORS, WRITES, DbSession, PathText
from broadsheet.errors import Invalid, validation_problems
from broadsheet.reactions import service as reactions
from broadsheet.reactions.schemas import ClapsCreate
from broadsheet.web import CheckedForm, redirect

router = APIRouter(include_in_schema=False)


def _times(form: dict[str, str]) -> int:
    try:
        return ClapsCreate.model_validate({"count": form.get("count", "1")}).count
    except ValidationError as error:
        raise Invalid(validation_problems(error.errors())) from None


@router.post("/@{username}/{slug}/claps", dependencies=[WRITES])
async def clap(
    username: PathText, slug: PathText, form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Clap for the story (once, unless the form says how many times)."""
    view = await story_of(session, username, slug, reader)
    await reactions.clap(session, slug, by=reader, times=_times(form))
    return redirect(f"{story_path(view.article)}#claps")


@router.post("/@{username}/{slug}/claps.json", dependencies=[WRITES, ANSWERS_JSON_ERRORS])
async def clap_from_script(
    username: PathText, slug: PathText, form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Clap `count` times for the story, and answer the story's claps and the reader's own."""
    await story_of(session, username, slug, reader)
    applause = await reactions.clap(session, slug, by=reader, times=_times(form))
    answer = JSONResponse({"claps": {"total": applause.total, "yours": applause.yours}})
    answer.headers["Cache-Control"] = "no-store"
    return answer


@router.post("/@{username}/{slug}/claps/undo", dependencies=[WRITES])
async def unclap(
    username: PathText, slug: PathText, _form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Take back the reader's claps for the story."""
    view = await story_of(session, username, slug, reader)
    await reactions.unclap(session, slug, by=reader)
    return redirect(f"{story_path(view.article)}#claps")
