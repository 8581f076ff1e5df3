"""Request and response shapes for accounts and profiles."""

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints

from broadsheet.accounts.models import EMAIL_MAX_LENGTH, USERNAME_MAX_LENGTH
from broadsheet.schemas import WHITE_SPACE, WHITE_SPACE_CLASS, Schema

BIO_MAX_LENGTH = 2000
IMAGE_MAX_LENGTH = 1000
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=USERNAME_MAX_LENGTH,
        pattern=r"^[A-Za-z0-9_.-]+$",
    ),
    Field(description="Letters, digits, '.', '_' and '-'"),
]


def _bounded_email(value: str) -> str:
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValueError(f"is too long (maximum is {EMAIL_MAX_LENGTH} characters)")
    return value


Email = Annotated[EmailStr, AfterValidator(_bounded_email)]
Password = Annotated[
    str, StringConstraints(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
]
LoginPassword = Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX_LENGTH)]
Bio = Annotated[str, StringConstraints(strip_whitespace=True, max_length=BIO_MAX_LENGTH)]


def _a_picture_address(value: str) -> str:
    """An https: address, or empty for none: the site's pages load pictures only from secure
    addresses, so an http: one would be stored and then never shown."""
    if not value:
        return value
    if value[:7].lower() == "http://":
        raise ValueError("must start with https:// (pages show pictures from secure addresses)")
    if value[:8].lower() != "https://" or len(value) == 8:
        raise ValueError(
            "must be the https:// address of a picture, like https://example.com/me.png"
        )
    if any(character in WHITE_SPACE for character in value):
        raise ValueError("must not contain spaces")
    return value


ImageUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=IMAGE_MAX_LENGTH),
    AfterValidator(_a_picture_address),
    Field(
        description="An https: URL, or empty to remove the image",
        json_schema_extra={"pattern": f"^(https://[^{WHITE_SPACE_CLASS}]+)?$"},
    ),
]


class NewUser(Schema):
    username: Username
    email: Email
    password: Password


class NewUserRequest(Schema):
    user: NewUser


class LoginUser(Schema):
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=EMAIL_MAX_LENGTH)
    ]
    password: LoginPassword


class LoginUserRequest(Schema):
    user: LoginUser


def _empty_as_unchanged(value: object) -> object:
    return None if value == "" else value


# Conduit clients send the whole settings form, so an empty password means "keep the current one".
NewPassword = Annotated[
    Password | None,
    BeforeValidator(_empty_as_unchanged),
    Field(description="A new password; empty or left out keeps the current one"),
]


CurrentPassword = Annotated[
    LoginPassword | None,
    BeforeValidator(_empty_as_unchanged),
    Field(
        description=(
            "Broadsheet's extension to RealWorld: the account's password as it is now. When"
            " sent, nothing is changed unless it is right (422 otherwise); attempts count as"
            " sign-ins."
        )
    ),
]


class UserUpdate(Schema):
    username: Username | None = None
    email: Email | None = None
    password: NewPassword = None
    bio: Bio | None = None
    image: ImageUrl | None = None
    current_password: CurrentPassword = None


class UserUpdateRequest(Schema):
    user: UserUpdate


class UserOut(Schema):
    email: str
    token: str
    username: str
    bio: str | None
    image: str | None


class UserResponse(Schema):
    user: UserOut


class ProfileOut(Schema):
    username: str
    bio: str | None
    image: str | None
    following: bool


class ProfileResponse(Schema):
    profile: ProfileOut
