"""Uploading pictures, and finding a writer's own. No HTTP in here."""

import asyncio
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from broadsheet.accounts.models import User
from broadsheet.errors import Invalid, PayloadTooLarge
from broadsheet.lib import images
from broadsheet.media.models import ALT_MAX_LENGTH, Upload
from broadsheet.schemas import UNSTORABLE_MESSAGE, has_unstorable_text
from broadsheet.storage import Storage

ALT_HINT = "describe the picture for readers who cannot see it"


def megabytes(size: int) -> str:
    """A byte count as writers read it in a limit: "10" for 10 MiB."""
    return f"{size / 2**20:g}"


class PictureTooLarge(PayloadTooLarge):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"is larger than {megabytes(max_bytes)} MB", field="file")


class NoPicture(Invalid):
    def __init__(self) -> None:
        super().__init__({"file": ["can't be blank: choose a picture to upload"]})


class NotYourUpload(Invalid):
    def __init__(self, field: str) -> None:
        super().__init__({field: ["must be the address of a picture you uploaded"]})


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_pixels: int


def _described(alt: str) -> str:
    """The alt text as it will be kept: on one line, within its limits."""
    if has_unstorable_text(alt):
        raise Invalid({"alt": [UNSTORABLE_MESSAGE]})
    alt = " ".join(alt.split())
    if not alt:
        raise Invalid({"alt": [f"can't be blank: {ALT_HINT}"]})
    if len(alt) > ALT_MAX_LENGTH:
        raise Invalid({"alt": [f"is too long (maximum is {ALT_MAX_LENGTH})"]})
    return alt


async def upload(
    session: AsyncSession,
    storage: Storage,
    data: bytes,
    *,
    alt: str,
    by: User,
    limits: UploadLimits,
) -> Upload:
    """Make `data` fit to serve, store its files and record the upload.

    The files go to storage before the row is written: a rollback leaves files nothing points
    to (harmless, and shared with any later upload of the same picture), never a row whose
    files are missing."""
    if len(data) > limits.max_bytes:
        raise PictureTooLarge(limits.max_bytes)
    if not data:
        raise NoPicture()
    description = _described(alt)
    try:
        # Decoding and resizing take the CPU for a while: not on the event loop.
        picture = await asyncio.to_thread(images.prepare, data, max_pixels=limits.max_pixels)
    except images.NotAPicture as refusal:
        raise Invalid({"file": [str(refusal)]}) from None
    # Side by side: to a bucket, each file is a round trip.
    await asyncio.gather(
        *(
            storage.put(file.name, file.data, content_type=file.content_type)
            for file in picture.files
        )
    )
    stored = Upload(
        owner_id=by.id,
        fallback=picture.fallback,
        url=storage.url(picture.fallback),
        width=picture.width,
        height=picture.height,
        alt=description,
        byte_size=len(data),
    )
    session.add(stored)
    await session.flush()
    return stored


async def own_upload(session: AsyncSession, url: str, *, by: User, field: str) -> Upload:
    """The writer's latest upload whose fallback is at `url`; NotYourUpload otherwise."""
    name = url.rpartition("/")[2]
    if images.sizes_of(name) is None:
        raise NotYourUpload(field)
    found = await session.scalar(
        select(Upload)
        .where(Upload.fallback == name, Upload.owner_id == by.id)
        .order_by(Upload.id.desc())
        .limit(1)
    )
    if found is None:
        raise NotYourUpload(field)
    return found
