"""The Redis GCRA limiter shared by every worker: pacing, burst, and the global pause after a 429."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from bot.ratelimit import SharedRateLimiter


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
