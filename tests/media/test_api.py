"""Uploading pictures through the API, on every engine: what is stored and served, what is
refused and why, and covers."""

import json
import re

from sqlalchemy import func, select

from broadsheet.db import session_scope
from broadsheet.media.models import Upload
from tests.helpers import own_app, publish, sign_up
from tests.media.pictures import photo, upload


async def uploads_stored(backend) -> int:
    async with session_scope(backend.database) as session:
        return await session.scalar(select(func.count()).select_from(Upload)) or 0


async def test_an_upload_answers_where_each_file_is_and_the_markdown_that_shows_it(client):
    writer = await sign_up(client)

    response = await upload(client, writer, photo(1800, 1200), alt="Gulls over [the] pier")

    assert response.status_code == 201, response.text
    picture = response.json()["upload"]
    assert re.fullmatch(r"http://testserver/media/[0-9a-f]{32}-1800x1200\.jpg", picture["url"])
    assert (picture["width"], picture["height"]) == (1800, 1200)
    assert picture["alt"] == "Gulls over [the] pier"
    assert picture["markdown"] == f"![Gulls over \\[the\\] pier]({picture['url']})"
    widths = [int(w) for w in re.findall(r" (\d+)w", picture["srcset"])]
    assert widths == [480, 800, 1200, 1600, 1800]


async def test_the_stored_files_are_served_with_their_type_and_a_year_long_cache(client):
    writer = await sign_up(client)
    picture = (await upload(client, writer)).json()["upload"]
    webp = picture["srcset"].split(",")[0].split()[0]

    jpeg = await client.get(picture["url"])
    smallest = await client.get(webp)

    assert jpeg.status_code == 200
    assert smallest.status_code == 200
    assert jpeg.headers["content-type"] == "image/jpeg"
    assert smallest.headers["content-type"] == "image/webp"
    assert jpeg.content[:2] == b"\xff\xd8"
    assert smallest.content[8:12] == b"WEBP"
    assert jpeg.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert jpeg.headers["x-content-type-options"] == "nosniff"


async def test_names_that_are_not_stored_files_are_not_found(client):
    for name in ("nothing.jpg", "..%2Fsecret_key", f"{'a' * 32}-480.webp", "%2e%2e"):
        response = await client.get(f"/media/{name}")
        assert response.status_code == 404, name


async def test_uploading_needs_a_signed_in_writer(client):
    response = await client.post("/api/uploads", files={"file": ("a.jpg", photo(), "image/jpeg")})

    assert response.status_code == 401


async def test_what_is_not_a_picture_is_refused_by_its_content_whatever_its_name(client, backend):
    writer = await sign_up(client)

    response = await upload(client, writer, b"%PDF-1.7\n%fake", filename="holiday.jpg")

    assert response.status_code == 422
    assert response.json() == {"errors": {"file": ["is not a JPEG, PNG, GIF or WebP picture"]}}
    assert await uploads_stored(backend) == 0


async def test_a_picture_needs_words_for_readers_who_cannot_see_it(client, backend):
    writer = await sign_up(client)

    blank = await upload(client, writer, alt="   ")
    unstorable = await upload(client, writer, alt="a\x00b")
    missing = await client.post(
        "/api/uploads", headers=writer.headers, files={"file": ("a.jpg", photo(), "image/jpeg")}
    )

    assert blank.status_code == missing.status_code == unstorable.status_code == 422
    assert blank.json()["errors"]["alt"] == [
        "can't be blank: describe the picture for readers who cannot see it"
    ]
    assert missing.json() == blank.json()
    assert "cannot be stored" in unstorable.json()["errors"]["alt"][0]
    assert await uploads_stored(backend) == 0


async def test_a_file_sent_without_the_file_field_is_named_as_missing(client):
    writer = await sign_up(client)

    response = await client.post("/api/uploads", headers=writer.headers, data={"alt": "x"})

    assert response.status_code == 422
    assert response.json()["errors"]["file"] == ["can't be blank"]


async def test_a_picture_too_large_is_refused_with_413_and_the_limit(backend):
    async with own_app(backend, upload={"max_bytes": 100_000, "max_body_bytes": 300_000}) as (
        _app,
        client,
    ):
        writer = await sign_up(client)
        large = photo(2400, 1600) + b"\0" * 150_000  # a JPEG ignores bytes after its end

        over_file_limit = await upload(client, writer, large)
        over_body_limit = await upload(client, writer, large + b"\0" * 200_000)

    assert over_file_limit.status_code == 413
    assert over_file_limit.json() == {"errors": {"file": ["is larger than 0.0953674 MB"]}}
    assert over_body_limit.status_code == 413
    assert over_body_limit.json()["errors"]["body"] == ["request body is larger than 300000 bytes"]


async def test_uploads_have_a_larger_body_limit_than_the_rest_of_the_api(backend):
    async with own_app(backend, max_body_bytes=50_000) as (_app, client):
        writer = await sign_up(client)
        picture = photo(1600, 1200) + b"\0" * 60_000

        uploaded = await upload(client, writer, picture)
        story = await client.post(
            "/api/articles",
            headers=writer.headers,
            files={"file": ("a.jpg", picture, "image/jpeg")},
        )

    assert uploaded.status_code == 201
    assert story.status_code == 413


async def test_a_writer_uploads_at_most_so_many_pictures_an_hour(backend):
    async with own_app(backend, limits={"upload_per_account": "2/hour"}) as (_app, client):
        writer = await sign_up(client)
        other = await sign_up(client)

        answers = [await upload(client, writer) for _ in range(3)]
        others = await upload(client, other)

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[2].json()["errors"]["uploads"][0].startswith("too many uploads; please try")
    assert int(answers[2].headers["retry-after"]) > 0
    assert others.status_code == 201


async def test_two_uploads_of_one_picture_share_its_files_but_keep_their_own_words(client):
    writer = await sign_up(client)

    first = (await upload(client, writer, photo(), alt="Before")).json()["upload"]
    second = (await upload(client, writer, photo(), alt="After")).json()["upload"]

    assert first["url"] == second["url"]
    assert (first["alt"], second["alt"]) == ("Before", "After")


# -- Covers ---------------------------------------------------------------------------------


async def test_a_story_shows_its_cover_in_the_api_the_lists_and_link_previews(client):
    writer = await sign_up(client)
    picture = (await upload(client, writer, alt="The pier at low tide")).json()["upload"]

    story = await publish(client, writer, coverImage=picture["url"], tagList=["sea"])
    listed = (await client.get("/api/articles")).json()["articles"][0]
    page = (await client.get(f"/@{writer.username}/{story['slug']}")).text
    home = (await client.get("/")).text

    cover = {key: picture[key] for key in ("url", "alt", "width", "height", "srcset")}
    assert story["coverImage"] == cover
    assert listed["coverImage"] == cover
    assert f'<meta property="og:image" content="{picture["url"]}">' in page
    assert '<meta property="og:image:alt" content="The pier at low tide">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert f'<meta name="twitter:image" content="{picture["url"]}">' in page
    ld = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["image"] == [picture["url"]]
    assert 'class="story-cover"' in page
    assert f'srcset="{picture["srcset"]}" sizes="(min-width: 720px) 160px, 100px"' in home
    assert '<img class="card-cover"' in home


async def test_a_story_without_a_cover_has_a_small_link_preview(client):
    writer = await sign_up(client)

    story = await publish(client, writer)
    page = (await client.get(f"/@{writer.username}/{story['slug']}")).text

    assert story["coverImage"] is None
    assert '<meta name="twitter:card" content="summary">' in page
    assert "og:image" not in page


async def test_the_cover_must_be_a_picture_the_writer_uploaded(client):
    writer = await sign_up(client)
    other = await sign_up(client)
    theirs = (await upload(client, other)).json()["upload"]["url"]
    article = {"title": "T", "description": "D", "body": "B"}

    for url in (theirs, "https://elsewhere.example/cat.jpg"):
        response = await client.post(
            "/api/articles",
            headers=writer.headers,
            json={"article": {**article, "coverImage": url}},
        )
        assert response.status_code == 422
        assert response.json() == {
            "errors": {"coverImage": ["must be the address of a picture you uploaded"]}
        }


async def test_an_empty_cover_takes_it_away_and_a_missing_one_leaves_it(client):
    writer = await sign_up(client)
    picture = (await upload(client, writer)).json()["upload"]
    story = await publish(client, writer, coverImage=picture["url"])
    path = f"/api/articles/{story['slug']}"

    kept = await client.put(path, headers=writer.headers, json={"article": {"body": "New"}})
    removed = await client.put(path, headers=writer.headers, json={"article": {"coverImage": ""}})

    assert kept.json()["article"]["coverImage"]["url"] == picture["url"]
    assert removed.json()["article"]["coverImage"] is None


async def test_an_uploaded_picture_in_a_story_is_offered_in_each_width(client):
    writer = await sign_up(client)
    picture = (await upload(client, writer, photo(1800, 1200))).json()["upload"]
    body = f"Before.\n\n{picture['markdown']}{{.wide}}\n\nAfter."

    story = await publish(client, writer, body=body)
    page = (await client.get(f"/@{writer.username}/{story['slug']}")).text

    assert (
        f'<figure class="wide"><img src="{picture["url"]}" alt="A red field at dusk" '
        f'srcset="{picture["srcset"]}" sizes="(min-width: 1120px) 1080px, 100vw" '
        'width="1800" height="1200" loading="lazy"></figure>'
    ) in page


async def test_broken_multipart_data_is_invalid_input(client):
    writer = await sign_up(client)

    response = await client.post(
        "/api/uploads",
        headers={**writer.headers, "Content-Type": "multipart/form-data; boundary=edge"},
        content=b"--edge\r\nNone--edge--\r\n",
    )

    assert response.status_code == 422
    assert response.json() == {"errors": {"body": ["is not valid multipart form data"]}}
