"""The login throttle's rules, on the real database: free attempts, then doubling delays, per address."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.admin.models import LoginStreak
from bot.admin.throttle import LoginThrottle, ThrottleRules, forget_stale_streaks
from tests.conftest import FrozenClock

RULES = ThrottleRules(free_attempts=3, base_delay_s=60, max_delay_s=300, forget_after_s=900)
HOME, CAFE = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def throttle(orm: None) -> LoginThrottle:
    return LoginThrottle(RULES)


async def attempts(throttle: LoginThrottle, clock: FrozenClock, n: int, address: str = HOME) -> list[bool]:
    return [await throttle.begin("mei", address, clock()) is None for _ in range(n)]


async def test_the_free_attempts_go_through_then_the_next_waits(throttle: LoginThrottle, clock: FrozenClock) -> None:
    assert await attempts(throttle, clock, 4) == [True, True, True, False]
    assert await throttle.begin("mei", HOME, clock()) == timedelta(seconds=60)


async def test_each_further_attempt_doubles_the_wait_up_to_the_cap(throttle: LoginThrottle, clock: FrozenClock) -> None:
    await attempts(throttle, clock, 3)
    waits = []
    for _ in range(4):
        wait = await throttle.begin("mei", HOME, clock())
        assert wait is not None
        waits.append(wait.total_seconds())
        clock.advance(seconds=wait.total_seconds())
        assert await throttle.begin("mei", HOME, clock()) is None  # the one attempt the wait bought
    assert waits == [60, 120, 240, 300]


async def test_another_address_has_its_own_streak(throttle: LoginThrottle, clock: FrozenClock) -> None:
    """A lockout caused from one address never keeps the same username out from another."""
    await attempts(throttle, clock, 5, HOME)
    assert await throttle.begin("mei", CAFE, clock()) is None


async def test_the_right_password_ends_the_streak(throttle: LoginThrottle, clock: FrozenClock) -> None:
    await attempts(throttle, clock, 2)
    await throttle.succeeded("mei", HOME)
    assert await attempts(throttle, clock, 3) == [True, True, True]


async def test_a_quiet_streak_is_forgotten(throttle: LoginThrottle, clock: FrozenClock) -> None:
    """Once the window has passed after the last delay ended, the free attempts are back."""
    await attempts(throttle, clock, 3)
    clock.advance(seconds=60 + 900)
    assert await attempts(throttle, clock, 3) == [True, True, True]


async def test_parallel_attempts_never_get_more_than_the_free_ones(throttle: LoginThrottle, clock: FrozenClock) -> None:
    """Counted before anything slow happens: 60 attempts at once get 3 tickets between them."""
    results = await asyncio.gather(*(throttle.begin("mei", HOME, clock()) for _ in range(60)))
    assert sum(result is None for result in results) == 3
    assert (await LoginStreak.get(username="mei", address=HOME)).attempts == 3


async def test_housekeeping_drops_only_forgotten_streaks(throttle: LoginThrottle, clock: FrozenClock) -> None:
    await attempts(throttle, clock, 3, HOME)  # HOME's delay ends at +60 s, so it is forgotten at +960 s
    clock.advance(seconds=120)
    await attempts(throttle, clock, 1, CAFE)  # a free attempt at +120 s: forgotten at +1020 s
    assert await forget_stale_streaks(clock() + timedelta(seconds=990 - 120), RULES.forget_after_s) == 1
    assert [streak.address for streak in await LoginStreak.all()] == [CAFE]
