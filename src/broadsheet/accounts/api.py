"""RealWorld routes for users, authentication and profiles."""

from datetime import timedelta

from fastapi import APIRouter, status

from broadsheet.accounts import service as accounts
from broadsheet.accounts.deps import (
    NOT_STORED,
    TOKEN_OPTIONAL,
    Attempts,
    CurrentUser,
    OptionalUser,
)
from broadsheet.accounts.models import User
from broadsheet.accounts.schemas import (
    LoginUserRequest,
    NewUserRequest,
    ProfileOut,
    ProfileResponse,
    UserOut,
    UserResponse,
    UserUpdateRequest,
)
from broadsheet.deps import WRITES, AppSettings, DbSession, PasswordHashing, PathText
from broadsheet.errors import errors_documented

router = APIRouter()


def _user_response(user: User, settings: AppSettings) -> UserResponse:
    token = accounts.issue_token(
        user, key=settings.signing_key, ttl=timedelta(seconds=settings.token_ttl_seconds)
    )
    return UserResponse(
        user=UserOut(
            email=user.email, token=token, username=user.username, bio=user.bio, image=user.image
        )
    )


def profile_out(user: User, *, following: bool) -> ProfileOut:
    return ProfileOut(username=user.username, bio=user.bio, image=user.image, following=following)


@router.post(
    "/users/login",
    dependencies=[WRITES, NOT_STORED],
    tags=["User and Authentication"],
    responses=errors_documented(401, 413, 422, 429),
)
async def login(
    body: LoginUserRequest,
    session: DbSession,
    settings: AppSettings,
    passwords: PasswordHashing,
    attempts: Attempts,
) -> UserResponse:
    """Sign in with email and password; the response carries a token. Attempts are limited."""
    await attempts.sign_in(body.user.email)
    user = await accounts.authenticate(
        session, body.user.email, body.user.password, passwords=passwords
    )
    return _user_response(user, settings)


@router.post(
    "/users",
    dependencies=[WRITES, NOT_STORED],
    status_code=status.HTTP_201_CREATED,
    tags=["User and Authentication"],
    responses=errors_documented(413, 422, 429),
)
async def register(
    body: NewUserRequest,
    session: DbSession,
    settings: AppSettings,
    passwords: PasswordHashing,
    attempts: Attempts,
) -> UserResponse:
    """Create an account; the response carries a token. Attempts are limited."""
    await attempts.sign_up(body.user.email)
    user = await accounts.register(session, body.user, passwords=passwords)
    return _user_response(user, settings)


@router.get(
    "/user",
    dependencies=[NOT_STORED],
    tags=["User and Authentication"],
    responses=errors_documented(401),
)
async def current_user(user: CurrentUser, settings: AppSettings) -> UserResponse:
    """The signed-in user."""
    return _user_response(user, settings)


@router.put(
    "/user",
    tags=["User and Authentication"],
    responses=errors_documented(401, 413, 422, 429),
    dependencies=[WRITES, NOT_STORED],
)
async def update_current_user(
    body: UserUpdateRequest,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    passwords: PasswordHashing,
    attempts: Attempts,
) -> UserResponse:
    """Change the signed-in user's settings; a new password ends every earlier token. A new
    email counts as a sign-up attempt with it; `currentPassword`, when sent, must be right."""
    await attempts.update_account(user, body.user)
    user = await accounts.update_account(session, user, body.user, passwords=passwords)
    return _user_response(user, settings)


@router.post(
    "/user/logout",
    dependencies=[WRITES],
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["User and Authentication"],
    responses=errors_documented(401),
)
async def sign_out_everywhere(user: CurrentUser, session: DbSession) -> None:
    """Sign out everywhere: every token issued so far and every site session stop working."""
    await accounts.end_every_session(session, user)


@router.get(
    "/profiles/{username}",
    tags=["Profile"],
    responses=errors_documented(401, 404, 422),
    openapi_extra=TOKEN_OPTIONAL,
)
async def get_profile(
    username: PathText, session: DbSession, viewer: OptionalUser
) -> ProfileResponse:
    """A writer's public profile; `following` is filled for a signed-in caller."""
    user = await accounts.find_user(session, username)
    following = await accounts.is_following(session, viewer, user)
    return ProfileResponse(profile=profile_out(user, following=following))


@router.post(
    "/profiles/{username}/follow",
    dependencies=[WRITES],
    tags=["Profile"],
    responses=errors_documented(401, 404, 422),
)
async def follow(username: PathText, session: DbSession, user: CurrentUser) -> ProfileResponse:
    """Follow a writer."""
    followed = await accounts.follow(session, user, username)
    return ProfileResponse(profile=profile_out(followed, following=True))


@router.delete(
    "/profiles/{username}/follow",
    dependencies=[WRITES],
    tags=["Profile"],
    responses=errors_documented(401, 404, 422),
)
async def unfollow(username: PathText, session: DbSession, user: CurrentUser) -> ProfileResponse:
    """Stop following a writer."""
    followed = await accounts.unfollow(session, user, username)
    return ProfileResponse(profile=profile_out(followed, following=False))
