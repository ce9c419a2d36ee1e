"""Telegram's limits in Redis: the bulk budget (pacing, burst, priorities, the pause after a 429, refunds)
and the per-chat and per-group buckets."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from redis.asyncio import Redis

from bot.embedded_redis import EmbeddedRedis
from bot.ratelimit import ChatLimiter, OutboundLimits, Priority, SharedRateLimiter


class Clock:
    """Microseconds, moved by the test (the limiter otherwise reads Redis' own clock)."""

    def __init__(self) -> None:
        self.now_us = 1_000_000_000

    def __call__(self) -> int:
        return self.now_us


class TestPacing:
    async def test_burst_then_one_per_interval(self, redis: Redis) -> None:
        """At 10/s with a burst of 3: three at once, then one every 100 ms."""
        clock = Clock()
        limiter = SharedRateLimiter(redis, 10, 3, now_us=clock)
        assert [await limiter.try_acquire() for _ in range(3)] == [0, 0, 0]
        assert await limiter.try_acquire() == 0.1
        clock.now_us += 100_000
        assert await limiter.try_acquire() == 0
        assert await limiter.try_acquire() == 0.1

    async def test_two_workers_share_one_budget(self, redis: Redis) -> None:
        """Two limiters (two worker processes) on the same Redis key get one rate between them."""
        clock = Clock()
        first, second = (SharedRateLimiter(redis, 10, 1, now_us=clock) for _ in range(2))
        assert await first.try_acquire() == 0
        assert await second.try_acquire() == 0.1

    async def test_real_clock_sustains_the_rate_across_limiters(self, redis: Redis) -> None:
        """Against Redis' clock, 20 slots at 100/s across two limiters take at least ~0.19 s."""
        first, second = SharedRateLimiter(redis, 100, 1), SharedRateLimiter(redis, 100, 1)
        started = time.monotonic()
        await asyncio.gather(*(limiter.acquire() for limiter in (first, second) for _ in range(10)))
        assert time.monotonic() - started >= 0.18


class TestPause:
    async def test_a_pause_stops_every_limiter(self, redis: Redis) -> None:
        """After one worker sees "retry after 2", every worker waits the same 2 s."""
        clock = Clock()
        first, second = (SharedRateLimiter(redis, 10, 5, now_us=clock) for _ in range(2))
        await first.pause(2)
        assert await second.try_acquire() == 2.0
        assert await second.paused_for() == 2.0
        clock.now_us += 2_000_000
        assert await second.try_acquire() == 0

    async def test_sending_restarts_without_a_burst(self, redis: Redis) -> None:
        """Right after a pause the bucket is empty: the steady rate, not a burst of saved-up slots."""
        clock = Clock()
        limiter = SharedRateLimiter(redis, 10, 5, now_us=clock)
        await limiter.pause(1)
        clock.now_us += 1_000_000
        assert await limiter.try_acquire() == 0
        assert await limiter.try_acquire() == 0.1

    async def test_a_shorter_pause_does_not_cut_a_longer_one(self, redis: Redis) -> None:
        clock = Clock()
        limiter = SharedRateLimiter(redis, 10, 1, now_us=clock)
        await limiter.pause(5)
        await limiter.pause(1)
        assert await limiter.paused_for() == 5.0
        assert limiter.paused_total_s == 5.0 and await limiter.paused_total() == 5.0


class TestPriority:
    async def test_a_waiting_notice_goes_before_broadcasts(self, redis: Redis) -> None:
        """While a status DM waits for the next slot, broadcast senders step aside and it gets that slot."""
        clock = Clock()
        notices, broadcasts = (SharedRateLimiter(redis, 10, 1, now_us=clock) for _ in range(2))
        assert await broadcasts.try_acquire(Priority.BROADCAST) == 0
        assert await notices.try_acquire(Priority.NOTICE) == 0.1  # registers as a waiter
        clock.now_us += 100_000
        assert await broadcasts.try_acquire(Priority.BROADCAST) > 0  # the slot is free, but not for it
        assert await notices.try_acquire(Priority.NOTICE) == 0
        clock.now_us += 100_000
        assert await broadcasts.try_acquire(Priority.BROADCAST) == 0  # no notice waits any more

    async def test_a_vanished_notice_waiter_stops_holding_broadcasts_back(self, redis: Redis) -> None:
        """A waiter whose process died (it never came back for its slot) expires after about 2 s."""
        clock = Clock()
        limiter = SharedRateLimiter(redis, 10, 1, now_us=clock)
        await limiter.try_acquire(Priority.BROADCAST)
        await SharedRateLimiter(redis, 10, 1, now_us=clock).try_acquire(Priority.NOTICE)
        clock.now_us += 2_200_000
        assert await limiter.try_acquire(Priority.BROADCAST) == 0


class TestRefund:
    async def test_a_refused_message_gives_its_slot_back(self, redis: Redis) -> None:
        clock = Clock()
        limiter = SharedRateLimiter(redis, 10, 1, now_us=clock)
        assert await limiter.try_acquire() == 0
        await limiter.refund()
        assert await limiter.try_acquire() == 0
        assert await limiter.try_acquire() == 0.1

    async def test_an_idle_bucket_saves_up_nothing_from_a_refund(self, redis: Redis) -> None:
        clock = Clock()
        limiter = SharedRateLimiter(redis, 10, 1, now_us=clock)
        await limiter.refund()
        assert [await limiter.try_acquire() for _ in range(2)] == [0, 0.1]


class TestChats:
    async def test_a_chat_gets_its_burst_then_one_a_second(self, redis: Redis) -> None:
        clock = Clock()
        chats = ChatLimiter(redis, chat_rate_per_s=1, chat_burst=3, now_us=clock)
        assert [await chats.try_acquire(501) for _ in range(4)] == [0, 0, 0, 1.0]
        assert await chats.try_acquire(502) == 0  # another chat is not held up
        clock.now_us += 1_000_000
        assert await chats.try_acquire(501) == 0

    async def test_a_group_gets_at_most_twenty_a_minute(self, redis: Redis) -> None:
        """However the sends are spread, no 60 s window holds more than 20 messages to one group."""
        clock = Clock()
        chats = ChatLimiter(redis, group_per_min=20, group_burst=4, now_us=clock)
        sent_at_us = []
        for _ in range(200):  # try every 100 ms for 20 s
            if await chats.try_acquire(-1001) == 0:
                sent_at_us.append(clock.now_us)
            clock.now_us += 100_000
        windows = [sum(1 for t in sent_at_us if start <= t < start + 60_000_000) for start in sent_at_us]
        assert max(windows) <= 20
        assert len(sent_at_us) >= 4 + 4  # the burst, then one every 3.75 s

    async def test_a_paused_chat_waits_in_every_process(self, redis: Redis) -> None:
        clock = Clock()
        first, second = (ChatLimiter(redis, now_us=clock) for _ in range(2))
        await first.pause(601, 3)
        assert await second.try_acquire(601) == 3.0
        assert await second.try_acquire(602) == 0

    async def test_while_redis_is_away_chats_are_limited_in_this_process(self, tmp_path: Path) -> None:
        """Replies never fail because Redis is down: the buckets move into the process meanwhile."""
        server = EmbeddedRedis(tmp_path / "own").start()
        client = Redis.from_url(server.url)
        chats = ChatLimiter(client, chat_rate_per_s=1, chat_burst=2)
        server.stop()
        try:
            assert [await chats.try_acquire(701) for _ in range(2)] == [0, 0]
            assert await chats.try_acquire(701) > 0.9
        finally:
            await client.aclose()


class TestOutboundLimits:
    async def test_a_reply_takes_no_bulk_slot(self, redis: Redis) -> None:
        clock = Clock()
        limits = OutboundLimits(SharedRateLimiter(redis, 1, 1, now_us=clock), ChatLimiter(redis, now_us=clock))
        for chat_id in range(801, 821):
            assert await limits.take(chat_id, None, None)
        assert await limits.bulk.try_acquire() == 0

    async def test_stopping_gives_up_a_wait_and_takes_no_bulk_slot(self, redis: Redis) -> None:
        limits = OutboundLimits(SharedRateLimiter(redis, 1, 1), ChatLimiter(redis))
        await limits.bulk.pause(30)
        stop = asyncio.Event()
        stop.set()
        assert not await limits.take(901, Priority.NOTICE, stop)
