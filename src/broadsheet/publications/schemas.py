"""Request and response shapes for publications, their members and invitations."""

from typing import Annotated

from pydantic import AfterValidator, Field, HttpUrl, StringConstraints

from broadsheet.accounts.models import USERNAME_MAX_LENGTH
from broadsheet.accounts.schemas import ProfileOut
from broadsheet.media.models import URL_MAX_LENGTH
from broadsheet.media.schemas import PictureOut
from broadsheet.publications.models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_LINKS,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PUBLICATION_SLUG_MAX_LENGTH,
    PUBLICATION_SLUG_MIN_LENGTH,
    SERIES_DESCRIPTION_MAX_LENGTH,
    SERIES_TITLE_MAX_LENGTH,
    TAGLINE_MAX_LENGTH,
    Outcome,
    Role,
)
from broadsheet.schemas import NOT_BLANK, Schema, Timestamp

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX_LENGTH),
    NOT_BLANK,
]
PublicationSlug = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=PUBLICATION_SLUG_MIN_LENGTH,
        max_length=PUBLICATION_SLUG_MAX_LENGTH,
        pattern=SLUG_PATTERN,
    ),
    Field(
        description="Its address, /p/{slug}: lower-case letters, digits and inner hyphens; "
        "made from the name when left out. An old address redirects to a new one."
    ),
]
Tagline = Annotated[str, StringConstraints(strip_whitespace=True, max_length=TAGLINE_MAX_LENGTH)]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX_LENGTH)
]
Logo = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=URL_MAX_LENGTH),
    Field(
        description="The `url` of a picture you uploaded (POST /api/uploads); empty to take "
        "it away."
    ),
]


def _distinct_links(links: list[HttpUrl]) -> list[HttpUrl]:
    return list(dict.fromkeys(links))


Links = Annotated[
    list[Annotated[HttpUrl, Field(max_length=URL_MAX_LENGTH)]],
    Field(max_length=MAX_LINKS, description="Its other homes on the web: http or https."),
    AfterValidator(_distinct_links),
]


class PublicationCreate(Schema):
    name: Name
    slug: PublicationSlug | None = None
    tagline: Tagline = ""
    description: Description = ""
    logo: Logo = ""
    links: Links = Field(default_factory=list)


class PublicationCreateRequest(Schema):
    publication: PublicationCreate


class PublicationUpdate(Schema):
    name: Name | None = None
    slug: PublicationSlug | None = None
    tagline: Tagline | None = None
    description: Description | None = None
    logo: Logo | None = None
    links: Links | None = None


class PublicationUpdateRequest(Schema):
    publication: PublicationUpdate


class PublicationSummary(Schema):
    """A publication as a story in it names it: "Published in …"."""

    slug: str
    name: str
    tagline: str
    logo: PictureOut | None


class PublicationOut(PublicationSummary):
    description: str
    links: list[str]
    followers_count: int
    following: bool = Field(description="Whether the caller follows it")
    role: Role | None = Field(description="The caller's role in it, if they are a member")
    invited: Role | None = Field(
        description="The role the caller is invited to take, until they accept or decline"
    )
    created_at: Timestamp


class PublicationResponse(Schema):
    publication: PublicationOut


class PublicationListResponse(Schema):
    publications: list[PublicationOut]


Username = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=USERNAME_MAX_LENGTH)
]


class InvitationCreate(Schema):
    username: Username
    role: Role = Role.WRITER


class InvitationCreateRequest(Schema):
    invitation: InvitationCreate


class RoleChange(Schema):
    role: Role


class RoleChangeRequest(Schema):
    member: RoleChange


class MemberOut(Schema):
    profile: ProfileOut
    role: Role
    invited_at: Timestamp
    joined_at: Timestamp | None = Field(description="Null while the invitation is open")
    invited_by: str | None = Field(description="The username of who invited them, if known")


class MemberResponse(Schema):
    member: MemberOut


class MemberListResponse(Schema):
    members: list[MemberOut]


class SubmissionCreate(Schema):
    publication: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=PUBLICATION_SLUG_MAX_LENGTH
        ),
        Field(description="The slug of a publication you write for"),
    ]


class SubmissionCreateRequest(Schema):
    submission: SubmissionCreate


class SubmissionReturn(Schema):
    note: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX_LENGTH),
        NOT_BLANK,
        Field(description="What the writer should know: why it is sent back, what to change"),
    ]


class SubmissionReturnRequest(Schema):
    submission: SubmissionReturn


class SubmittedStory(Schema):
    slug: str
    title: str
    author: str = Field(description="The writer's username")


class SubmissionOut(Schema):
    id: int
    article: SubmittedStory
    publication: PublicationSummary
    outcome: Outcome = Field(description="pending, published, returned or withdrawn")
    submitted_by: str | None
    submitted_at: Timestamp
    decided_by: str | None
    decided_at: Timestamp | None
    note: str | None = Field(description="The editor's note to the writer, when sent back")


class SubmissionResponse(Schema):
    submission: SubmissionOut


class SubmissionListResponse(Schema):
    submissions: list[SubmissionOut]


SeriesTitle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=SERIES_TITLE_MAX_LENGTH),
    NOT_BLANK,
]
SeriesDescription = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=SERIES_DESCRIPTION_MAX_LENGTH)
]
StorySlug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
MAX_PARTS = 100


class SeriesCreate(Schema):
    title: SeriesTitle
    description: SeriesDescription = ""
    publication: str = Field(
        default="",
        max_length=PUBLICATION_SLUG_MAX_LENGTH,
        description="The slug of a publication you edit for, to make it the publication's "
        "series (of stories published in it); empty for a series of your own stories",
    )


class SeriesCreateRequest(Schema):
    series: SeriesCreate


class SeriesUpdate(Schema):
    title: SeriesTitle | None = None
    description: SeriesDescription | None = None
    stories: list[StorySlug] | None = Field(
        default=None,
        max_length=MAX_PARTS,
        description="The slugs of its parts, in order: the whole list, so it adds, removes "
        "and reorders at once. A story is a part of one series at most.",
    )


class SeriesUpdateRequest(Schema):
    series: SeriesUpdate


class SeriesPart(Schema):
    slug: str
    title: str
    author: str = Field(description="The writer's username")
    part: int = Field(description="Its place in the series, from 1")


class SeriesOut(Schema):
    slug: str
    title: str
    description: str
    owner: str | None = Field(description="The username of the writer whose series it is")
    publication: PublicationSummary | None = Field(
        description="The publication whose series it is, if it is one's"
    )
    stories: list[SeriesPart] = Field(
        description="Its published parts in order (its keepers also see drafts among them)"
    )
    created_at: Timestamp
    updated_at: Timestamp


class SeriesResponse(Schema):
    series: SeriesOut


class SeriesSummary(Schema):
    slug: str
    title: str
