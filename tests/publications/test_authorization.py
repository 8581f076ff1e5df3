"""Who may do what in a publication, on every engine: every action, through the API and the
pages and odd spellings of their addresses, tried by the owner, an editor, a writer, a writer of
another publication, a plain reader and someone signed out. Every refusal leaves every row as
it was; every permitted action succeeds.
"""

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest

from tests.helpers import Writer, every_row, publish, sign_up
from tests.pages.helpers import browser, csrf_from, sign_in_on_site
from tests.publications.helpers import Masthead, masthead

ROLES = ("owner", "editor", "writer", "outsider", "reader", "anonymous")
# How the publication's address is written in a request: as it is, and in capitals.
SPELLINGS = ("plain", "capitals")


@dataclass(frozen=True)
class Scene:
    """A publication with someone in every role, and the means to reach it."""

    client: httpx.AsyncClient
    backend: Any
    team: Masthead
    newcomer: Writer
    slug: str
    # A story of each signed-in role's own, by username, for actions that need one.
    stories: dict[str, str]
    # A browser for each role, signed in on the site (None: signed out), for the pages.
    sites: dict[str | None, httpx.AsyncClient]
    # The slug of the writer's draft waiting for the editors, for actions that need one.
    submitted: str = ""
    # The slug of a series of the publication's, for actions on one.
    series: str = ""

    def path(self, template: str) -> str:
        return template.format(
            slug=self.slug,
            writer=self.team.writer.username,
            editor=self.team.editor.username,
            submitted=self.submitted,
            series=self.series,
        )


Send = Callable[[Scene, Writer | None], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Attempt:
    """One action, and the roles that may take it."""

    name: str
    allowed: frozenset[str]
    send: Send
    page: bool = False
    # Each signed-in role's own story, in this status, for actions on one.
    stories: str | None = None
    # The writer's draft, submitted to the publication, for decisions on it.
    submitted: bool = False
    # A series of the publication's, for actions on it.
    series: bool = False
    # Refusals other than 403, by role: a draft nobody else may see is not found.
    refusals: tuple[tuple[str, int], ...] = ()


def _headers(someone: Writer | None) -> dict[str, str]:
    return someone.headers if someone is not None else {}


def _api(
    name: str, allowed: set[str], method: str, path: str, json: Any = None, **options: Any
) -> Attempt:
    async def send(scene: Scene, someone: Writer | None) -> httpx.Response:
        body = json(scene) if callable(json) else json
        return await scene.client.request(
            method, scene.path(path), json=body, headers=_headers(someone)
        )

    return Attempt(name, frozenset(allowed), send, **options)


def _page(
    name: str, allowed: set[str], method: str, path: str, form: Any = None, **options: Any
) -> Attempt:
    async def send(scene: Scene, someone: Writer | None) -> httpx.Response:
        site = scene.sites[someone.username if someone is not None else None]
        if method == "GET":
            return await site.get(scene.path(path))
        token = csrf_from((await site.get("/signin" if someone is None else "/settings")).text)
        fields = form(scene) if callable(form) else (form or {})
        return await site.post(scene.path(path), data={"csrf_token": token, **fields})

    return Attempt(name, frozenset(allowed), send, page=True, **options)


async def _new_story_in(scene: Scene, someone: Writer | None) -> httpx.Response:
    article = {"title": "In it", "description": "d", "body": "b", "publication": scene.slug}
    return await scene.client.post(
        "/api/articles", json={"article": article}, headers=_headers(someone)
    )


async def _own_story_into(scene: Scene, someone: Writer | None) -> httpx.Response:
    if someone is None:
        return await _new_story_in(scene, someone)
    return await scene.client.put(
        f"/api/articles/{scene.stories[someone.username]}",
        json={"article": {"publication": scene.slug}},
        headers=someone.headers,
    )


async def _submit_own_draft(scene: Scene, someone: Writer | None) -> httpx.Response:
    slug = scene.stories[someone.username] if someone is not None else "anything"
    return await scene.client.post(
        f"/api/articles/{slug}/submission",
        json={"submission": {"publication": scene.slug}},
        headers=_headers(someone),
    )


def _invitation(role: str) -> Callable[[Scene], dict[str, Any]]:
    return lambda scene: {"invitation": {"username": scene.newcomer.username, "role": role}}


def _invite_form(role: str) -> Callable[[Scene], dict[str, str]]:
    return lambda scene: {"username": scene.newcomer.username, "role": role}


MANAGERS = {"owner", "editor"}
# Outside the publication, a draft submitted to it is not there to see.
UNSEEN = (("outsider", 404), ("reader", 404))
SETTINGS_FORM = {"name": "Taken over", "slug": "taken-over", "tagline": "", "description": ""}
ATTEMPTS = [
    _api(
        "api change",
        {"owner"},
        "PUT",
        "/api/publications/{slug}",
        {"publication": {"name": "Taken over"}},
    ),
    _api(
        "api invite writer",
        MANAGERS,
        "POST",
        "/api/publications/{slug}/invitations",
        _invitation("writer"),
    ),
    _api(
        "api invite editor",
        {"owner"},
        "POST",
        "/api/publications/{slug}/invitations",
        _invitation("editor"),
    ),
    _api(
        "api invite owner",
        {"owner"},
        "POST",
        "/api/publications/{slug}/invitations",
        _invitation("owner"),
    ),
    _api("api list invitations", MANAGERS, "GET", "/api/publications/{slug}/invitations"),
    _api(
        "api writer to editor",
        {"owner"},
        "PUT",
        "/api/publications/{slug}/members/{writer}",
        {"member": {"role": "editor"}},
    ),
    _api(
        "api editor to owner",
        {"owner"},
        "PUT",
        "/api/publications/{slug}/members/{editor}",
        {"member": {"role": "owner"}},
    ),
    _api(
        "api remove writer",
        {"owner", "editor", "writer"},
        "DELETE",
        "/api/publications/{slug}/members/{writer}",
    ),
    _api("api remove editor", MANAGERS, "DELETE", "/api/publications/{slug}/members/{editor}"),
    Attempt("api publish new story in it", frozenset(MANAGERS), _new_story_in),
    Attempt(
        "api move own story into it", frozenset(MANAGERS), _own_story_into, stories="published"
    ),
    Attempt(
        "api submit own draft",
        frozenset({"owner", "editor", "writer"}),
        _submit_own_draft,
        stories="draft",
    ),
    _api(
        "api publish the submission",
        MANAGERS,
        "PUT",
        "/api/articles/{submitted}",
        {"article": {"status": "published"}},
        submitted=True,
        refusals=(("writer", 409), *UNSEEN),
    ),
    _api(
        "api send the submission back",
        MANAGERS,
        "POST",
        "/api/articles/{submitted}/submission/return",
        {"submission": {"note": "Not for us."}},
        submitted=True,
        refusals=UNSEEN,
    ),
    _api(
        "api withdraw the submission",
        {"writer"},
        "DELETE",
        "/api/articles/{submitted}/submission",
        submitted=True,
        refusals=UNSEEN,
    ),
    _api("api list submissions", MANAGERS, "GET", "/api/publications/{slug}/submissions"),
    _page("page list submissions", MANAGERS, "GET", "/p/{slug}/submissions"),
    _api(
        "api start a series of it",
        MANAGERS,
        "POST",
        "/api/series",
        lambda scene: {"series": {"title": "Ours", "publication": scene.slug}},
    ),
    _api(
        "api rename its series",
        MANAGERS,
        "PUT",
        "/api/series/{series}",
        {"series": {"title": "Taken over"}},
        series=True,
    ),
    _api("api end its series", MANAGERS, "DELETE", "/api/series/{series}", series=True),
    _page("page arrange its series", MANAGERS, "GET", "/s/{series}/edit", series=True),
    _page(
        "page rename its series",
        MANAGERS,
        "POST",
        "/s/{series}/edit",
        {"intent": "save", "title": "Taken over", "description": ""},
        series=True,
    ),
    _page(
        "page publish the submission",
        MANAGERS,
        "POST",
        "/@{writer}/{submitted}/submission/publish",
        submitted=True,
        refusals=(("writer", 409), *UNSEEN),
    ),
    _page(
        "page send the submission back",
        MANAGERS,
        "POST",
        "/@{writer}/{submitted}/submission/return",
        {"note": "Not for us."},
        submitted=True,
        refusals=UNSEEN,
    ),
    _page("page open settings", {"owner"}, "GET", "/p/{slug}/settings"),
    _page("page save settings", {"owner"}, "POST", "/p/{slug}/settings", SETTINGS_FORM),
    _page("page open people", {"owner", "editor", "writer"}, "GET", "/p/{slug}/people"),
    _page("page invite writer", MANAGERS, "POST", "/p/{slug}/people", _invite_form("writer")),
    _page("page invite editor", {"owner"}, "POST", "/p/{slug}/people", _invite_form("editor")),
    _page(
        "page writer to editor",
        {"owner"},
        "POST",
        "/p/{slug}/people/{writer}/role",
        {"role": "editor"},
    ),
    _page(
        "page remove writer",
        {"owner", "editor", "writer"},
        "POST",
        "/p/{slug}/people/{writer}/remove",
    ),
    _page("page remove editor", MANAGERS, "POST", "/p/{slug}/people/{editor}/remove"),
]


def _refused_with(attempt: Attempt, role: str) -> int:
    """Signed out, the API asks for a token and the site for a sign-in; others are refused."""
    if role == "anonymous":
        return 303 if attempt.page else 401
    return dict(attempt.refusals).get(role, 403)


async def _scene(
    client, backend, stack: AsyncExitStack, attempt: Attempt, newcomer: Writer, name: str
) -> Scene:
    team = await masthead(client, name=name)
    stories = {}
    sites = {}
    for someone in team.by_role().values():
        if attempt.stories and someone is not None:
            story = await publish(client, someone, status=attempt.stories)
            stories[someone.username] = story["slug"]
        if attempt.page:
            site = await stack.enter_async_context(browser(backend))
            if someone is not None:
                signed_in = await sign_in_on_site(site, someone.email, someone.password)
                assert signed_in.status_code == 303
            sites[someone.username if someone is not None else None] = site
    submitted = ""
    if attempt.submitted:
        submitted = (await publish(client, team.writer, status="draft"))["slug"]
        offered = await client.post(
            f"/api/articles/{submitted}/submission",
            json={"submission": {"publication": team.slug}},
            headers=team.writer.headers,
        )
        assert offered.status_code == 201, offered.text
    series = ""
    if attempt.series:
        started = await client.post(
            "/api/series",
            json={"series": {"title": "Databases, slowly", "publication": team.slug}},
            headers=team.owner.headers,
        )
        assert started.status_code == 201, started.text
        series = started.json()["series"]["slug"]
    return Scene(client, backend, team, newcomer, team.slug, stories, sites, submitted, series)


def _spelled(scene: Scene, spelling: str) -> Scene:
    return replace(scene, slug=scene.slug.upper()) if spelling == "capitals" else scene


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda attempt: attempt.name)
async def test_only_the_roles_allowed_may_act(client, backend, attempt):
    newcomer = await sign_up(client)
    async with AsyncExitStack() as stack:
        scene = await _scene(client, backend, stack, attempt, newcomer, "Codeburst")
        before = await every_row(backend)
        for spelling in SPELLINGS:
            for role in ROLES:
                if role in attempt.allowed:
                    continue
                answer = await attempt.send(_spelled(scene, spelling), scene.team.by_role()[role])
                assert answer.status_code == _refused_with(attempt, role), (role, answer.text)
                if answer.status_code == 303:
                    assert answer.headers["location"].startswith("/signin")
                assert await every_row(backend) == before, f"refusing the {role} changed a row"

        first_spelling = ATTEMPTS.index(attempt)
        for number, role in enumerate(sorted(attempt.allowed)):
            # Each permitted action on a publication of its own (the one before changed its
            # own), the address written one way or the other in turn.
            scene = await _scene(client, backend, stack, attempt, newcomer, f"Codeburst {number}")
            spelling = SPELLINGS[(first_spelling + number) % len(SPELLINGS)]
            answer = await attempt.send(_spelled(scene, spelling), scene.team.by_role()[role])
            assert answer.status_code in (200, 201, 204, 303), (role, spelling, answer.text)
            if answer.status_code == 303:
                assert not answer.headers["location"].startswith("/signin"), role
