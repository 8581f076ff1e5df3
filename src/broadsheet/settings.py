"""Every setting, read from the environment, with defaults that run with nothing installed."""

import os
import secrets
import tempfile
from collections.abc import Mapping
from functools import cached_property
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    Field,
    IPvAnyNetwork,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DATA_DIR = Path("var")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# RFC 7518 asks for an HS256 key at least as long as the hash it feeds: 256 bits.
SECRET_KEY_MIN_BYTES = 32

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


def kept_secret_key(key_file: Path) -> str:
    """The key kept in `key_file`, created there on first use so tokens survive restarts."""
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        # Workers that start together must agree on one key, and none may read a half-written
        # file: each writes a key aside, and linking it into place succeeds for one only.
        with tempfile.NamedTemporaryFile(
            "w", dir=key_file.parent, prefix=f"{key_file.name}.", delete=False
        ) as draft:
            draft.write(secrets.token_urlsafe(48))
        try:
            os.link(draft.name, key_file)
        except FileExistsError:
            pass  # another worker's key is in place
        finally:
            os.unlink(draft.name)
    return key_file.read_text().strip()


def _limit(value: str) -> str:
    """A rate limit in `limits` notation ("10/minute", several joined by ";"), or "" for none."""
    if value.strip():
        parse_many(value)  # raises ValueError for what it cannot read
    return value.strip()


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


Limit = Annotated[str, AfterValidator(_limit)]
CommaSeparated = BeforeValidator(_comma_separated)


class DatabaseSettings(BaseModel):
    url: str = f"sqlite+aiosqlite:///./{DATA_DIR}/broadsheet.db"
    # Connections per worker process (PostgreSQL, MariaDB).
    pool_size: int = 10
    # Log every SQL statement.
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _name_async_driver(cls, url: str) -> str:
        return async_database_url(url)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class PasswordSettings(BaseModel):
    # argon2id, OWASP's recommended floor: 19 MiB, two passes, one lane.
    memory_kib: int = 19456
    time_cost: int = 2
    parallelism: int = 1
    # Hashes computed at once per worker process; more wait their turn.
    hash_concurrency: int = 2


class CacheSettings(BaseModel):
    """The response cache for anonymous reads: in each worker, or in Redis when REDIS_URL is set."""

    enabled: bool = True
    ttl_seconds: int = 300
    max_bytes: int = 32 * 1024 * 1024
    namespace: str = "broadsheet:cache"
    # Purges shared by the worker processes of one machine (and the CLI) when there is no Redis.
    purges_file: Path = DATA_DIR / "cache-purges"


class JobsSettings(BaseModel):
    # The job queue: Redis at this URL (REDIS_URL when unset), shared by any number of
    # `broadsheet worker` processes; with neither, a SQLite file shared by this machine's.
    url: str | None = None
    file: Path = DATA_DIR / "jobs.db"
    queue_name: str = "broadsheet"

    @field_validator("url")
    @classmethod
    def _a_redis_url(cls, url: str | None) -> str | None:
        if url and not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a Redis URL, like redis://host:6379/0")
        return url or None


class WorkerSettings(BaseModel):
    # `broadsheet serve` runs a worker in each of its processes unless told not to (when
    # `broadsheet worker` processes run elsewhere).
    embedded: bool = True
    # Jobs one worker runs at once, and how long running ones may take to finish on stop.
    concurrency: int = 10
    grace_seconds: int = 30


class LimitsSettings(BaseModel):
    """Attempts counted in Redis when REDIS_URL is set, else in each worker process."""

    enabled: bool = True
    namespace: str = "broadsheet:limits"
    login_per_address: Limit = "30/minute"
    login_per_account_and_address: Limit = "10/minute"
    login_per_account: Limit = "100/hour"
    signup_per_address: Limit = "20/hour"
    signup_per_account: Limit = "5/hour"
    # A new email in an account's settings also counts as a sign-up with it.
    email_change_per_account: Limit = "10/hour"
    upload_per_account: Limit = "60/hour"


class StorageSettings(BaseModel):
    """Where uploaded files are kept: in `directory`, served by the app under /media, unless a
    bucket is named (any S3-compatible service; the endpoint for one other than AWS)."""

    directory: Path = DATA_DIR / "media"
    # Where readers fetch stored files: by default base_url/media, or the bucket's own
    # address; set it for a CDN in front.
    public_url: str | None = None
    bucket: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None


class UploadSettings(BaseModel):
    # The largest picture file taken, and the largest upload request (the picture with the
    # editor's text around it): uploads have their own body limit, far above max_body_bytes.
    max_bytes: int = 10 * 1024 * 1024
    max_body_bytes: int = 11 * 1024 * 1024
    # Pixels a picture may have, counted before it is decoded (a small file can unpack into
    # gigabytes). 40 million is a 7,700 × 5,200 photo.
    max_pixels: int = 40_000_000


# Variables read under other names than BROADSHEET_<GROUP>_<NAME>: the one hosting platforms
# set, and those from before the settings were grouped (still read; the new name wins).
OTHER_NAMES = {
    "DATABASE_URL": ("database", "url"),
}
RENAMED = {
    "BROADSHEET_ECHO_SQL": ("database", "echo"),
    "BROADSHEET_RESPONSE_CACHE": ("cache", "enabled"),
    "BROADSHEET_RESPONSE_CACHE_TTL_SECONDS": ("cache", "ttl_seconds"),
    "BROADSHEET_RESPONSE_CACHE_MAX_BYTES": ("cache", "max_bytes"),
    "BROADSHEET_RESPONSE_CACHE_NAMESPACE": ("cache", "namespace"),
    "BROADSHEET_RESPONSE_CACHE_PURGES_FILE": ("cache", "purges_file"),
    "BROADSHEET_EMBEDDED_WORKER": ("worker", "embedded"),
    "BROADSHEET_RATE_LIMITS": ("limits", "enabled"),
    "BROADSHEET_RATE_LIMIT_NAMESPACE": ("limits", "namespace"),
    "BROADSHEET_LOGIN_LIMIT_PER_ADDRESS": ("limits", "login_per_address"),
    "BROADSHEET_LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": ("limits", "login_per_account_and_address"),
    "BROADSHEET_LOGIN_LIMIT_PER_ACCOUNT": ("limits", "login_per_account"),
    "BROADSHEET_SIGNUP_LIMIT_PER_ADDRESS": ("limits", "signup_per_address"),
    "BROADSHEET_SIGNUP_LIMIT_PER_ACCOUNT": ("limits", "signup_per_account"),
    "BROADSHEET_EMAIL_CHANGE_LIMIT_PER_ACCOUNT": ("limits", "email_change_per_account"),
    "BROADSHEET_UPLOAD_LIMIT_PER_ACCOUNT": ("limits", "upload_per_account"),
    "BROADSHEET_MEDIA_DIR": ("storage", "directory"),
    "BROADSHEET_MEDIA_URL": ("storage", "public_url"),
}


def variable_name(group: str, name: str) -> str:
    return f"BROADSHEET_{group}_{name}".upper()


def renamed_in_use(environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """(old, new) for each variable set under its name from before the grouping."""
    return [(old, variable_name(*place)) for old, place in RENAMED.items() if old in environ]


class OtherNames(PydanticBaseSettingsSource):
    """Reads OTHER_NAMES and RENAMED into their groups."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """The settings of group `field_name` set under other names, or None."""
        values = {
            key: os.environ[name]
            for name, (group, key) in (OTHER_NAMES | RENAMED).items()
            if group == field_name and name in os.environ
        }
        return values or None, field_name, True

    def __call__(self) -> dict[str, Any]:
        found = {
            name: self.get_field_value(field, name)[0]
            for name, field in self.settings_cls.model_fields.items()
        }
        return {name: values for name, values in found.items() if values}


class Settings(BaseSettings):
    """Read from BROADSHEET_<NAME>, and BROADSHEET_<GROUP>_<NAME> for a group's settings
    (BROADSHEET_DATABASE_POOL_SIZE is `database.pool_size`)."""

    model_config = SettingsConfigDict(
        env_prefix="BROADSHEET_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
    )

    database: DatabaseSettings = DatabaseSettings()
    password: PasswordSettings = PasswordSettings()
    cache: CacheSettings = CacheSettings()
    jobs: JobsSettings = JobsSettings()
    worker: WorkerSettings = WorkerSettings()
    limits: LimitsSettings = LimitsSettings()
    storage: StorageSettings = StorageSettings()
    upload: UploadSettings = UploadSettings()

    secret_key: str = ""
    cors_origins: Annotated[list[str], NoDecode, CommaSeparated] = ["*"]
    token_ttl_seconds: int = 60 * 60 * 24 * 14
    max_body_bytes: int = 1024 * 1024
    # Shared by the response cache, the rate limits and the job queue of every app server.
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "BROADSHEET_REDIS_URL", "redis_url"),
    )
    # Where readers reach the site: every absolute URL the server writes (canonical links,
    # feeds, the sitemap, redirects, jobs' links) starts with it, never with what a request says.
    base_url: str = "http://127.0.0.1:8000"
    # Host header values answered; any other is refused with 400. Unset, the host of base_url,
    # and every loopback name when that is a loopback address. A leading dot allows
    # subdomains (".example.com"); "*" allows any, for a proxy in front that checks them.
    allowed_hosts: Annotated[list[str], NoDecode] = []
    # A WebSub hub (such as https://pubsubhubbub.appspot.com/) that feeds name, and that is
    # told when they change so that it pushes new stories to subscribers at once.
    websub_hub: str | None = None
    # How `broadsheet serve` logs to stderr: one JSON object a line, or text; unset, text when
    # stderr is a terminal and JSON otherwise.
    log_format: Literal["json", "text"] | None = None
    log_level: str = "INFO"
    # One line per request, cache hits included; a proxy in front that logs requests itself
    # can spare the workers the cost (a third of a cache hit's).
    access_log: bool = True
    # Clients that may read /metrics. A proxy on this machine makes every client look local:
    # it must not forward /metrics (see README, "Operations").
    metrics_networks: Annotated[list[IPvAnyNetwork], NoDecode, CommaSeparated] = [
        IPv4Network("127.0.0.0/8"),
        IPv6Network("::1/128"),
    ]
    # Requests one worker serves at once; more are answered 503 at once instead of queueing.
    # A request counts once its body has arrived: a client trickling one in holds no slot.
    max_requests_in_flight: int = 64
    # Seconds a client gets to send its whole request body; past them it is answered 408.
    request_body_timeout_seconds: float = 30
    # Request headers, together and by number; past either, 431.
    max_header_bytes: int = 32 * 1024
    max_headers: int = 100
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; by default nobody's,
    # and the client is the address the connection comes from.
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode, CommaSeparated] = []

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, OtherNames(settings_cls)

    @field_validator("base_url")
    @classmethod
    def _an_origin(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// address, like https://news.example")
        if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
            raise ValueError("must be the site's origin alone, like https://news.example")
        return f"{parts.scheme}://{parts.netloc.lower()}"

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip().lower() for host in value.split(",") if host.strip()]
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough_to_sign(cls, key: str) -> str:
        if key and len(key.encode()) < SECRET_KEY_MIN_BYTES:
            raise ValueError(f"must be at least {SECRET_KEY_MIN_BYTES} bytes long")
        return key

    @cached_property
    def signing_key(self) -> str:
        """The key that signs tokens: the configured one, or one generated once and kept."""
        return self.secret_key or kept_secret_key(DATA_DIR / "secret_key")

    @cached_property
    def hosts_allowed(self) -> frozenset[str]:
        """The Host names answered (without ports): allowed_hosts, or those base_url implies."""
        if self.allowed_hosts:
            return frozenset(host.rstrip(".") for host in self.allowed_hosts)
        host = urlsplit(self.base_url).hostname or ""
        return LOOPBACK_NAMES if host in LOOPBACK_NAMES else frozenset({host})

    @cached_property
    def media_public_url(self) -> str:
        """Where readers fetch uploaded files from, without a trailing slash."""
        storage = self.storage
        if storage.public_url:
            return storage.public_url.rstrip("/")
        if not storage.bucket:
            return f"{self.base_url}/media"
        if storage.endpoint_url:
            return f"{storage.endpoint_url.rstrip('/')}/{storage.bucket}"
        return f"https://{storage.bucket}.s3.amazonaws.com"
