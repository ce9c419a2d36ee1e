"""The one send rate shared by every worker process: a GCRA token bucket and a global pause, both in Redis.

GCRA (the generic cell rate algorithm) keeps one number per bucket, the "theoretical arrival time"
(TAT) of the next message. A message may go when now >= TAT - tolerance, and then moves TAT one
interval on, so the long-run rate is exactly `rate_per_s` while `burst` messages can catch up after
a short stall. Both Lua scripts read Redis' own clock, so workers on different hosts agree.

A 429 from Telegram ("retry after N") means the whole bot is over the limit, not one chat: `pause`
stores a pause-until time that every `try_acquire`, in every process, honours; TAT is pushed past
it so sending restarts at the steady rate instead of with a burst.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from redis.asyncio import Redis

#: Redis' clock in microseconds unless the caller passes one (tests do, to stay deterministic).
_NOW = """
local now
if ARGV[3] ~= '' then now = tonumber(ARGV[3]) else
  local t = redis.call('TIME'); now = tonumber(t[1]) * 1000000 + tonumber(t[2]) end
"""

#: KEYS: tat, pause. ARGV: interval_us, tolerance_us, now_us. Returns microseconds to wait, 0 = taken.
ACQUIRE_LUA = (
    _NOW
    + """
local pause_until = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause_until > now then return pause_until - now end
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local allow_at = tat - tolerance
if now < allow_at then return allow_at - now end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return 0
"""
)

#: KEYS: tat, pause, paused_total. ARGV: pause_us, tolerance_us, now_us. Returns the pause time added (us),
#: also summed in paused_total (so operators and the benchmark see how long Telegram held everyone).
PAUSE_LUA = (
    _NOW
    + """
local old_until = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now)
local new_until = math.max(old_until, now + tonumber(ARGV[1]))
if new_until > old_until then
  redis.call('SET', KEYS[2], string.format('%d', new_until), 'PX', math.ceil((new_until - now) / 1000) + 1)
  redis.call('INCRBY', KEYS[3], string.format('%d', new_until - old_until))
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor_tat = new_until + tonumber(ARGV[2])
if tat < floor_tat then
  redis.call('SET', KEYS[1], string.format('%d', floor_tat), 'PX', math.ceil((floor_tat - now) / 1000) + 1000)
end
return new_until - old_until
"""
)

US_PER_S = 1_000_000


class SharedRateLimiter:
    """`acquire()` before every request; `pause(seconds)` when Telegram answers 429."""

    def __init__(
        self,
        redis: Redis,
        rate_per_s: float,
        burst: int = 1,
        *,
        name: str = "broadcast",
        now_us: Callable[[], int] | None = None,
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self.interval_us = max(1, round(US_PER_S / rate_per_s))
        self.tolerance_us = (burst - 1) * self.interval_us
        self.keys = [f"ratelimit:{name}:tat", f"ratelimit:{name}:pause", f"ratelimit:{name}:paused_us"]
        self.paused_total_s = 0.0  # pause time this process added (the benchmark reports it)
        self._now_us = now_us
        self._redis = redis
        self._acquire = redis.register_script(ACQUIRE_LUA)
        self._pause = redis.register_script(PAUSE_LUA)
        # One waiter per process polls Redis at a time: N coroutines sleeping on the same slot would
        # all wake together and race for it.
        self._lock = asyncio.Lock()

    def _now_arg(self) -> str:
        return "" if self._now_us is None else str(self._now_us())

    async def try_acquire(self) -> float:
        """Take a slot now and return 0, or return the seconds until one may be free (nothing taken)."""
        wait_us = await self._acquire(keys=self.keys, args=[self.interval_us, self.tolerance_us, self._now_arg()])
        return int(wait_us) / US_PER_S

    async def acquire(self) -> None:
        """Wait for a slot (pauses included)."""
        async with self._lock:
            while (wait_s := await self.try_acquire()) > 0:  # noqa: ASYNC110 - the state is in Redis
                await asyncio.sleep(wait_s)

    async def pause(self, seconds: float) -> None:
        """Stop every process sending for `seconds` from now (an existing longer pause is kept)."""
        added_us = await self._pause(
            keys=self.keys, args=[max(0, round(seconds * US_PER_S)), self.tolerance_us, self._now_arg()]
        )
        self.paused_total_s += int(added_us) / US_PER_S

    async def paused_total(self) -> float:
        """Seconds every process has spent paused by Telegram since the counter was created."""
        return int(await self._redis.get(self.keys[2]) or 0) / US_PER_S

    async def paused_for(self) -> float:
        """Seconds until the current pause ends (0 when not paused), by Redis' clock."""
        raw = await self._redis.get(self.keys[1])
        if raw is None:
            return 0.0
        if self._now_us is not None:
            now_us = self._now_us()
        else:
            seconds, micros = await self._redis.time()
            now_us = int(seconds) * US_PER_S + int(micros)
        return max(0.0, (int(raw) - now_us) / US_PER_S)
