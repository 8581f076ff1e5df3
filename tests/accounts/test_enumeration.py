"""Signing in tells no one which emails have accounts: not by status, body, nor time taken."""

import statistics
import time

import httpx
import pytest

from broadsheet.app import close, create_app
from tests.accounts.helpers import log_in
from tests.conftest import settings_for_tests
from tests.helpers import sign_up
from tests.pages.helpers import sign_in_on_site, text_of

SAMPLES = 30
TOLERANCE_MS = 10


async def test_unknown_email_and_wrong_password_answer_alike(client):
    writer = await sign_up(client)

    wrong_password = await log_in(client, writer.email, "not the password")
    unknown_email = await log_in(client, "nobody@example.com", "not the password")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.content == unknown_email.content
    assert wrong_password.headers.get("www-authenticate") == unknown_email.headers.get(
        "www-authenticate"
    )


async def test_sign_in_page_says_the_same_for_unknown_email_and_wrong_password(client):
    writer = await sign_up(client)

    wrong_password = await sign_in_on_site(client, writer.email, "not the password")
    unknown_email = await sign_in_on_site(client, "nobody@example.com", "not the password")

    assert wrong_password.status_code == unknown_email.status_code == 401
    without_email = text_of(wrong_password.text).replace(writer.email, "")
    assert without_email == text_of(unknown_email.text).replace("nobody@example.com", "")


async def _timed_login(client: httpx.AsyncClient, email: str) -> float:
    started = time.perf_counter()
    response = await log_in(client, email, "not the password")
    assert response.status_code == 401
    return (time.perf_counter() - started) * 1000


@pytest.mark.engines("sqlite", "postgresql")
async def test_unknown_email_takes_as_long_as_a_wrong_password(backend):
    # Hashing costly enough that skipping it for unknown emails would show plainly.
    settings = settings_for_tests(
        backend.settings.database.url, password={"memory_kib": 8192, "time_cost": 2}
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            writer = await sign_up(client)
            known, unknown = [], []
            for number in range(SAMPLES):
                # Interleaved, so a busy moment on the machine lands on both.
                known.append(await _timed_login(client, writer.email))
                unknown.append(await _timed_login(client, f"nobody{number}@example.com"))
    finally:
        await close(app)

    assert statistics.median(known) > TOLERANCE_MS, "hashing too cheap to tell anything apart"
    assert abs(statistics.median(known) - statistics.median(unknown)) < TOLERANCE_MS
