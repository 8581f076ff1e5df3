"""Publications made through the API, with members in each role."""

from dataclasses import dataclass
from typing import Any

import httpx

from tests.helpers import Writer, sign_up


async def found(client: httpx.AsyncClient, owner: Writer, **fields: Any) -> dict[str, Any]:
    """Start a publication owned by `owner`."""
    publication = {"name": "Codeburst", "tagline": "Bursts of code to power through your day"}
    publication.update(fields)
    response = await client.post(
        "/api/publications", json={"publication": publication}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()["publication"]
    return result


async def join(
    client: httpx.AsyncClient, slug: str, member: Writer, role: str, *, by: Writer
) -> None:
    """Invite `member` into `role`, and have them accept."""
    invited = await client.post(
        f"/api/publications/{slug}/invitations",
        json={"invitation": {"username": member.username, "role": role}},
        headers=by.headers,
    )
    assert invited.status_code == 201, invited.text
    accepted = await client.post(f"/api/publications/{slug}/invitation", headers=member.headers)
    assert accepted.status_code == 200, accepted.text


@dataclass(frozen=True)
class Masthead:
    """A publication with someone in every role, a writer of another publication, a reader."""

    slug: str
    owner: Writer
    editor: Writer
    writer: Writer
    outsider: Writer
    reader: Writer

    def by_role(self) -> dict[str, Writer | None]:
        return {
            "owner": self.owner,
            "editor": self.editor,
            "writer": self.writer,
            "outsider": self.outsider,
            "reader": self.reader,
            "anonymous": None,
        }


async def masthead(client: httpx.AsyncClient, name: str = "Codeburst") -> Masthead:
    owner, editor, writer, outsider, reader = [await sign_up(client) for _ in range(5)]
    slug = (await found(client, owner, name=name))["slug"]
    await join(client, slug, editor, "editor", by=owner)
    await join(client, slug, writer, "writer", by=editor)
    elsewhere = (await found(client, outsider, name=f"Elsewhere than {name}"))["slug"]
    assert elsewhere != slug
    return Masthead(slug, owner, editor, writer, outsider, reader)
