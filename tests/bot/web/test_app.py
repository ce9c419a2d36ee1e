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
