"""Where uploads are kept: the local directory, and an S3-compatible bucket (a real S3 API
server on this machine, moto's), through the same upload as readers' pictures take."""

import asyncio
import json

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from broadsheet.settings import Settings
from broadsheet.storage import IMMUTABLE, BucketStorage, LocalStorage, storage
from tests.helpers import own_app, sign_up
from tests.media.pictures import photo, upload

BUCKET = "broadsheet-media"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}
CREDENTIALS = {"access_key_id": "testing", "secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=BUCKET)
    # Readers fetch pictures from the bucket without credentials, as the README asks.
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    yield endpoint
    server.stop()


async def test_the_local_directory_keeps_files_whole_under_their_names(tmp_path):
    local = LocalStorage(tmp_path / "media", public_url="https://news.example/media/")

    await asyncio.gather(
        *(local.put("a.webp", bytes([n]) * 100_000, content_type="image/webp") for n in range(8))
    )

    kept = (tmp_path / "media" / "a.webp").read_bytes()
    assert len(set(kept)) == 1
    assert len(kept) == 100_000
    assert local.url("a.webp") == "https://news.example/media/a.webp"
    assert local.local_path("a.webp") == tmp_path / "media" / "a.webp"
    assert [path.name for path in (tmp_path / "media").iterdir()] == ["a.webp"]


def test_a_bucket_is_used_when_one_is_named(s3_endpoint):
    chosen = storage(
        Settings(storage={"bucket": BUCKET, "endpoint_url": s3_endpoint, **CREDENTIALS})
    )

    assert isinstance(chosen, BucketStorage)
    assert chosen.url("x.jpg") == f"{s3_endpoint}/{BUCKET}/x.jpg"
    assert isinstance(storage(Settings()), LocalStorage)


def test_readers_fetch_from_the_bucket_or_the_cdn_in_front_of_it():
    assert Settings(storage={"bucket": "pics"}).media_public_url == "https://pics.s3.amazonaws.com"
    cdn = Settings(storage={"bucket": "pics", "public_url": "https://cdn.example/pics/"})
    assert cdn.media_public_url == "https://cdn.example/pics"
    assert Settings(base_url="https://news.example").media_public_url == (
        "https://news.example/media"
    )


async def test_an_upload_lands_in_the_bucket_with_its_type_and_a_year_long_cache(
    backend, s3_endpoint
):
    async with own_app(
        backend, storage={"bucket": BUCKET, "endpoint_url": s3_endpoint, **CREDENTIALS}
    ) as (_app, client):
        writer = await sign_up(client)
        picture = (await upload(client, writer, photo(900, 600))).json()["upload"]
        not_served_here = await client.get(f"/media/{picture['url'].rpartition('/')[2]}")

    async with httpx.AsyncClient() as reader:
        jpeg = await reader.get(picture["url"])
        webp = await reader.get(picture["srcset"].split()[0])

    assert picture["url"].startswith(f"{s3_endpoint}/{BUCKET}/")
    assert jpeg.status_code == webp.status_code == 200
    assert jpeg.headers["content-type"] == "image/jpeg"
    assert jpeg.content[:2] == b"\xff\xd8"
    assert webp.headers["content-type"] == "image/webp"
    assert jpeg.headers["cache-control"] == IMMUTABLE
    assert not_served_here.status_code == 404
