"""Settings come from the environment, with defaults that run with nothing installed."""

import os
import stat
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError

from broadsheet.settings import Settings, kept_secret_key

WORKERS = 16


@pytest.fixture(autouse=True)
def unconfigured(monkeypatch):
    """Start every test from an environment that configures nothing."""
    for name in list(os.environ):
        if name.startswith("BROADSHEET_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("plain", "with_driver"),
    [
        ("postgresql://u:p@db:5432/news", "postgresql+asyncpg://u:p@db:5432/news"),
        ("postgres://u:p@db:5432/news", "postgresql+asyncpg://u:p@db:5432/news"),
        ("mysql://u:p@db:3306/news", "mysql+asyncmy://u:p@db:3306/news"),
        ("mariadb://u:p@db:3306/news", "mysql+asyncmy://u:p@db:3306/news"),
        ("sqlite:///./var/news.db", "sqlite+aiosqlite:///./var/news.db"),
    ],
)
def test_plain_database_url_gets_an_async_driver(monkeypatch, plain, with_driver):
    monkeypatch.setenv("DATABASE_URL", plain)

    assert Settings().database_url == with_driver


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://u:p@db/news",
        "postgresql+psycopg://u:p@db/news",
        "mysql+aiomysql://u:p@db/news",
        "sqlite+aiosqlite:///news.db",
    ],
)
def test_database_url_naming_a_driver_is_kept(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)

    assert Settings().database_url == url


def test_prefixed_database_url_is_read_too(monkeypatch):
    monkeypatch.setenv("BROADSHEET_DATABASE_URL", "postgres://db/news")

    assert Settings().database_url == "postgresql+asyncpg://db/news"


def test_default_database_is_a_sqlite_file_under_var():
    settings = Settings()

    assert settings.database_url == "sqlite+aiosqlite:///./var/broadsheet.db"
    assert settings.is_sqlite


def test_cors_origins_are_split_on_commas(monkeypatch):
    monkeypatch.setenv("BROADSHEET_CORS_ORIGINS", "https://a.example, https://b.example ,,")

    assert Settings().cors_origins == ["https://a.example", "https://b.example"]


def test_single_cors_origin_is_a_list_of_one(monkeypatch):
    monkeypatch.setenv("BROADSHEET_CORS_ORIGINS", "https://a.example")

    assert Settings().cors_origins == ["https://a.example"]


def test_token_lifetime_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("BROADSHEET_TOKEN_TTL_SECONDS", "3600")

    assert Settings().token_ttl_seconds == 3600


def test_secret_key_is_generated_once_and_kept_in_var(var_dir):
    key = Settings().signing_key

    key_file = var_dir / "secret_key"
    assert key_file.read_text().strip() == key
    assert len(key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings().signing_key == key


def test_fresh_data_directories_get_different_keys(tmp_path, monkeypatch):
    keys = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)
        keys.append(Settings().signing_key)

    assert keys[0] != keys[1]


def keys_from_simultaneous_starts(key_file: Path) -> list[str]:
    """The key each of WORKERS threads, released at once, reads or creates in `key_file`."""
    starting_line = threading.Barrier(WORKERS)
    keys: list[str] = []

    def start() -> None:
        starting_line.wait()
        keys.append(kept_secret_key(key_file))

    workers = [threading.Thread(target=start) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return keys


def test_workers_starting_together_agree_on_one_key(tmp_path):
    # The moment when workers can disagree is short, so the first start is tried many times.
    for attempt in range(20):
        key_file = tmp_path / str(attempt) / "secret_key"

        keys = keys_from_simultaneous_starts(key_file)

        assert set(keys) == {key_file.read_text().strip()}
        assert list(key_file.parent.iterdir()) == [key_file]


def test_configured_secret_key_is_used_and_nothing_is_written(monkeypatch, var_dir):
    monkeypatch.setenv("BROADSHEET_SECRET_KEY", "k" * 48)

    assert Settings().signing_key == "k" * 48
    assert not var_dir.exists()


def test_short_secret_key_is_refused(monkeypatch, var_dir):
    monkeypatch.setenv("BROADSHEET_SECRET_KEY", "changeme")

    with pytest.raises(ValidationError, match="secret_key"):
        Settings()


@pytest.mark.parametrize(
    ("base_url", "allowed_hosts", "answered"),
    [
        ("http://127.0.0.1:8000", None, {"127.0.0.1", "localhost", "::1"}),
        ("http://localhost:8000", None, {"127.0.0.1", "localhost", "::1"}),
        ("https://News.Example", None, {"news.example"}),
        ("https://news.example", "news.example, .news.example", {"news.example", ".news.example"}),
        ("https://news.example", "*", {"*"}),
    ],
)
def test_the_hosts_answered_default_to_the_base_url(monkeypatch, base_url, allowed_hosts, answered):
    monkeypatch.setenv("BROADSHEET_BASE_URL", base_url)
    if allowed_hosts is not None:
        monkeypatch.setenv("BROADSHEET_ALLOWED_HOSTS", allowed_hosts)

    assert Settings().hosts_allowed == answered


@pytest.mark.parametrize(
    "base_url",
    ["news.example", "ftp://news.example", "https://news.example/blog", "https://u:p@news.example"],
)
def test_a_base_url_that_is_not_an_origin_is_refused(monkeypatch, base_url):
    monkeypatch.setenv("BROADSHEET_BASE_URL", base_url)

    with pytest.raises(ValidationError, match="base_url"):
        Settings()


def test_the_base_url_is_kept_without_a_trailing_slash_and_in_lower_case(monkeypatch):
    monkeypatch.setenv("BROADSHEET_BASE_URL", "https://News.Example:8443/")

    assert Settings().base_url == "https://news.example:8443"
