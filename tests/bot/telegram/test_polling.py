"""Long polling (a token, no PUBLIC_URL) feeds the very pipeline the webhook feeds."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.reports.models import ProcessedUpdate
from bot.runtime import WebRuntime, running_web
from tests.bot.helpers import command_update
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI


@pytest.fixture
async def polling_product(
    settings: Settings, clock: FrozenClock, redis: Redis, fake_api: FakeBotAPI
) -> AsyncIterator[WebRuntime]:
    async with running_web(settings.model_copy(update={"public_url": ""}), clock=clock) as runtime:
        yield runtime


async def test_a_polled_command_is_stored_answered_and_its_body_dropped(
    polling_product: WebRuntime, fake_api: FakeBotAPI
) -> None:
    assert fake_api.webhook is None  # the bot said goodbye to any webhook first
    update_id = await fake_api.queue_for_polling({"message": command_update(0, 8801, "/help")["message"]})
    [menu] = await fake_api.wait_for("sendMessage", 1, chat_id=8801)
    assert "/report" in menu["text"]
    await polling_product.pipeline.join()
    stored = await ProcessedUpdate.get(update_id=update_id)
    assert stored.body is None and stored.done_at is not None


async def test_a_malformed_polled_update_does_not_stop_polling(
    polling_product: WebRuntime, fake_api: FakeBotAPI
) -> None:
    """The offset moves past it (else getUpdates would return it forever) and the next one is answered."""
    bad = command_update(0, 8802, "/help")["message"]
    bad["chat"]["id"] = {"not": "a number"}
    await fake_api.queue_for_polling({"message": bad})
    await fake_api.queue_for_polling({"message": command_update(0, 8803, "/help")["message"]})
    [menu] = await fake_api.wait_for("sendMessage", 1, chat_id=8803)
    assert "/report" in menu["text"]
