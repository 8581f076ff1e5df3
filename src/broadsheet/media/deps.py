"""What the upload routes share: the storage, and the limits on uploading."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from broadsheet.accounts.models import User
from broadsheet.deps import AppSettings
from broadsheet.media import service as media
from broadsheet.media.models import Upload
from broadsheet.ratelimit import RateLimiter
from broadsheet.settings import Settings
from broadsheet.storage import Storage

# The editor's file field.
PICTURE_FIELD = "picture"


@dataclass(frozen=True)
class Uploads:
    """Takes a writer's picture within the limits: so many an hour, so many bytes, so many
    pixels."""

    storage: Storage
    limiter: RateLimiter
    settings: Settings

    async def take(
        self, session: AsyncSession, file: UploadFile | None, *, alt: str, by: User
    ) -> Upload:
        """Upload `file` for `by`; a form sent with no file chosen is refused uncounted."""
        if file is None or not file.filename:
            raise media.NoPicture()
        await self.limiter.hit(
            self.settings.limits.upload_per_account, "upload:account", str(by.id), counted="uploads"
        )
        # One byte past the limit is enough to know it is too large.
        data = await file.read(self.settings.upload.max_bytes + 1)
        limits = media.UploadLimits(
            max_bytes=self.settings.upload.max_bytes, max_pixels=self.settings.upload.max_pixels
        )
        return await media.upload(session, self.storage, data, alt=alt, by=by, limits=limits)


async def _uploads(request: Request, settings: AppSettings) -> Uploads:
    return Uploads(request.app.state.storage, request.app.state.rate_limiter, settings)


UploadsTaken = Annotated[Uploads, Depends(_uploads)]


def markdown_for(upload: Upload) -> str:
    """The Markdown that shows `upload` in a story."""
    alt = upload.alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{alt}]({upload.url})"
