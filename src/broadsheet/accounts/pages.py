"""The site's account pages: sign-up, sign-in, sign-out, settings, profiles and follows."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from broadsheet.accounts import service as accounts
from broadsheet.accounts.deps import (
    SITE_SESSION_COOKIE,
    Attempts,
    SiteUser,
    SiteViewer,
    start_site_session,
)
from broadsheet.accounts.schemas import LoginUser, NewUser, UserUpdate
from broadsheet.articles import queries
from broadsheet.deps import WRITES, DbSession, PasswordHashing, PathText
from broadsheet.errors import Invalid, Unauthorized, validation_problems
from broadsheet.ratelimit import LimitReached
from broadsheet.web import (
    PAGE_SIZE,
    CheckedForm,
    PageNumber,
    local_path,
    page,
    page_offset,
    pagination,
    redirect,
    redirect_permanently,
    renew_csrf,
)

router = APIRouter(include_in_schema=False)


@router.get("/signup", name="signup")
async def signup_form(request: Request, viewer: SiteViewer) -> Response:
    """The sign-up form."""
    if viewer is not None:
        return redirect("/")
    return page(
        request,
        "accounts/signup.html",
        title="Create an account",
        form={"username": "", "email": ""},
        errors={},
    )


@router.post("/signup", dependencies=[WRITES])
async def signup(
    request: Request,
    form: CheckedForm,
    session: DbSession,
    passwords: PasswordHashing,
    attempts: Attempts,
) -> Response:
    """Create the account and sign its owner in."""
    fields = {name: form.get(name, "") for name in ("username", "email", "password")}
    try:
        await attempts.sign_up(fields["email"])
        new_user = NewUser.model_validate(fields)
        user = await accounts.register(session, new_user, passwords=passwords)
    except ValidationError as error:
        return _signup_again(request, fields, validation_problems(error.errors()))
    except Invalid as error:
        return _signup_again(request, fields, error.errors())
    except LimitReached as error:
        return _signup_again(request, fields, error.errors(), retry_after=error.retry_after)
    response = redirect("/")
    await start_site_session(request, response, session, user)
    return response


def _signup_again(
    request: Request,
    form: dict[str, str],
    errors: dict[str, list[str]],
    *,
    retry_after: int | None = None,
) -> Response:
    response = page(
        request,
        "accounts/signup.html",
        status_code=422 if retry_after is None else 429,
        title="Create an account",
        form=form,
        errors=errors,
    )
    return _with_retry_after(response, retry_after)


def _with_retry_after(response: Response, retry_after: int | None) -> Response:
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@router.get("/signin", name="signin")
async def signin_form(
    request: Request,
    viewer: SiteViewer,
    next_url: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> Response:
    """The sign-in form."""
    if viewer is not None:
        return redirect(local_path(next_url))
    return page(
        request,
        "accounts/signin.html",
        title="Sign in",
        form={"email": ""},
        errors={},
        next_url=local_path(next_url),
    )


@router.post("/signin", dependencies=[WRITES])
async def signin(
    request: Request,
    form: CheckedForm,
    session: DbSession,
    passwords: PasswordHashing,
    attempts: Attempts,
) -> Response:
    """Check the credentials and start a new session."""
    email, password = form.get("email", "").strip(), form.get("password", "")
    next_url = local_path(form.get("next"))
    try:
        await attempts.sign_in(email)
        if not email or not password:
            raise Unauthorized("email and password are both needed", field="credentials")
        # The API's rules for these fields: bounded, and no text that an engine cannot compare.
        credentials = LoginUser.model_validate({"email": email, "password": password})
        user = await accounts.authenticate(
            session, credentials.email, credentials.password, passwords=passwords
        )
    except ValidationError as error:
        problems = validation_problems(error.errors())
        return _signin_again(request, email, next_url, 422, problems)
    except Unauthorized as error:
        return _signin_again(request, email, next_url, error.status_code, error.errors())
    except LimitReached as error:
        return _signin_again(
            request, email, next_url, error.status_code, error.errors(), error.retry_after
        )
    response = redirect(next_url)
    await start_site_session(request, response, session, user)
    return response


def _signin_again(
    request: Request,
    email: str,
    next_url: str,
    status_code: int,
    errors: dict[str, list[str]],
    retry_after: int | None = None,
) -> Response:
    response = page(
        request,
        "accounts/signin.html",
        status_code=status_code,
        title="Sign in",
        form={"email": email},
        errors=errors,
        next_url=next_url,
    )
    return _with_retry_after(response, retry_after)


@router.post("/signout", name="signout", dependencies=[WRITES])
async def signout(request: Request, _form: CheckedForm, session: DbSession) -> Response:
    """End this browser's session."""
    token = request.cookies.get(SITE_SESSION_COOKIE)
    if token:
        await accounts.end_site_session(session, token)
    response = redirect("/")
    response.delete_cookie(SITE_SESSION_COOKIE, path="/")
    renew_csrf(request, response)
    return response


def _settings_form(user: Any) -> dict[str, str]:
    return {
        "image": user.image or "",
        "username": user.username,
        "bio": user.bio or "",
        "email": user.email,
    }


@router.get("/settings", name="settings")
async def settings_form(
    request: Request, user: SiteUser, saved: Annotated[bool, Query()] = False
) -> Response:
    """The signed-in writer's settings."""
    return page(
        request,
        "accounts/settings.html",
        title="Settings",
        form=_settings_form(user),
        errors={},
        saved=saved,
    )


@router.post("/settings", dependencies=[WRITES])
async def save_settings(
    request: Request,
    form: CheckedForm,
    session: DbSession,
    user: SiteUser,
    passwords: PasswordHashing,
    attempts: Attempts,
) -> Response:
    """Save the settings; a new email or password needs the current one, and a new password
    ends every other session and token."""
    fields = {name: form.get(name, "") for name in ("image", "username", "bio", "email")}
    # Passwords are never shown again, whatever happens.
    typed_passwords = {name: form.get(name) or None for name in ("password", "currentPassword")}
    try:
        update = UserUpdate.model_validate(fields | typed_passwords)
        password_changed = update.password is not None
        await attempts.update_account(user, update)
        await accounts.update_account(
            session, user, update, passwords=passwords, confirm_sign_in_changes=True
        )
    except ValidationError as error:
        return _settings_again(request, fields, validation_problems(error.errors()))
    except Invalid as error:
        return _settings_again(request, fields, error.errors())
    except LimitReached as error:
        response = _settings_again(request, fields, error.errors(), status_code=error.status_code)
        return _with_retry_after(response, error.retry_after)
    response = redirect("/settings?saved=true")
    if password_changed:
        await start_site_session(request, response, session, user)
    return response


def _settings_again(
    request: Request, form: dict[str, str], errors: dict[str, list[str]], *, status_code: int = 422
) -> Response:
    return page(
        request,
        "accounts/settings.html",
        status_code=status_code,
        title="Settings",
        form=form,
        errors=errors,
        saved=False,
    )


async def _profile(
    request: Request,
    session: DbSession,
    viewer: SiteViewer,
    username: str,
    *,
    tab: str,
    page_number: int,
) -> Response:
    author = await accounts.find_user(session, username)
    offset = page_offset(page_number)
    if tab == "favorites":
        result = await queries.list_articles(
            session, viewer=viewer, favorited_by=author.username, limit=PAGE_SIZE, offset=offset
        )
    else:
        result = await queries.list_articles(
            session, viewer=viewer, author=author.username, limit=PAGE_SIZE, offset=offset
        )
    path = f"/@{quote(author.username)}" + ("/favorites" if tab == "favorites" else "")
    if request.url.path != path:
        return redirect_permanently(path)
    return page(
        request,
        "accounts/profile.html",
        title=author.username,
        description=(author.bio or f"Stories by {author.username} on Broadsheet.")[:300],
        author=author,
        following=await accounts.is_following(session, viewer, author),
        blocking=viewer is not None
        and await accounts.is_blocked(session, blocker_id=viewer.id, blocked_id=author.id),
        tab=tab,
        views=result.views,
        **pagination(page_number, result.total, base_url=f"{path}?"),
        empty_message="Nothing here yet."
        if tab == "favorites"
        else f"{author.username} hasn't published a story yet.",
        feeds=[
            (f"Broadsheet: stories by {author.username}", f"/@{quote(author.username)}/feed.atom")
        ],
    )


@router.get("/@{username}", name="profile")
async def profile(
    request: Request,
    username: PathText,
    session: DbSession,
    viewer: SiteViewer,
    page_number: PageNumber = 1,
) -> Response:
    """A writer's profile and stories."""
    return await _profile(
        request, session, viewer, username, tab="stories", page_number=page_number
    )


@router.get("/@{username}/favorites", name="profile_favorites")
async def profile_favorites(
    request: Request,
    username: PathText,
    session: DbSession,
    viewer: SiteViewer,
    page_number: PageNumber = 1,
) -> Response:
    """The stories a writer favorited."""
    return await _profile(
        request, session, viewer, username, tab="favorites", page_number=page_number
    )


@router.post("/@{username}/follow", dependencies=[WRITES])
async def toggle_follow(
    username: PathText, form: CheckedForm, session: DbSession, reader: SiteUser
) -> Response:
    """Follow the writer, or stop following them."""
    author = await accounts.find_user(session, username)
    if await accounts.is_following(session, reader, author):
        await accounts.unfollow(session, reader, username)
    else:
        await accounts.follow(session, reader, username)
    return redirect(local_path(form.get("next"), default=f"/@{quote(author.username)}"))
