"""Rate limits on signing in and signing up: per address, per account, shared through Redis,
and blind to an X-Forwarded-For that no trusted proxy wrote."""

import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from pydantic import ValidationError

from broadsheet.app import close, create_app
from tests.accounts.helpers import log_in, register
from tests.conftest import settings_for_tests
from tests.helpers import PASSWORD, redis_or_skip
from tests.pages.helpers import error_beside, field_value, submit, text_of

pytestmark = pytest.mark.engines("sqlite")

HOME = ("198.51.100.7", 50000)
OFFICE = ("203.0.113.9", 50000)
PROXY = ("10.0.0.2", 50000)

Browser = Callable[..., httpx.AsyncClient]


@asynccontextmanager
async def site(backend, **settings) -> AsyncIterator[Browser]:
    """An app with these settings; call the result with a client address to get a client."""
    app = create_app(settings_for_tests(backend.settings.database.url, **settings))
    clients: list[httpx.AsyncClient] = []

    def client_from(address: tuple[str, int] = HOME) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=address)
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        return clients[-1]

    try:
        yield client_from
    finally:
        for client in clients:
            await client.aclose()
        await close(app)


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 3600
    assert list(response.json()["errors"]) == ["attempts"]


async def test_login_past_the_account_and_address_limit_answers_429_with_retry_after(backend):
    async with site(backend, limits={"login_per_account_and_address": "3/hour"}) as client_from:
        client = client_from()
        await register(client)
        for _ in range(3):
            assert (await log_in(client, "alice@example.com", "wrong guess")).status_code == 401

        refused = await log_in(client, "alice@example.com", PASSWORD)

        assert_refused(refused)
        assert "try again in" in refused.json()["errors"]["attempts"][0]


async def test_account_and_address_limit_leaves_other_accounts_and_addresses_alone(backend):
    async with site(backend, limits={"login_per_account_and_address": "2/hour"}) as client_from:
        home, office = client_from(HOME), client_from(OFFICE)
        await register(home)
        await register(home, username="bob", email="bob@example.com")
        for _ in range(2):
            await log_in(home, "alice@example.com", "wrong guess")
        assert (await log_in(home, "alice@example.com", PASSWORD)).status_code == 429

        assert (await log_in(home, "bob@example.com", PASSWORD)).status_code == 200
        assert (await log_in(office, "alice@example.com", PASSWORD)).status_code == 200


async def test_login_limit_per_address_counts_every_account(backend):
    async with site(backend, limits={"login_per_address": "3/hour"}) as client_from:
        home = client_from(HOME)
        for number in range(3):
            assert (await log_in(home, f"guess{number}@example.com", "x")).status_code == 401

        assert_refused(await log_in(home, "guess9@example.com", "x"))
        assert (await log_in(client_from(OFFICE), "guess9@example.com", "x")).status_code == 401


async def test_login_limit_per_account_counts_every_address(backend):
    async with site(backend, limits={"login_per_account": "3/hour"}) as client_from:
        await register(client_from())
        for number in range(3):
            elsewhere = client_from((f"192.0.2.{number}", 1000))
            assert (await log_in(elsewhere, "alice@example.com", "wrong")).status_code == 401

        refused = await log_in(client_from(OFFICE), "ALICE@example.com", PASSWORD)

        assert_refused(refused)


async def test_limit_answers_alike_for_known_and_unknown_emails(backend):
    async with site(backend, limits={"login_per_account_and_address": "1/hour"}) as client_from:
        client = client_from()
        await register(client)
        for email in ("alice@example.com", "nobody@example.com"):
            await log_in(client, email, "wrong guess")
        known = await log_in(client, "alice@example.com", "wrong guess")
        unknown = await log_in(client, "nobody@example.com", "wrong guess")

    assert known.status_code == unknown.status_code == 429
    assert known.json()["errors"].keys() == unknown.json()["errors"].keys()


async def test_sign_up_limit_per_address(backend):
    async with site(backend, limits={"signup_per_address": "2/hour"}) as client_from:
        home = client_from(HOME)
        for name in ("alice", "bob"):
            assert (await register(home, username=name, email=f"{name}@example.com")).is_success

        assert_refused(await register(home, username="carol", email="carol@example.com"))
        created = await register(client_from(OFFICE), username="carol", email="carol@example.com")
        assert created.status_code == 201


async def test_sign_up_limit_per_email_slows_probing_which_emails_are_taken(backend):
    async with site(backend, limits={"signup_per_account": "2/hour"}) as client_from:
        await register(client_from(HOME))
        taken = await register(client_from(OFFICE), username="alice2")
        assert taken.status_code == 422

        assert_refused(await register(client_from(OFFICE), username="alice3"))


async def test_sign_in_page_past_the_limit_explains_and_keeps_the_email(backend):
    async with site(backend, limits={"login_per_account_and_address": "1/hour"}) as client_from:
        browser = client_from()
        await register(browser)
        await submit(browser, "/signin", email="alice@example.com", password="wrong guess")

        response = await submit(browser, "/signin", email="alice@example.com", password=PASSWORD)

    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/html")
    assert 1 <= int(response.headers["retry-after"]) <= 3600
    assert "Too many attempts; please try again in" in text_of(response.text)
    assert field_value(response.text, "email") == "alice@example.com"
    assert "broadsheet_session" not in response.cookies


async def test_sign_up_page_past_the_limit_explains_and_keeps_what_was_typed(backend):
    async with site(backend, limits={"signup_per_address": "1/hour"}) as client_from:
        browser = client_from()
        fields = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
        assert (await submit(browser, "/signup", **fields)).status_code == 303
        browser.cookies.clear()

        response = await submit(
            browser, "/signup", username="bob", email="bob@example.com", password=PASSWORD
        )

    assert response.status_code == 429
    assert "retry-after" in response.headers
    assert "Too many attempts" in text_of(response.text)
    assert field_value(response.text, "username") == "bob"
    assert field_value(response.text, "email") == "bob@example.com"
    assert field_value(response.text, "password") == ""
    assert error_beside(response.text, "username") == ""


async def test_limits_switched_off_let_every_attempt_through(backend):
    async with site(
        backend, limits={"login_per_address": "1/hour", "enabled": False}
    ) as client_from:
        client = client_from()
        await register(client)
        statuses = {
            (await log_in(client, "alice@example.com", PASSWORD)).status_code for _ in "12345"
        }

    assert statuses == {200}


async def test_x_forwarded_for_from_an_untrusted_peer_does_not_escape_the_address_limit(backend):
    async with site(backend, limits={"login_per_address": "2/hour"}) as client_from:
        client = client_from(HOME)
        statuses = []
        for number in range(4):
            spoofed = {"X-Forwarded-For": f"192.0.2.{number}"}
            response = await client.post(
                "/api/users/login",
                json={"user": {"email": "a@example.com", "password": "x"}},
                headers=spoofed,
            )
            statuses.append(response.status_code)

    assert statuses == [401, 401, 429, 429]


async def test_a_trusted_proxy_names_the_client_and_spoofing_through_it_fails(backend):
    settings = {"limits": {"login_per_address": "2/hour"}, "trusted_proxies": "10.0.0.0/24"}
    async with site(backend, **settings) as client_from:
        proxy = client_from(PROXY)

        async def attempt(forwarded_for: str) -> int:
            response = await proxy.post(
                "/api/users/login",
                json={"user": {"email": "a@example.com", "password": "x"}},
                headers={"X-Forwarded-For": forwarded_for},
            )
            return response.status_code

        # The proxy appends the address it saw; what the client claimed comes before it.
        home = [await attempt(f"192.0.2.{n}, {HOME[0]}") for n in range(3)]
        office = await attempt(OFFICE[0])
        direct_spoof = await client_from(HOME).post(
            "/api/users/login",
            json={"user": {"email": "a@example.com", "password": "x"}},
            headers={"X-Forwarded-For": OFFICE[0]},
        )

    assert home == [401, 401, 429]
    assert office == 401
    assert direct_spoof.status_code == 429


def test_unreadable_limits_are_refused_at_startup():
    with pytest.raises(ValidationError, match=r"limits\.login_per_address"):
        settings_for_tests("sqlite+aiosqlite://", limits={"login_per_address": "ten a minute"})


def test_trusted_proxies_must_be_addresses_or_networks():
    with pytest.raises(ValidationError, match="trusted_proxies"):
        settings_for_tests("sqlite+aiosqlite://", trusted_proxies="proxy.example.com")


async def test_app_servers_sharing_redis_count_attempts_together(backend):
    shared = {
        "redis_url": await redis_or_skip(),
        "limits": {
            "namespace": f"test:limits:{secrets.token_hex(8)}",
            "login_per_account_and_address": "3/hour",
        },
    }
    async with site(backend, **shared) as one, site(backend, **shared) as two:
        await register(one())
        statuses = [
            (await log_in(server(), "alice@example.com", "wrong")).status_code
            for server in (one, two, one, two)
        ]

    assert statuses == [401, 401, 401, 429]


async def test_limits_hold_in_each_worker_while_redis_is_unreachable(backend, caplog):
    unreachable = {"redis_url": "redis://127.0.0.1:1/0", "limits": {"login_per_address": "2/hour"}}
    async with site(backend, **unreachable) as client_from:
        client = client_from()
        with caplog.at_level(logging.WARNING, logger="broadsheet.ratelimit"):
            statuses = [(await log_in(client, "a@example.com", "x")).status_code for _ in "123"]

    assert statuses == [401, 401, 429]
    assert "Redis unreachable" in caplog.text
