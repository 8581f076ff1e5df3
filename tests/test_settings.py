"""Settings come from the environment, with defaults that run with nothing installed."""

import os
import stat
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from broadsheet.cli import app as cli
from broadsheet.settings import RENAMED, Settings, kept_secret_key, renamed_in_use, variable_name

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

    assert Settings().database.url == with_driver


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

    assert Settings().database.url == url


def test_prefixed_database_url_is_read_too(monkeypatch):
    monkeypatch.setenv("BROADSHEET_DATABASE_URL", "postgres://db/news")

    assert Settings().database.url == "postgresql+asyncpg://db/news"


def test_the_prefixed_database_url_wins_over_the_platforms(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://platform/news")
    monkeypatch.setenv("BROADSHEET_DATABASE_URL", "postgres://chosen/news")

    assert Settings().database.url == "postgresql+asyncpg://chosen/news"


def test_a_groups_settings_are_read_from_the_group_and_the_name(monkeypatch):
    monkeypatch.setenv("BROADSHEET_DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("BROADSHEET_CACHE_TTL_SECONDS", "60")
    monkeypatch.setenv("BROADSHEET_LIMITS_LOGIN_PER_ADDRESS", "5/minute")
    monkeypatch.setenv("BROADSHEET_STORAGE_SECRET_ACCESS_KEY", "s3cr3t")
    monkeypatch.setenv("BROADSHEET_WORKER_EMBEDDED", "false")

    settings = Settings()

    assert settings.database.pool_size == 3
    assert settings.cache.ttl_seconds == 60
    assert settings.limits.login_per_address == "5/minute"
    assert settings.storage.secret_access_key == "s3cr3t"
    assert settings.worker.embedded is False
    # The rest of each group keeps its defaults.
    assert settings.database.url == "sqlite+aiosqlite:///./var/broadsheet.db"
    assert settings.limits.signup_per_address == "20/hour"


def test_settings_given_in_code_change_only_what_they_name(monkeypatch):
    monkeypatch.setenv("BROADSHEET_CACHE_TTL_SECONDS", "60")

    settings = Settings(cache={"enabled": False})

    assert settings.cache.enabled is False
    assert settings.cache.ttl_seconds == 60


# A value unlike the default for each setting that was renamed.
UNLIKE_THE_DEFAULT = {
    "echo": "true",
    "enabled": "false",
    "embedded": "false",
    "ttl_seconds": "7",
    "max_bytes": "7",
    "namespace": "elsewhere",
    "purges_file": "/srv/purges",
    "directory": "/srv/media",
    "public_url": "https://cdn.example",
}


@pytest.mark.parametrize(("old", "place"), list(RENAMED.items()))
def test_every_name_from_before_the_grouping_is_still_read(monkeypatch, old, place):
    group, name = place
    value = UNLIKE_THE_DEFAULT.get(name, "7/hour")
    default = getattr(getattr(Settings(), group), name)
    monkeypatch.setenv(variable_name(group, name), value)
    by_new_name = getattr(getattr(Settings(), group), name)
    monkeypatch.delenv(variable_name(group, name))
    monkeypatch.setenv(old, value)

    by_old_name = getattr(getattr(Settings(), group), name)

    assert by_old_name == by_new_name != default
    assert renamed_in_use({old: value}) == [(old, variable_name(group, name))]


def test_the_new_name_wins_over_the_old(monkeypatch):
    monkeypatch.setenv("BROADSHEET_RESPONSE_CACHE_TTL_SECONDS", "9")
    monkeypatch.setenv("BROADSHEET_CACHE_TTL_SECONDS", "7")

    assert Settings().cache.ttl_seconds == 7


def test_the_command_line_asks_for_old_names_to_be_renamed(tmp_path):
    environment = {
        "BROADSHEET_JOBS_FILE": str(tmp_path / "jobs.db"),
        "BROADSHEET_RATE_LIMITS": "false",
    }

    result = CliRunner().invoke(cli, ["jobs", "list"], env=environment)

    assert result.exit_code == 0, result.output
    assert (
        "BROADSHEET_RATE_LIMITS is now BROADSHEET_LIMITS_ENABLED: rename it"
        " (the old name is still read)"
    ) in result.stderr
    assert "BROADSHEET_JOBS_FILE" not in result.stderr


def test_default_database_is_a_sqlite_file_under_var():
    settings = Settings()

    assert settings.database.url == "sqlite+aiosqlite:///./var/broadsheet.db"
    assert settings.database.is_sqlite


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
