"""Where uploaded files are kept: a directory on this machine by default (the app serves it under
/media), or an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, Ceph…) when one is
configured, which readers then fetch from directly.

Files are written once under names made from their content and never changed, so both ask
every cache on the way to keep them for a year.
"""

import asyncio
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from broadsheet.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

IMMUTABLE = "public, max-age=31536000, immutable"


class Storage(Protocol):
    async def put(self, name: str, data: bytes, *, content_type: str) -> None:
        """Keep `data` under `name`, replacing nothing readers could tell apart."""
        ...

    def url(self, name: str) -> str:
        """The address readers fetch the file from."""
        ...

    def local_path(self, name: str) -> Path | None:
        """The file on this machine, when the app itself serves it."""
        ...


class LocalStorage:
    def __init__(self, root: Path, *, public_url: str) -> None:
        self.root = root
        self.public_url = public_url.rstrip("/")

    async def put(self, name: str, data: bytes, *, content_type: str) -> None:
        await asyncio.to_thread(self._write, name, data)

    def _write(self, name: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # Written aside and moved into place: a reader never gets half a file.
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".upload-", delete=False) as draft:
            draft.write(data)
        os.replace(draft.name, self.root / name)

    def url(self, name: str) -> str:
        return f"{self.public_url}/{name}"

    def local_path(self, name: str) -> Path | None:
        return self.root / name


class BucketStorage:
    """An S3-compatible bucket, through boto3 (its calls run in threads)."""

    def __init__(
        self,
        bucket: str,
        *,
        public_url: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        # boto3 takes a third of a second to import: only sites with a bucket pay for it.
        import boto3

        self.bucket = bucket
        self.public_url = public_url.rstrip("/")
        self._client: S3Client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
        )

    async def put(self, name: str, data: bytes, *, content_type: str) -> None:
        await asyncio.to_thread(
            self._client.put_object,
            Bucket=self.bucket,
            Key=name,
            Body=data,
            ContentType=content_type,
            CacheControl=IMMUTABLE,
        )

    def url(self, name: str) -> str:
        return f"{self.public_url}/{name}"

    def local_path(self, name: str) -> Path | None:
        return None


def storage(settings: Settings) -> Storage:
    """The configured storage: the bucket when one is named, else the local directory."""
    if settings.storage.bucket:
        return BucketStorage(
            settings.storage.bucket,
            public_url=settings.media_public_url,
            endpoint_url=settings.storage.endpoint_url,
            region=settings.storage.region,
            access_key_id=settings.storage.access_key_id,
            secret_access_key=settings.storage.secret_access_key,
        )
    return LocalStorage(settings.storage.directory, public_url=settings.media_public_url)
