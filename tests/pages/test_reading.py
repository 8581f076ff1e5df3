"""The pages readers see: the front page, story pages, tags, and what search engines read."""

import json
import re
from datetime import timedelta

from sqlalchemy import update

from broadsheet.articles.models import Article
from broadsheet.db import session_scope
from broadsheet.lib.clock import utcnow
from tests.helpers import publish, sign_up
from tests.pages.helpers import (
    SITE,
    browser,
    elements,
    meta,
    sign_in_on_site,
    sign_up_on_site,
    text_of,
)

PAYLOAD = "<script>alert(1)</script>"
ESCAPED_PAYLOAD = "&lt;script&gt;alert(1)&lt;/script&gt;"
TAG_PAYLOAD = "<img src=x onerror=alert(1)>"
ESCAPED_TAG_PAYLOAD = "&lt;img src=x onerror=alert(1)&gt;"
MARKDOWN = """\
## Rising times

- first the starter
- then the dough

> Patience is an ingredient.

```python
def proof(hours):
    return hours * 2
```

![A loaf of rye](https://example.com/rye.png)

See [the recipe](https://example.com/recipe).

| Flour | Grams |
|-------|-------|
| Rye   | 500   |
"""


def story_cards(html: str) -> list[str]:
    """The story cards of a list page, as HTML fragments."""
    if '<ul class="story-list">' not in html:
        return []
    listing = html.split('<ul class="story-list">', 1)[1].split("</section>", 1)[0]
    return listing.split('<li class="story-card">')[1:]


def prose(html: str) -> str:
    """The rendered body of a story page."""
    return html.split('<div class="prose">', 1)[1].split('<footer class="story-footer">', 1)[0]


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD on the page"
    return json.loads(found.group(1))


async def backdate(backend, slug: str, days: int) -> None:
    """Pretend the story was published (and last changed) `days` ago."""
    moment = utcnow() - timedelta(days=days)
    async with session_scope(backend.database) as session:
        await session.execute(
            update(Article)
            .where(Article.slug == slug)
            .values(created_at=moment, published_at=moment, updated_at=moment)
        )


async def test_front_page_shows_a_card_per_story(client):
    alice = await sign_up(client, "alice")
    story = await publish(
        client,
        alice,
        title="Rye, slowly",
        description="A loaf that takes two days",
        body="word " * 300,
        tagList=["bread", "baking"],
    )
    await client.post(
        f"/api/articles/{story['slug']}/favorite", headers=(await sign_up(client)).headers
    )

    response = await client.get("/")

    assert response.status_code == 200
    [card] = story_cards(response.text)
    assert elements(card, "a", href=f"/@alice/{story['slug']}")[0]["text"] == "Rye, slowly"
    assert elements(card, "a", href="/@alice")[0]["text"] == "alice"
    [avatar] = [span for span in elements(card, "span") if "avatar" in span.get("class", "")]
    assert avatar["text"] == "A"
    assert elements(card, "p", class_="subtitle")[0]["text"] == "A loaf that takes two days"
    assert elements(card, "time")[0]["datetime"] == story["createdAt"]
    card_text = text_of(card)
    assert "2 min read" in card_text
    # Seen as a heart and a number, spoken as words.
    assert "♥ 1" in [span["text"] for span in elements(card, "span", aria_hidden="true")]
    assert "1 favorite" in [
        span["text"] for span in elements(card, "span", class_="visually-hidden")
    ]
    tag_links = sorted(link["href"] for link in elements(card, "a", class_="tag"))
    assert tag_links == ["/tag/baking", "/tag/bread"]


async def test_front_page_shows_ten_stories_a_page_newest_first(client):
    alice = await sign_up(client, "alice")
    for number in range(12):
        await publish(client, alice, title=f"Number {number}")

    first = await client.get("/")
    second = await client.get("/", params={"page": 2})

    assert len(story_cards(first.text)) == 10
    assert "Number 11" in text_of(story_cards(first.text)[0])
    assert "Number 2" in text_of(story_cards(first.text)[-1])
    assert elements(first.text, "a", rel="next")[0]["href"] == "/?page=2"
    assert not elements(first.text, "a", rel="prev")
    assert len(story_cards(second.text)) == 2
    assert "Number 0" in text_of(story_cards(second.text)[-1])
    assert elements(second.text, "a", rel="prev")[0]["href"] == "/?page=1"
    assert not elements(second.text, "a", rel="next")


async def test_front_page_lists_popular_topics(client):
    alice = await sign_up(client, "alice")
    await publish(client, alice, tagList=["bread"])
    await publish(client, alice, tagList=["bread", "maps"])

    response = await client.get("/")

    sidebar = response.text.split('<aside class="sidebar"', 1)[1].split("</aside>", 1)[0]
    assert "Popular topics" in sidebar
    assert [link["text"] for link in elements(sidebar, "a")] == ["bread", "maps"]


async def test_empty_front_page_invites_writers(client):
    response = await client.get("/")

    assert response.status_code == 200
    assert "No stories yet." in text_of(response.text)


async def test_story_published_through_the_api_is_on_the_site(client):
    alice = await sign_up(client, "alice")
    story = await publish(client, alice, title="Written elsewhere")
    await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {"body": "Posted by an app"}},
        headers=alice.headers,
    )

    home = await client.get("/")
    page = await client.get(f"/@alice/{story['slug']}")

    assert "Written elsewhere" in text_of(home.text)
    assert "Responses (1)" in text_of(page.text)
    assert "Posted by an app" in text_of(page.text)


async def test_story_page_shows_title_author_and_body(client):
    alice = await sign_up(client, "alice")
    story = await publish(
        client,
        alice,
        title="Rye, slowly",
        description="A loaf that takes two days",
        body="First *paragraph*.",
        tagList=["bread"],
    )

    response = await client.get(f"/@alice/{story['slug']}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert elements(response.text, "h1")[0]["text"] == "Rye, slowly"
    assert elements(response.text, "p", class_="subtitle")[0]["text"] == (
        "A loaf that takes two days"
    )
    assert elements(response.text, "a", rel="author")[0]["text"] == "alice"
    assert "<p>First <em>paragraph</em>.</p>" in prose(response.text)
    page_text = text_of(response.text)
    assert "1 min read" in page_text
    assert "Written by alice" in page_text
    assert "Responses (0)" in page_text
    assert "Updated" not in page_text
    assert elements(response.text, "a", class_="tag")[0]["href"] == "/tag/bread"


async def test_anonymous_reader_is_asked_to_sign_in_to_respond_or_favorite(client):
    story = await publish(client, await sign_up(client, "alice"))
    path = f"/@alice/{story['slug']}"

    response = await client.get(path)

    next_query = f"/signin?next=/%40alice/{story['slug']}"
    assert "Sign in to respond." in text_of(response.text)
    assert "Sign in" in [link["text"] for link in elements(response.text, "a", href=next_query)]
    favorite = [link for link in elements(response.text, "a") if "Favorite" in link["text"]]
    assert [link["href"] for link in favorite] == [next_query]
    assert favorite[0]["text"] == "♡ Favorite · 0Favorite, 0 favorites"
    assert not elements(response.text, "textarea")
    assert "Edit story" not in response.text


async def test_only_the_author_sees_edit_and_delete_links(client, backend):
    alice = await sign_up(client, "alice")
    story = await publish(client, alice)
    path = f"/@alice/{story['slug']}"
    await sign_in_on_site(client, alice.email, alice.password)

    own = await client.get(path)
    async with browser(backend) as other:
        await sign_up_on_site(other, "bob")
        theirs = await other.get(path)

    assert elements(own.text, "a", href=f"{path}/edit")[0]["text"] == "Edit story"
    assert elements(own.text, "a", href=f"{path}/delete")[0]["text"] == "Delete"
    assert theirs.status_code == 200
    assert not elements(theirs.text, "a", href=f"{path}/edit")
    assert not elements(theirs.text, "a", href=f"{path}/delete")


async def test_reading_time_counts_words_at_238_a_minute(client):
    alice = await sign_up(client, "alice")
    short = await publish(client, alice, body="word " * 238)
    longer = await publish(client, alice, body="word " * 477)

    short_page = await client.get(f"/@alice/{short['slug']}")
    longer_page = await client.get(f"/@alice/{longer['slug']}")

    assert "1 min read" in text_of(short_page.text)
    assert "3 min read" in text_of(longer_page.text)


async def test_reading_time_follows_an_edit_of_the_body(client):
    alice = await sign_up(client, "alice")
    story = await publish(client, alice, body="word " * 10)

    await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"body": "word " * 1000}},
        headers=alice.headers,
    )

    assert "5 min read" in text_of((await client.get(f"/@alice/{story['slug']}")).text)


async def test_updated_date_appears_only_after_an_edit(client, backend):
    alice = await sign_up(client, "alice")
    reader = await sign_up(client, "bob")
    story = await publish(client, alice)
    await backdate(backend, story["slug"], days=3)
    path = f"/@alice/{story['slug']}"
    await client.post(f"/api/articles/{story['slug']}/favorite", headers=reader.headers)
    await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {"body": "Nice"}},
        headers=reader.headers,
    )
    assert "Updated" not in text_of((await client.get(path)).text)

    await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"body": "A corrected body."}},
        headers=alice.headers,
    )

    edited = await client.get(path)
    assert "Updated" in text_of(edited.text)
    [published, updated] = elements(edited.text, "time")[:2]
    assert published["datetime"] < updated["datetime"]


async def test_old_slug_redirects_permanently_after_a_title_change(client):
    alice = await sign_up(client, "alice")
    story = await publish(client, alice, title="First title")
    renamed = await client.put(
        f"/api/articles/{story['slug']}",
        json={"article": {"title": "Second title"}},
        headers=alice.headers,
    )
    again = await client.put(
        f"/api/articles/{renamed.json()['article']['slug']}",
        json={"article": {"title": "Third title"}},
        headers=alice.headers,
    )
    current = again.json()["article"]["slug"]
    assert current != story["slug"]

    for old in (story["slug"], renamed.json()["article"]["slug"]):
        response = await client.get(f"/@alice/{old}")
        assert response.status_code == 301
        assert response.headers["location"] == f"/@alice/{current}"
    assert (await client.get(f"/@alice/{current}")).status_code == 200


async def test_wrong_case_username_redirects_permanently_to_the_story(client):
    story = await publish(client, await sign_up(client, "Alice"))

    response = await client.get(f"/@alice/{story['slug']}")

    assert response.status_code == 301
    assert response.headers["location"] == f"/@Alice/{story['slug']}"


async def test_unknown_story_and_page_get_a_friendly_404(client):
    await sign_up(client, "alice")

    for path in ("/@alice/no-such-story", "/@nobody/no-such-story", "/no/such/page"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "We couldn't find that page" in text_of(response.text)
        assert elements(response.text, "a", href="/")


async def test_signed_in_reader_gets_a_friendly_404_too(client):
    await sign_up_on_site(client, "alice")

    response = await client.get("/@alice/no-such-story")

    assert response.status_code == 404
    assert "We couldn't find that page" in text_of(response.text)
    assert "Sign out" in response.text


async def test_markdown_is_rendered_with_headings_lists_quotes_code_images_links_tables(client):
    story = await publish(client, await sign_up(client, "alice"), body=MARKDOWN)

    body = prose((await client.get(f"/@alice/{story['slug']}")).text)

    assert '<h2 id="rising-times">Rising times</h2>' in body
    assert [item["text"] for item in elements(body, "li")] == [
        "first the starter",
        "then the dough",
    ]
    assert "Patience is an ingredient." in elements(body, "blockquote")[0]["text"]
    assert '<span class="k">def</span>' in body
    assert '<span class="nf">proof</span>' in body
    assert elements(body, "img", src="https://example.com/rye.png")[0]["alt"] == "A loaf of rye"
    [link] = elements(body, "a", href="https://example.com/recipe")
    assert link["text"] == "the recipe"
    assert link["rel"] == "nofollow ugc noopener"
    assert [cell["text"] for cell in elements(body, "th")] == ["Flour", "Grams"]
    assert [cell["text"] for cell in elements(body, "td")] == ["Rye", "500"]


async def test_dangerous_markdown_never_reaches_the_page(client):
    body = (
        "<script>alert('body')</script>\n\n"
        '<img src="https://example.com/x.png" onerror="alert(2)">\n\n'
        "[click](javascript:alert(3)) and [data](data:text/html;base64,PHNjcmlwdD4=)\n\n"
        '<a href="https://example.com" onclick="alert(4)" style="color:red">styled</a>\n\n'
        '<iframe src="https://evil.example"></iframe>\n'
    )
    story = await publish(client, await sign_up(client, "alice"), body=body)

    rendered = prose((await client.get(f"/@alice/{story['slug']}")).text)

    assert "<script" not in rendered
    assert "onerror" not in rendered
    assert "onclick" not in rendered
    assert "<iframe" not in rendered
    assert "style=" not in rendered
    urls = [link.get("href", "") for link in elements(rendered, "a")]
    urls += [image.get("src", "") for image in elements(rendered, "img")]
    assert sorted(urls) == ["https://example.com", "https://example.com/x.png"]


async def test_story_head_carries_description_canonical_and_open_graph(client):
    story = await publish(
        client,
        await sign_up(client, "alice"),
        title="Rye, slowly",
        description="A loaf that takes two days",
    )
    url = f"{SITE}/@alice/{story['slug']}"

    html = (await client.get(f"/@alice/{story['slug']}?utm_source=feed")).text

    assert elements(html, "title")[0]["text"] == "Rye, slowly · Broadsheet"
    assert meta(html, "description") == "A loaf that takes two days"
    assert elements(html, "link", rel="canonical")[0]["href"] == url
    assert meta(html, "og:title") == "Rye, slowly"
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:url") == url
    assert meta(html, "og:description") == "A loaf that takes two days"
    assert meta(html, "twitter:card") in ("summary", "summary_large_image")
    feeds = elements(html, "link", rel="alternate", type="application/atom+xml")
    assert "/@alice/feed.atom" in [feed["href"] for feed in feeds]


async def test_story_carries_an_article_in_json_ld(client):
    story = await publish(
        client,
        await sign_up(client, "alice"),
        title="Rye, slowly",
        description="A loaf that takes two days",
        tagList=["bread"],
    )

    data = json_ld((await client.get(f"/@alice/{story['slug']}")).text)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Article"
    assert data["headline"] == "Rye, slowly"
    assert data["description"] == "A loaf that takes two days"
    assert data["author"]["name"] == "alice"
    assert data["author"]["url"] == f"{SITE}/@alice"
    assert data["mainEntityOfPage"] == f"{SITE}/@alice/{story['slug']}"
    assert data["datePublished"]
    assert data["dateModified"]


async def test_front_page_head_has_description_canonical_and_feed(client):
    html = (await client.get("/?page=1")).text

    assert elements(html, "title")[0]["text"] == "Broadsheet"
    assert meta(html, "description")
    assert elements(html, "link", rel="canonical")[0]["href"] == f"{SITE}/"
    assert meta(html, "og:type") == "website"
    feeds = elements(html, "link", rel="alternate", type="application/atom+xml")
    assert [feed["href"] for feed in feeds] == ["/feed.atom"]


async def test_tag_page_lists_only_stories_with_the_tag(client):
    alice = await sign_up(client, "alice")
    await publish(client, alice, title="About bread", tagList=["bread"])
    await publish(client, alice, title="About maps", tagList=["maps"])

    response = await client.get("/tag/bread")

    assert response.status_code == 200
    titles = [text_of(card) for card in story_cards(response.text)]
    assert len(titles) == 1
    assert "About bread" in titles[0]
    feeds = elements(response.text, "link", rel="alternate", type="application/atom+xml")
    assert "/tag/bread/feed.atom" in [feed["href"] for feed in feeds]


async def test_script_in_title_subtitle_and_tags_is_shown_as_text(client):
    story = await publish(
        client,
        await sign_up(client, "alice"),
        title=f"{PAYLOAD} title",
        description=f"{PAYLOAD} subtitle",
        tagList=[TAG_PAYLOAD],
    )

    pages = [
        await client.get("/"),
        await client.get(f"/@alice/{story['slug']}"),
        await client.get("/@alice"),
        await client.get(f"/tag/{TAG_PAYLOAD}"),
    ]

    for response in pages:
        assert response.status_code == 200, response.url
        assert "<script>alert" not in response.text, response.url
        assert "<img" not in response.text, response.url
        assert ESCAPED_TAG_PAYLOAD in response.text, response.url
    for response in pages[:3]:
        assert f"{ESCAPED_PAYLOAD} title" in response.text, response.url
    assert meta(pages[1].text, "og:title") == f"{PAYLOAD} title"
    assert meta(pages[1].text, "description") == f"{PAYLOAD} subtitle"
    data = json_ld(pages[1].text)
    assert data["headline"] == f"{PAYLOAD} title"
    assert data["keywords"] == [TAG_PAYLOAD]


async def test_tag_with_a_slash_links_to_its_own_page(client):
    story = await publish(
        client, await sign_up(client, "alice"), title="Pipelines", tagList=["ci/cd"]
    )

    page = await client.get(f"/@alice/{story['slug']}")
    [tag_link] = elements(page.text, "a", class_="tag")
    tag_page = await client.get(tag_link["href"])

    assert tag_link["text"] == "ci/cd"
    assert tag_page.status_code == 200, tag_link["href"]
    assert "Pipelines" in text_of(tag_page.text)
    [feed_link] = elements(tag_page.text, "link", title="Broadsheet: stories about ci/cd")
    feed = await client.get(feed_link["href"])
    assert feed.status_code == 200, feed_link["href"]
    assert "Pipelines" in feed.text


async def test_every_tag_link_opens_its_tag_page_and_feed(client):
    tags = ["ci/cd", "two words", "50%", "c#", "why?", "a&b"]
    story = await publish(client, await sign_up(client, "alice"), title="Tagged", tagList=tags)

    page = await client.get(f"/@alice/{story['slug']}")
    links = {link["text"]: link["href"] for link in elements(page.text, "a", class_="tag")}

    assert sorted(links) == sorted(tags)
    for tag, href in links.items():
        tag_page = await client.get(href)
        assert tag_page.status_code == 200, (tag, href)
        assert "Tagged" in text_of(tag_page.text), (tag, href)
        feed = await client.get(f"{href}/feed.atom")
        assert feed.status_code == 200, (tag, href)
        assert "Tagged" in feed.text, (tag, href)


async def test_a_tag_with_a_line_break_is_refused(client):
    author = await sign_up(client, "alice")
    article = {"title": "T", "description": "D", "body": "B", "tagList": ["first\nsecond"]}
    response = await client.post("/api/articles", json={"article": article}, headers=author.headers)
    assert response.status_code == 422
    assert "tagList.0" in response.json()["errors"]


async def test_script_in_bio_and_response_is_shown_as_text(client):
    alice = await sign_up(client, "alice")
    await client.put("/api/user", json={"user": {"bio": f"{PAYLOAD} bio"}}, headers=alice.headers)
    story = await publish(client, alice)
    await client.post(
        f"/api/articles/{story['slug']}/comments",
        json={"comment": {"body": f"{PAYLOAD} response"}},
        headers=alice.headers,
    )

    story_page = await client.get(f"/@alice/{story['slug']}")
    profile = await client.get("/@alice")

    for response in (story_page, profile):
        assert "<script>alert" not in response.text
        assert f"{ESCAPED_PAYLOAD} bio" in response.text
    assert f"{ESCAPED_PAYLOAD} response" in story_page.text


async def test_json_ld_cannot_be_closed_by_a_title(client):
    title = "</script><script>alert(1)</script>"
    story = await publish(client, await sign_up(client, "alice"), title=title)

    html = (await client.get(f"/@alice/{story['slug']}")).text

    assert "<script>alert" not in html
    assert json_ld(html)["headline"] == title
