"""What every HTML page shares: templates, CSRF protection and the page response."""

import hashlib
import hmac
import json
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Protocol
from urllib.parse import quote, urlsplit

from fastapi import Depends, Query
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.errors import Forbidden
from broadsheet.lib.clock import as_utc, isoformat
from broadsheet.lib.images import sizes_of, webp_srcset
from broadsheet.lib.paths import raw_path
from broadsheet.schemas import XML_FORBIDDEN
from broadsheet.settings import Settings

CSRF_COOKIE = "broadsheet_csrf"
CSRF_FIELD = "csrf_token"


def human_date(moment: datetime) -> str:
    """ "Nov 5, 2026": how a story's date reads under its title."""
    moment = as_utc(moment)
    return f"{moment:%b} {moment.day}, {moment.year}"


def counted(number: int, noun: str) -> str:
    """ "1 favorite", "1,204 favorites": a count as a screen reader should speak it."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _human_time(moment: datetime) -> str:
    """ "Nov 5, 2026, 14:30 UTC": a time to the minute, before a script shows it in the
    reader's own time zone."""
    moment = as_utc(moment)
    return f"{human_date(moment)}, {moment:%H:%M} UTC"


class HasStoredHtml(Protocol):
    body_html: str


def stored_html(row: HasStoredHtml) -> Markup:
    """A row's `body_html`, rendered and sanitised when it was saved, shown as it is."""
    return Markup(row.body_html)  # noqa: S704 # nosec B704


templates = Environment(
    loader=PackageLoader("broadsheet", "templates"),
    autoescape=select_autoescape(["html", "xml", "atom"], default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["isoformat"] = isoformat
templates.filters["human_date"] = human_date
templates.filters["human_time"] = _human_time
templates.filters["counted"] = counted
templates.filters["stored_html"] = stored_html
templates.filters["picture_sizes"] = sizes_of
templates.filters["webp_srcset"] = webp_srcset


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _sign(request: Request, seed: str) -> str:
    key = _settings(request).signing_key.encode()
    return hmac.new(key, f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token a form must send back; its seed rides in an HttpOnly cookie."""
    # A page with a form carries this browser's token, so no shared cache may keep it.
    request.state.private_page = True
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_seed", None)
    if seed is None:
        seed = secrets.token_urlsafe(32)
        request.state.new_csrf_seed = seed
    return _sign(request, seed)


def renew_csrf(request: Request, response: Response) -> None:
    """Start a new seed, as at sign-in, so a token seen before it is worthless after."""
    request.state.new_csrf_seed = secrets.token_urlsafe(32)
    finish(request, response)


class CsrfFailed(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "This form has expired or did not come from this site. Please try again.",
            field="csrf",
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post unless it carries this browser's token and comes from this origin."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise CsrfFailed()
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or not submitted or not hmac.compare_digest(_sign(request, seed), submitted):
        raise CsrfFailed()


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=is_https(request),
        samesite="lax",
        path="/",
    )


def finish(request: Request, response: Response) -> Response:
    """Attach the cookies this request decided on (a new CSRF seed) to its response."""
    seed = getattr(request.state, "new_csrf_seed", None)
    if seed is not None:
        set_cookie(request, response, CSRF_COOKIE, seed, max_age=60 * 60 * 24 * 30)
    return response


def page(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Response:
    """Render `template` with what every page needs: the viewer, the CSRF token, the URL."""
    context.setdefault("viewer", getattr(request.state, "viewer", None))
    context.setdefault("title", None)
    context.setdefault("description", None)
    context.setdefault("noindex", False)
    context.setdefault("canonical_url", site_url(request) + raw_path(request.scope))
    html = templates.get_template(template).render(
        request=request, csrf_token=lambda: csrf_token(request), **context
    )
    response = HTMLResponse(html, status_code=status_code)
    if getattr(request.state, "private_page", False):
        response.headers["Cache-Control"] = "private, no-store"
    return finish(request, response)


_ERROR_HEADINGS = {
    401: "Please sign in",
    403: "You can't do that",
    404: "We couldn't find that page",
    405: "That doesn't work here",
    413: "That was too much to send",
    422: "That didn't work",
    429: "Slow down a little",
    500: "Something went wrong",
    503: "We'll be right back",
}


def error_page(request: Request, status_code: int, errors: dict[str, list[str]]) -> Response:
    """A friendly page for a failed request, saying what went wrong in plain words."""
    if status_code == 404:
        message = "The story or writer may have moved, or the address has a typo."
    elif status_code >= 500:
        message = "It's our fault, not yours. Please try again in a moment."
    else:
        message = " ".join(" ".join(messages) for messages in errors.values())
    if status_code == 401:
        return redirect(f"/signin?next={quote(request.url.path)}")
    heading = _ERROR_HEADINGS.get(status_code, "That didn't work")
    return page(
        request,
        "error.html",
        status_code=status_code,
        title=heading,
        heading=heading,
        message=message,
    )


def named_as_in_form(
    problems: dict[str, list[str]], form_names: Mapping[str, str]
) -> dict[str, list[str]]:
    """Problems under the names of the form's fields: a schema's field ("tagList.2") under
    the form's name for it in `form_names`, or its own first part."""
    named: dict[str, list[str]] = {}
    for field_path, messages in problems.items():
        name = field_path.split(".")[0]
        named.setdefault(form_names.get(name, name), []).extend(messages)
    return named


@dataclass(frozen=True)
class SubmittedForm:
    """A posted form's text fields, and whether it carries this browser's CSRF token: a form
    whose token has expired can still be shown back, so that nothing typed into it is lost."""

    fields: dict[str, str]
    trusted: bool
    # Files sent with the form (a picture from the editor), by field name.
    files: dict[str, UploadFile] = field(default_factory=dict)


async def _submitted_form(request: Request) -> AsyncIterator[SubmittedForm]:
    form = await request.form()
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    files = {name: value for name, value in form.items() if isinstance(value, UploadFile)}
    try:
        check_csrf(request, fields.get(CSRF_FIELD))
        trusted = True
    except CsrfFailed:
        trusted = False
    try:
        yield SubmittedForm(fields, trusted=trusted, files=files)
    finally:
        # Files sent with the form wait in temporary files until the route is done with them.
        await form.close()


async def _checked_submission(
    submitted: Annotated[SubmittedForm, Depends(_submitted_form)],
) -> SubmittedForm:
    """The posted form, files included, once its CSRF token has been checked."""
    if not submitted.trusted:
        raise CsrfFailed()
    return submitted


async def _checked_form(
    submitted: Annotated[SubmittedForm, Depends(_checked_submission)],
) -> dict[str, str]:
    """The posted form's text fields, once its CSRF token has been checked."""
    return submitted.fields


# Only for a form that must act on nothing until `trusted` is checked.
UncheckedForm = Annotated[SubmittedForm, Depends(_submitted_form)]
CheckedForm = Annotated[dict[str, str], Depends(_checked_form)]
CheckedSubmission = Annotated[SubmittedForm, Depends(_checked_submission)]


def redirect(url: str) -> RedirectResponse:
    """See-other redirect after a form post, so a reload never posts twice."""
    return RedirectResponse(url, status_code=303)


def redirect_permanently(path: str) -> RedirectResponse:
    """The address moved for good (a retitled story, a renamed writer)."""
    return RedirectResponse(path, status_code=301)


def local_path(candidate: str | None, *, default: str = "/") -> str:
    """`candidate` if it is a path on this site, else `default`: never an open redirect."""
    if not candidate or not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return default
    return candidate


def site_url(request: Request) -> str:
    """The site's address as configured (BROADSHEET_BASE_URL), never as a request names it."""
    return _settings(request).base_url


# Stories a page of a list shows, and the page number every list page takes.
PAGE_SIZE = 10
PageNumber = Annotated[int, Query(alias="page", ge=1, le=10_000)]


def page_offset(page_number: int) -> int:
    return (page_number - 1) * PAGE_SIZE


def pagination(page_number: int, total: int, *, base_url: str) -> dict[str, Any]:
    """What the pagination macro needs: this page, whether another follows, and the URL that
    `page=N` is appended to."""
    return {
        "page_number": page_number,
        "has_next": total > page_number * PAGE_SIZE,
        "page_base_url": base_url,
    }


def script_json(data: object) -> Markup:
    """`data` as JSON that a <script> element holds safely: no "<", ">" or "&" can close it or
    open another."""
    text = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # nosemgrep: markup-on-unsanitised-text
    return Markup(text)  # noqa: S704 # nosec B704


def page_xml(template: str, **context: Any) -> str:
    """Render an XML document (feeds, sitemap); the same autoescaping applies. Characters XML
    cannot hold are refused on the way in; any stored before that rule, or arriving another
    way, are dropped, so that one story cannot make a feed unreadable for every subscriber."""
    return XML_FORBIDDEN.sub("", templates.get_template(template).render(**context))
