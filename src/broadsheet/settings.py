"""Every setting, read from the environment, with defaults that run with nothing installed."""

import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DATA_DIR = Path("var")

# Hosting platforms hand out plain URLs; SQLAlchemy needs to be told which async driver to use.
_ASYNC_DRIVERS = {
    "postgres://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "mysql://": "mysql+asyncmy://",
    "mariadb://": "mysql+asyncmy://",
    "sqlite://": "sqlite+aiosqlite://",
}


def async_database_url(url: str) -> str:
    """Return `url` with an async driver named, leaving URLs that already name one alone."""
    for plain, with_driver in _ASYNC_DRIVERS.items():
        if url.startswith(plain):
            return with_driver + url.removeprefix(plain)
    return url


def _persistent_secret_key() -> str:
    """Read the key kept in ./var/, creating it on first run so tokens survive restarts."""
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROADSHEET_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///./{DATA_DIR}/broadsheet.db",
        validation_alias=AliasChoices("DATABASE_URL", "BROADSHEET_DATABASE_URL", "database_url"),
    )
    secret_key: str = ""
    cors_origins: Annotated[list[str], NoDecode] = ["*"]
    token_ttl_seconds: int = 60 * 60 * 24 * 14
    max_body_bytes: int = 1024 * 1024
    database_pool_size: int = 10
    # argon2id, OWASP's recommended floor: 19 MiB, two passes, one lane.
    password_memory_kib: int = 19456
    password_time_cost: int = 2
    password_parallelism: int = 1
    password_hash_concurrency: int = 2
    echo_sql: bool = False

    @field_validator("database_url")
    @classmethod
    def _name_async_driver(cls, url: str) -> str:
        return async_database_url(url)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @cached_property
    def signing_key(self) -> str:
        """The key that signs tokens: the configured one, or one generated once and kept."""
        return self.secret_key or _persistent_secret_key()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
