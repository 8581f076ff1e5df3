"""Uploading pictures through the API."""

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from broadsheet.accounts.deps import CurrentUser
from broadsheet.deps import WRITES, DbSession
from broadsheet.errors import errors_documented
from broadsheet.media.deps import UploadsTaken, markdown_for
from broadsheet.media.models import ALT_MAX_LENGTH, Upload
from broadsheet.media.schemas import PictureOut, UploadOut, UploadResponse

router = APIRouter(tags=["Uploads"])


def upload_out(upload: Upload) -> UploadOut:
    picture = PictureOut.at(upload.url, alt=upload.alt)
    assert picture is not None  # noqa: S101 (an upload's url is always a fallback's)
    return UploadOut(**picture.model_dump(), markdown=markdown_for(upload))


@router.post(
    "/uploads",
    status_code=status.HTTP_201_CREATED,
    dependencies=[WRITES],
    responses=errors_documented(401, 413, 422, 429),
)
async def upload_picture(
    file: Annotated[
        UploadFile,
        File(description="A JPEG, PNG, GIF or WebP picture; its content decides, not its name"),
    ],
    session: DbSession,
    user: CurrentUser,
    uploads: UploadsTaken,
    alt: Annotated[
        str,
        Form(
            description="The picture described for readers who cannot see it (required; "
            f"at most {ALT_MAX_LENGTH} characters)"
        ),
    ] = "",
) -> UploadResponse:
    """Upload a picture for a story or its cover. It is stored without its metadata (EXIF,
    GPS), as WebP in several widths and as JPEG or PNG. Put `markdown` in a story's body, or
    `url` in its `coverImage`. A Broadsheet extension."""
    stored = await uploads.take(session, file, alt=alt, by=user)
    return UploadResponse(upload=upload_out(stored))
