"""Unsolicited photos and map pins: sent at most once per key, a blocked chat marked, like texts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.config import Settings
from bot.outbound import Delivery, build_outbound_bot, send_location_once, send_photo_once
from bot.reports.models import Resident, SentMessage
from tests.factories import jpeg_bytes
from tests.fake_botapi import FakeBotAPI

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
async def bot(orm: None, settings: Settings) -> AsyncIterator[ExtBot[Any]]:
    outbound = build_outbound_bot(settings)
    await outbound.initialize()
    yield outbound
    await outbound.shutdown()


async def test_a_photo_is_sent_once_per_key_with_its_caption_and_buttons(
    bot: ExtBot[Any], fake_api: FakeBotAPI
) -> None:
    photo = jpeg_bytes()
    first = await send_photo_once(bot, "k:photo", 501, photo, caption="Before | after", now=NOW)
    again = await send_photo_once(bot, "k:photo", 501, photo, caption="Before | after", now=NOW)
    assert (first, again) == (Delivery.SENT, Delivery.ALREADY_SENT)
    [sent] = fake_api.sent(501, "sendPhoto")
    assert sent["photo"] == photo and sent["caption"] == "Before | after"


async def test_a_map_pin_is_sent_once_per_key(bot: ExtBot[Any], fake_api: FakeBotAPI) -> None:
    assert await send_location_once(bot, "k:pin", 502, 31.2304, 121.4737, now=NOW) == Delivery.SENT
    assert await send_location_once(bot, "k:pin", 502, 31.2304, 121.4737, now=NOW) == Delivery.ALREADY_SENT
    [pin] = fake_api.sent(502, "sendLocation")
    assert (float(pin["latitude"]), float(pin["longitude"])) == (31.2304, 121.4737)


async def test_a_blocked_chat_is_marked_and_the_key_stays_claimed(bot: ExtBot[Any], fake_api: FakeBotAPI) -> None:
    await Resident.create(id=503, chat_id=503, first_name="R")
    fake_api.blocked_chats.add(503)
    assert await send_photo_once(bot, "k:blocked", 503, jpeg_bytes(), caption="x", now=NOW) == Delivery.BLOCKED
    assert (await Resident.get(id=503)).blocked_bot and await SentMessage.exists(key="k:blocked")


async def test_a_flood_limit_gives_the_key_back_for_the_retry(bot: ExtBot[Any], fake_api: FakeBotAPI) -> None:
    """PTB's limiter retries a 429 itself; when Telegram keeps refusing, the job must be deferred and may send."""
    for _ in range(4):
        fake_api.fail_next("sendLocation", 429, "Too Many Requests: retry after 1", retry_after=1)
    with pytest.raises(RetryAfter):
        await send_location_once(bot, "k:flood", 504, 31.2, 121.4, now=NOW)
    assert not await SentMessage.exists(key="k:flood")
