"""The site's publication pages: a publication and its stories, founding and changing one, its
people and invitations, following it."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError

from broadsheet.accounts.deps import SiteUser, SiteViewer
from broadsheet.accounts.models import User
from broadsheet.articles import queries as stories
from broadsheet.articles.feeds import FEED_SIZE, atom
from broadsheet.deps import WRITES, DbSession, ListTotals, PathText
from broadsheet.errors import AppError, Invalid, validation_problems
from broadsheet.media.deps import UploadsTaken
from broadsheet.media.models import ALT_MAX_LENGTH
from broadsheet.publications import queries, series
from broadsheet.publications import service as publications
from broadsheet.publications.models import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PUBLICATION_SLUG_MAX_LENGTH,
    TAGLINE_MAX_LENGTH,
    Publication,
    Role,
)
from broadsheet.publications.queries import PublicationView
from broadsheet.publications.schemas import InvitationCreate, PublicationCreate, PublicationUpdate
from broadsheet.web import (
    PAGE_SIZE,
    CheckedForm,
    CheckedSubmission,
    PageNumber,
    SubmittedForm,
    named_as_in_form,
    page,
    page_offset,
    pagination,
    redirect,
    redirect_permanently,
    script_json,
    site_url,
)

router = APIRouter(include_in_schema=False)

FORM_FIELDS = ("name", "slug", "tagline", "description", "links", "logo", "logo_alt")
LIMITS = {
    "name": NAME_MAX_LENGTH,
    "slug": PUBLICATION_SLUG_MAX_LENGTH,
    "tagline": TAGLINE_MAX_LENGTH,
    "description": DESCRIPTION_MAX_LENGTH,
    "logo_alt": ALT_MAX_LENGTH,
}
# The form's file field for a new logo.
LOGO_FILE = "logo_file"


def publication_path(publication: Publication) -> str:
    return f"/p/{publication.slug}"


# -- Reading ----------------------------------------------------------------------------------


def organization(request: Request, publication: Publication) -> dict[str, object]:
    """The publication as schema.org names a publisher, for JSON-LD: its page's and its
    stories'."""
    data: dict[str, object] = {
        "@type": "Organization",
        "name": publication.name,
        "url": f"{site_url(request)}{publication_path(publication)}",
    }
    if publication.logo:
        data["logo"] = {"@type": "ImageObject", "url": publication.logo}
    return data


def _json_ld(request: Request, publication: Publication) -> Markup:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        **organization(request, publication),
        "description": publication.tagline or publication.description[:300],
    }
    if publication.links:
        data["sameAs"] = publication.links
    return script_json(data)


@router.get("/p/{slug}", name="publication")
async def publication_page(
    request: Request,
    slug: PathText,
    session: DbSession,
    viewer: SiteViewer,
    totals: ListTotals,
    page_number: PageNumber = 1,
) -> Response:
    """A publication: who it is, who writes for it, and its stories, newest first."""
    try:
        view = await queries.publication_view(session, slug, viewer=viewer)
    except publications.PublicationNotFound:
        current = await queries.current_slug(session, slug)
        if current is None:
            raise
        return redirect_permanently(f"/p/{current}")
    publication = view.publication
    path = publication_path(publication)
    if request.url.path != path:
        return redirect_permanently(path)
    result = await stories.list_articles(
        session,
        viewer=viewer,
        publication=publication,
        limit=PAGE_SIZE,
        offset=page_offset(page_number),
        totals=totals,
    )
    return page(
        request,
        "publications/publication.html",
        title=publication.name,
        description=(publication.tagline or publication.description or publication.name)[:300],
        canonical_url=f"{site_url(request)}{path}",
        view=view,
        publication=publication,
        members=await queries.members_of(session, publication),
        its_series=await series.series_of(session, publication.id),
        json_ld=_json_ld(request, publication),
        can_change=publications.can_change(view.place),
        can_publish=publications.can_publish(view.place),
        can_manage=publications.can_manage(view.place, Role.WRITER),
        views=result.views,
        **pagination(page_number, result.total, base_url=f"{path}?"),
        feeds=[(f"{publication.name} on Broadsheet", f"{path}/feed.atom")],
    )


@router.get("/p/{slug}/feed.atom", name="publication_feed")
async def publication_feed(request: Request, slug: PathText, session: DbSession) -> Response:
    """Atom feed of a publication's latest stories."""
    publication = await publications.find_publication(session, slug)
    result = await stories.list_articles(
        session, viewer=None, publication=publication, limit=FEED_SIZE, with_body=True
    )
    return atom(
        request,
        result,
        title=f"{publication.name} on Broadsheet",
        path=publication_path(publication),
    )


@router.post("/p/{slug}/follow", dependencies=[WRITES])
async def toggle_follow(
    slug: PathText, _form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Follow the publication, or stop following it."""
    view = await queries.publication_view(session, slug, viewer=reader)
    if view.following:
        await publications.unfollow(session, slug, by=reader)
    else:
        await publications.follow(session, slug, by=reader)
    return redirect(publication_path(view.publication))


# -- Founding and changing --------------------------------------------------------------------


def _form_of(publication: Publication) -> dict[str, str]:
    return {
        "name": publication.name,
        "slug": publication.slug,
        "tagline": publication.tagline,
        "description": publication.description,
        "links": "\n".join(publication.links),
        "logo": publication.logo or "",
    }


def _publication_form(
    request: Request,
    *,
    form: dict[str, str],
    publication: Publication | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int | None = None,
) -> Response:
    return page(
        request,
        "publications/form.html",
        status_code=status_code or (422 if errors else 200),
        title="Start a publication" if publication is None else f"{publication.name}: settings",
        publication=publication,
        form={name: form.get(name, "") for name in FORM_FIELDS},
        errors=errors or {},
        limits=LIMITS,
        noindex=True,
    )


def _fields(form: dict[str, str]) -> dict[str, object]:
    links = [line.strip() for line in form.get("links", "").splitlines() if line.strip()]
    fields: dict[str, object] = {
        name: form.get(name, "") for name in ("name", "tagline", "description", "logo")
    }
    fields["links"] = links
    if form.get("slug", "").strip():
        fields["slug"] = form["slug"]
    return fields


# Form field names for the API's names of what the owner typed.
_FORM_NAMES = {"file": LOGO_FILE, "uploads": LOGO_FILE, "alt": "logo_alt"}


async def _with_new_logo(
    session: DbSession, submitted: SubmittedForm, uploads: UploadsTaken, owner: User
) -> dict[str, str]:
    """The form, with the logo sent beside it uploaded and chosen, or the logo taken away."""
    form = dict(submitted.fields)
    if form.get("remove_logo"):
        form["logo"] = ""
    file = submitted.files.get(LOGO_FILE)
    if file is not None and file.filename:
        stored = await uploads.take(session, file, alt=form.get("logo_alt", ""), by=owner)
        form["logo"] = stored.url
    return form


@router.get("/publications/new", name="new_publication")
async def new_publication(request: Request, _user: SiteUser) -> Response:
    """The form that starts a publication."""
    return _publication_form(request, form={})


@router.post("/publications/new", dependencies=[WRITES])
async def found_publication(
    request: Request,
    submitted: CheckedSubmission,
    session: DbSession,
    user: SiteUser,
    uploads: UploadsTaken,
) -> Response:
    """Start the publication, with the signed-in writer as its owner."""
    form = submitted.fields
    try:
        new = PublicationCreate.model_validate(_fields(form))
        form = await _with_new_logo(session, submitted, uploads, user)
        new = new.model_copy(update={"logo": form.get("logo", "")})
        publication = await publications.found(session, new, by=user)
    except ValidationError as error:
        problems = named_as_in_form(validation_problems(error.errors()), _FORM_NAMES)
        return _publication_form(request, form=form, errors=problems)
    except AppError as error:
        return _publication_form(
            request,
            form=form,
            errors=named_as_in_form(error.errors(), _FORM_NAMES),
            status_code=error.status_code,
        )
    return redirect(publication_path(publication))


async def _owned(session: DbSession, slug: str, user: User) -> PublicationView:
    view = await queries.publication_view(session, slug, viewer=user)
    if not publications.can_change(view.place):
        raise publications.NotAllowed("only the publication's owners may change it")
    return view


@router.get("/p/{slug}/settings", name="publication_settings")
async def publication_settings(
    request: Request, slug: PathText, session: DbSession, user: SiteUser
) -> Response:
    """The owners' form for the publication's name, address, tagline, logo and links."""
    publication = (await _owned(session, slug, user)).publication
    return _publication_form(request, form=_form_of(publication), publication=publication)


@router.post("/p/{slug}/settings", dependencies=[WRITES])
async def save_publication_settings(
    request: Request,
    slug: PathText,
    submitted: CheckedSubmission,
    session: DbSession,
    user: SiteUser,
    uploads: UploadsTaken,
) -> Response:
    """Save the owners' changes; a new address keeps the old one as a redirect."""
    publication = (await _owned(session, slug, user)).publication
    form = submitted.fields
    try:
        changes = PublicationUpdate.model_validate(_fields(form) | {"slug": form.get("slug")})
        form = await _with_new_logo(session, submitted, uploads, user)
        changes = changes.model_copy(update={"logo": form.get("logo", "")})
        publication = await publications.change(session, slug, changes, by=user)
    except ValidationError as error:
        problems = named_as_in_form(validation_problems(error.errors()), _FORM_NAMES)
        return _publication_form(request, form=form, publication=publication, errors=problems)
    except AppError as error:
        return _publication_form(
            request,
            form=form,
            publication=publication,
            errors=named_as_in_form(error.errors(), _FORM_NAMES),
            status_code=error.status_code,
        )
    return redirect(publication_path(publication))


# -- People and invitations -------------------------------------------------------------------


async def _people_page(
    request: Request,
    session: DbSession,
    view: PublicationView,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int | None = None,
) -> Response:
    publication = view.publication
    can_manage = publications.can_manage(view.place, Role.WRITER)
    return page(
        request,
        "publications/people.html",
        status_code=status_code or (422 if errors else 200),
        title=f"{publication.name}: people",
        noindex=True,
        view=view,
        publication=publication,
        members=await queries.members_of(session, publication),
        invited=await queries.members_of(session, publication, joined=False) if can_manage else [],
        can_manage=lambda role: publications.can_manage(view.place, role),
        roles=list(Role),
        form=form or {"username": "", "role": Role.WRITER},
        errors=errors or {},
    )


@router.get("/p/{slug}/people", name="publication_people")
async def publication_people(
    request: Request, slug: PathText, session: DbSession, user: SiteUser
) -> Response:
    """Who belongs to the publication; its owners and editors invite and remove people here."""
    view = await queries.publication_view(session, slug, viewer=user)
    if view.place is None:
        raise publications.NotAllowed("only the publication's members see this page")
    return await _people_page(request, session, view)


@router.post("/p/{slug}/people", dependencies=[WRITES])
async def invite_person(
    request: Request, slug: PathText, form: CheckedForm, session: DbSession, user: SiteUser
) -> Response:
    """Invite someone by username."""
    view = await queries.publication_view(session, slug, viewer=user)
    typed = {"username": form.get("username", ""), "role": form.get("role", "")}
    try:
        invitation = InvitationCreate.model_validate(typed)
        await publications.invite(session, slug, invitation.username, invitation.role, by=user)
    except ValidationError as error:
        problems = validation_problems(error.errors())
        return await _people_page(request, session, view, form=typed, errors=problems)
    except (Invalid, publications.AlreadyMember) as error:
        return await _people_page(
            request, session, view, form=typed, errors=error.errors(), status_code=error.status_code
        )
    return redirect(f"{publication_path(view.publication)}/people")


@router.post("/p/{slug}/people/{username}/role", dependencies=[WRITES])
async def change_role(
    slug: PathText, username: PathText, form: CheckedForm, session: DbSession, user: SiteUser
) -> Response:
    """Give a member another role."""
    role = form.get("role", "")
    if role not in set(Role):
        raise Invalid({"role": ["must be owner, editor or writer"]})
    await publications.set_role(session, slug, username, Role(role), by=user)
    publication = await publications.find_publication(session, slug)
    return redirect(f"{publication_path(publication)}/people")


@router.post("/p/{slug}/people/{username}/remove", dependencies=[WRITES])
async def remove_person(
    slug: PathText, username: PathText, _form: CheckedForm, session: DbSession, user: SiteUser
) -> Response:
    """Take a member out, withdraw an invitation, or leave."""
    publication = await publications.find_publication(session, slug)
    await publications.remove(session, slug, username, by=user)
    leaving = username.casefold() == user.username_key
    return redirect("/publications" if leaving else f"{publication_path(publication)}/people")


@router.post("/p/{slug}/invitation", dependencies=[WRITES])
async def answer_invitation(
    slug: PathText, form: CheckedForm, session: DbSession, user: SiteUser
) -> Response:
    """Accept the invitation, or decline it."""
    if form.get("answer") == "accept":
        publication = await publications.find_publication(session, slug)
        await publications.accept(session, slug, by=user)
        return redirect(publication_path(publication))
    await publications.decline(session, slug, by=user)
    return redirect("/publications")


@router.get("/publications", name="my_publications")
async def my_publications(request: Request, session: DbSession, user: SiteUser) -> Response:
    """The publications the signed-in writer belongs to, and their invitations."""
    return page(
        request,
        "publications/mine.html",
        title="Your publications",
        noindex=True,
        places=await queries.places_of(session, user),
        invitations=await queries.places_of(session, user, joined=False),
    )
