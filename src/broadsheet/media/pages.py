"""Uploads from the editor's script, and the uploaded files themselves when this machine keeps
them (with a bucket, readers fetch them from the bucket)."""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from broadsheet.accounts.deps import SiteUser
from broadsheet.deps import ANSWERS_JSON_ERRORS, WRITES, DbSession, PathText
from broadsheet.errors import NotFound
from broadsheet.lib.images import is_stored_name
from broadsheet.media.api import upload_out
from broadsheet.media.deps import PICTURE_FIELD, UploadsTaken
from broadsheet.storage import IMMUTABLE, Storage
from broadsheet.web import CheckedSubmission

router = APIRouter(include_in_schema=False)


@router.post("/uploads", dependencies=[WRITES, ANSWERS_JSON_ERRORS])
async def upload_from_editor(
    writer: SiteUser, submitted: CheckedSubmission, session: DbSession, uploads: UploadsTaken
) -> Response:
    """Take a picture the editor's script sends (picked or dropped), and answer where it is
    and the Markdown that shows it, as JSON. A signed-out writer hears so before anything is
    checked of the form."""
    file = submitted.files.get(PICTURE_FIELD)
    stored = await uploads.take(session, file, alt=submitted.fields.get("alt", ""), by=writer)
    answer = JSONResponse(upload_out(stored).model_dump(mode="json", by_alias=True), 201)
    answer.headers["Cache-Control"] = "no-store"
    return answer


@router.get("/media/{name}")
async def uploaded_file(request: Request, name: PathText) -> Response:
    """A stored picture, kept by every cache for a year: its name changes with its content."""
    storage: Storage = request.app.state.storage
    path = storage.local_path(name) if is_stored_name(name) else None
    if path is None or not path.is_file():
        raise NotFound("picture not found", field="picture")
    return FileResponse(path, headers={"Cache-Control": IMMUTABLE})
