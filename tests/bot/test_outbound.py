"""The one outbound path (bot/outbound.py) over real HTTP to the fake Bot API with Telegram's flood limits on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from telegram.ext import ExtBot

from bot.config import Settings
from bot.embedded_redis import EmbeddedRedis
from bot.outbound import (
    Delivery,
    NotSentYet,
    OutboundRateLimiter,
    Traffic,
    reply_rate_limiter,
    retry_after_s,
    send_once,
)
from bot.ratelimit import OutboundLimits
from bot.reports.models import SentMessage
from bot.services import outbound_limits
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI
from tests.fake_flood import FloodLimits

RETRY_AFTER_1S = "Too Many Requests: retry after 1"


async def first_429(fake_api: FakeBotAPI) -> None:
    """Once the fake has answered a 429 (and the limiter has had a moment to record the pause)."""
    await fake_api.wait_for_fault(429)
    await asyncio.sleep(0.05)


@pytest.fixture
def limits(settings: Settings, redis: Redis) -> OutboundLimits:
    settings.broadcast_rate_per_s, settings.broadcast_burst = 2.0, 1  # a bulk budget any burst would break
    settings.chat_rate_per_s, settings.chat_burst = 1.0, 3  # the product's defaults (the suite raises them)
    return outbound_limits(redis, settings)


def bot_for(settings: Settings, limiter: OutboundRateLimiter) -> ExtBot[Traffic]:
    return ExtBot(
        settings.bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        rate_limiter=limiter,
    )


@pytest.fixture
async def replies(settings: Settings, limits: OutboundLimits) -> AsyncIterator[ExtBot[Traffic]]:
    async with bot_for(settings, reply_rate_limiter(limits)) as bot:
        yield bot


@pytest.fixture
async def notices(settings: Settings, limits: OutboundLimits) -> AsyncIterator[ExtBot[Traffic]]:
    async with bot_for(settings, OutboundRateLimiter(limits, Traffic.NOTICE, max_retries=1)) as bot:
        yield bot


class TestReplies:
    async def test_replies_do_not_draw_from_the_bulk_budget(
        self, replies: ExtBot[Traffic], limits: OutboundLimits, fake_api: FakeBotAPI
    ) -> None:
        """Thirty replies to thirty chats at once, on a bulk budget of 2/s: all delivered, none a 429,
        and the budget is still whole for the next notice."""
        flood = fake_api.enforce_flood_limits(FloodLimits(bulk_per_s=2, bulk_burst=1))
        for chat_id in range(1001, 1031):
            flood.note_update(chat_id)
        await asyncio.gather(*(replies.send_message(chat_id, "hi") for chat_id in range(1001, 1031)))
        assert len(fake_api.sent()) == 30 and not flood.too_many
        assert await limits.bulk.try_acquire() == 0

    async def test_a_burst_to_one_chat_is_paced_to_its_limit(
        self, replies: ExtBot[Traffic], fake_api: FakeBotAPI
    ) -> None:
        """Six replies to one chat at once: Telegram (burst 4, then 1/s) answers none of them 429."""
        flood = fake_api.enforce_flood_limits()
        flood.note_update(1101)
        await asyncio.gather(*(replies.send_message(1101, f"part {n}") for n in range(6)))
        assert len(fake_api.sent(1101)) == 6 and not flood.too_many

    async def test_a_429_on_a_reply_pauses_that_chat_only(
        self, replies: ExtBot[Traffic], limits: OutboundLimits, fake_api: FakeBotAPI
    ) -> None:
        """The chat waits out Telegram's 1 s in every process, other chats and bulk sending do not; then the
        reply is sent again, once."""
        fake_api.fail_next("sendMessage", 429, RETRY_AFTER_1S, retry_after=1)
        sending = asyncio.create_task(replies.send_message(1201, "hi"))
        await first_429(fake_api)
        assert await limits.chats.try_acquire(1201) > 0.5
        assert await limits.chats.try_acquire(1202) == 0
        assert await limits.bulk.paused_for() == 0
        await sending
        assert len(fake_api.sent(1201)) == 1


class TestNotices:
    async def test_a_notice_takes_a_bulk_slot(self, notices: ExtBot[Traffic], limits: OutboundLimits) -> None:
        await notices.send_message(1301, "Your report #1 was accepted.")
        assert await limits.bulk.try_acquire() > 0

    async def test_a_429_on_a_notice_pauses_every_process_bulk_sending(
        self, notices: ExtBot[Traffic], settings: Settings, redis: Redis, fake_api: FakeBotAPI
    ) -> None:
        fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
        other_process = outbound_limits(redis, settings)
        sending = asyncio.create_task(notices.send_message(1401, "hello"))
        await first_429(fake_api)
        assert 4 < await other_process.bulk.paused_for() <= 5
        assert await other_process.chats.try_acquire(1402) == 0  # replies to other chats go on
        sending.cancel()

    async def test_a_blocked_chat_gives_the_slot_back(
        self, notices: ExtBot[Traffic], limits: OutboundLimits, fake_api: FakeBotAPI, orm: None, clock: FrozenClock
    ) -> None:
        fake_api.blocked_chats.add(1501)
        assert await send_once(notices, "t:blocked", 1501, "hello", now=clock()) == Delivery.BLOCKED
        assert await limits.bulk.try_acquire() == 0


class TestNotSentYet:
    async def test_a_notice_still_waiting_at_shutdown_is_not_sent_and_can_be_sent_again(
        self, settings: Settings, limits: OutboundLimits, fake_api: FakeBotAPI, orm: None, clock: FrozenClock
    ) -> None:
        """Stopping while a DM waits out a 30 s pause: nothing goes out, its claim is given back (a RetryAfter,
        so its job is deferred to another worker)."""
        stop = asyncio.Event()
        limiter = OutboundRateLimiter(limits, Traffic.NOTICE, max_retries=1, stop=stop)
        await limits.bulk.pause(30)
        async with bot_for(settings, limiter) as bot:
            sending = asyncio.create_task(send_once(bot, "t:stopping", 1601, "hello", now=clock()))
            await asyncio.sleep(0.05)
            stop.set()
            with pytest.raises(NotSentYet):
                await sending
        assert fake_api.sent() == [] and not await SentMessage.exists(key="t:stopping")

    async def test_a_notice_while_the_shared_limits_are_unreachable_is_not_sent_and_can_be_sent_again(
        self, settings: Settings, own_redis: EmbeddedRedis, fake_api: FakeBotAPI, orm: None, clock: FrozenClock
    ) -> None:
        """Never around the budget: with Redis away the DM waits (its job is deferred), its claim given back."""
        client = Redis.from_url(own_redis.url)
        limiter = OutboundRateLimiter(outbound_limits(client, settings), Traffic.NOTICE, max_retries=1)
        own_redis.stop()
        try:
            async with bot_for(settings, limiter) as bot:
                with pytest.raises(NotSentYet) as refused:
                    await send_once(bot, "t:redis-away", 1701, "hello", now=clock())
        finally:
            await client.aclose()
        assert fake_api.sent() == [] and not await SentMessage.exists(key="t:redis-away")
        assert retry_after_s(refused.value) > 0
