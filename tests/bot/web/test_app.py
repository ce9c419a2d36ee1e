"""The web app shell: which doors it opens. Polling and the sandbox take no updates over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.config import OLD_DEFAULT_WEBHOOK_SECRET, Settings
from bot.reports.models import ProcessedUpdate, Resident
from bot.runtime import WebRuntime, running_web
from tests.admin_client import PASSWORD, AdminClient, make_staff
from tests.conftest import FrozenClock

FORGED_START: dict[str, Any] = {
    "update_id": 77,
    "message": {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 3001, "type": "private"},
        "from": {"id": 3001, "is_bot": False, "first_name": "Mallory"},
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    },
}


async def post_forged_update(runtime: WebRuntime, secret: str) -> int:
    url = runtime.settings.local_base_url() + runtime.settings.webhook_path
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with aiohttp.ClientSession() as session, session.post(url, json=FORGED_START, headers=headers) as response:
        return response.status


@pytest.fixture
async def polling_product(db: None, settings: Settings, clock: FrozenClock, redis: Redis) -> AsyncIterator[WebRuntime]:
    """A real token and no PUBLIC_URL: the bot long-polls Telegram."""
    async with running_web(settings.model_copy(update={"public_url": ""}), clock=clock) as runtime:
        yield runtime


async def test_polling_mode_has_no_webhook_to_forge(polling_product: WebRuntime) -> None:
    """A POST to the webhook path with the once-published secret gets 404, and nothing is stored."""
    assert await post_forged_update(polling_product, OLD_DEFAULT_WEBHOOK_SECRET) == 404
    await polling_product.ptb.update_queue.join()
    assert not await ProcessedUpdate.exists() and not await Resident.exists()


async def test_the_sandbox_has_no_webhook_to_forge(sandbox_product: WebRuntime) -> None:
    """Without a token the sandbox hands its updates over inside the process: the webhook path is 404."""
    assert await post_forged_update(sandbox_product, sandbox_product.settings.webhook_secret) == 404
    assert not await ProcessedUpdate.exists()


async def test_webhook_mode_still_takes_updates_with_the_secret(product: WebRuntime) -> None:
    """The webhook itself stays: with the configured secret the same update is taken (200)."""
    assert await post_forged_update(product, product.settings.webhook_secret) == 200


@pytest.mark.parametrize("path", ["/admin/login", "/healthz", "/admin/static/admin.css"])
async def test_admin_responses_carry_the_browser_guards(product: WebRuntime, path: str) -> None:
    async with aiohttp.ClientSession() as session, session.get(product.settings.local_base_url() + path) as response:
        assert response.status == 200
        headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"


async def test_the_sandbox_page_carries_the_browser_guards(sandbox_product: WebRuntime) -> None:
    url = sandbox_product.settings.local_base_url() + "/sandbox"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200 and "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "https://127.0.0.1.evil.example"])
async def test_a_cross_origin_admin_post_is_refused_before_the_handler(product: WebRuntime, origin: str) -> None:
    """Even with the right CSRF token and the session cookie, a POST whose Origin is another site gets 403."""
    await make_staff("cross")
    client = AdminClient(product.settings.local_base_url())
    try:
        await client.get("/admin/login")
        form = {"username": "cross", "password": PASSWORD}
        status, _ = await client.post("/admin/login", form, headers={"Origin": origin}, allow_redirects=False)
        assert status == 403
        own = {"Origin": product.settings.local_base_url()}
        status, _ = await client.post("/admin/login", form, headers=own, allow_redirects=False)
        assert status == 303
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/admin/static/admin.css", "text/css"),
        ("/admin/static/redact.js", "application/javascript"),
        ("/admin/static/broadcasts/progress.js", "application/javascript"),
    ],
)
async def test_the_moved_styles_and_scripts_are_served(product: WebRuntime, path: str, content_type: str) -> None:
    """What used to be inline (now forbidden by the CSP) is served as a file, next to a feature's own files."""
    async with aiohttp.ClientSession() as session, session.get(product.settings.local_base_url() + path) as response:
        assert response.status == 200 and response.content_type == content_type
