"""Every setting, read from the environment, with defaults that run with nothing installed."""

import os
import secrets
import tempfile
from functools import cached_property
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import AliasChoices, Field, IPvAnyNetwork, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "BROADSHEET_REDIS_URL", "redis_url"),
    )
    response_cache: bool = True
    response_cache_ttl_seconds: int = 300
    response_cache_max_bytes: int = 32 * 1024 * 1024
    response_cache_namespace: str = "broadsheet:cache"
    # Purges shared by the worker processes of one machine (and the CLI) when there is no Redis.
    response_cache_purges_file: Path = DATA_DIR / "cache-purges"
    # The job queue: Redis at this URL (REDIS_URL when unset), shared by any number of
    # `broadsheet worker` processes; with neither, a SQLite file shared by this machine's.
    jobs_url: str | None = None
    jobs_file: Path = DATA_DIR / "jobs.db"
    jobs_queue_name: str = "broadsheet"
    # `broadsheet serve` runs a worker in each of its processes unless told not to (when
    # `broadsheet worker` processes run elsewhere).
    embedded_worker: bool = True
    # Jobs one worker runs at once, and how long running ones may take to finish on stop.
    worker_concurrency: int = 10
    worker_grace_seconds: int = 30
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
    metrics_networks: Annotated[list[IPvAnyNetwork], NoDecode] = [
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
    # Attempts to sign in and to sign up, counted in Redis when REDIS_URL is set, else in each
    # worker. Each limit is `limits` notation: "10/minute", several joined by ";", "" for none.
    rate_limits: bool = True
    rate_limit_namespace: str = "broadsheet:limits"
    login_limit_per_address: str = "30/minute"
    login_limit_per_account_and_address: str = "10/minute"
    login_limit_per_account: str = "100/hour"
    signup_limit_per_address: str = "20/hour"
    signup_limit_per_account: str = "5/hour"
    # A new email in an account's settings also counts as a sign-up with it.
    email_change_limit_per_account: str = "10/hour"
    # Uploaded pictures: kept in media_dir and served by the app under /media, unless a bucket
    # is named (any S3-compatible service; the endpoint for one other than AWS). media_url is
    # where readers fetch them: by default base_url/media, or the bucket's own address; set it
    # for a CDN in front.
    media_dir: Path = DATA_DIR / "media"
    media_url: str | None = None
    storage_bucket: str | None = None
    storage_endpoint_url: str | None = None
    storage_region: str | None = None
    storage_access_key_id: str | None = None
    storage_secret_access_key: str | None = None
    # The largest picture file taken, and the largest upload request (the picture with the
    # editor's text around it): uploads have their own body limit, far above max_body_bytes.
    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_body_bytes: int = 11 * 1024 * 1024
    # Pixels a picture may have, counted before it is decoded (a small file can unpack into
    # gigabytes). 40 million is a 7,700 × 5,200 photo.
    upload_max_pixels: int = 40_000_000
    upload_limit_per_account: str = "60/hour"
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; by default nobody's,
    # and the client is the address the connection comes from.
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = []

    @field_validator("database_url")
    @classmethod
    def _name_async_driver(cls, url: str) -> str:
        return async_database_url(url)

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

    @field_validator("jobs_url")
    @classmethod
    def _a_redis_url(cls, url: str | None) -> str | None:
        if url and not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a Redis URL, like redis://host:6379/0")
        return url or None

    @field_validator("secret_key")
    @classmethod
    def _long_enough_to_sign(cls, key: str) -> str:
        if key and len(key.encode()) < SECRET_KEY_MIN_BYTES:
            raise ValueError(f"must be at least {SECRET_KEY_MIN_BYTES} bytes long")
        return key

    @field_validator("cors_origins", "metrics_networks", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator(
        "login_limit_per_address",
        "login_limit_per_account_and_address",
        "login_limit_per_account",
        "signup_limit_per_address",
        "signup_limit_per_account",
        "email_change_limit_per_account",
        "upload_limit_per_account",
    )
    @classmethod
    def _limits_notation(cls, value: str) -> str:
        if value.strip():
            parse_many(value)  # raises ValueError for what it cannot read
        return value.strip()

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
        if self.media_url:
            return self.media_url.rstrip("/")
        if not self.storage_bucket:
            return f"{self.base_url}/media"
        if self.storage_endpoint_url:
            return f"{self.storage_endpoint_url.rstrip('/')}/{self.storage_bucket}"
        return f"https://{self.storage_bucket}.s3.amazonaws.com"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
