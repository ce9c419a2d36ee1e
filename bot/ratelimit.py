"""Telegram's send limits held in Redis, so they hold across every web and worker process.

Two kinds of bucket, both GCRA (the generic cell rate algorithm: one number per bucket, the
"theoretical arrival time" (TAT) of the next message; a message may go when now >= TAT - tolerance,
and moves TAT one interval on, so the long-run rate is exactly the rate while `burst` messages can
catch up after a pause):

* `SharedRateLimiter`: the bot's ONE bulk budget (every unsolicited message: broadcasts, status DMs,
  reminders, group posts), with priorities: while a `NOTICE` waits for a slot, `BROADCAST` senders
  step aside, so a million-recipient broadcast delays a status DM by at most a slot or two.
* `ChatLimiter`: one bucket per chat (about one message a second, short bursts tolerated) and per
  group (20 a minute). Replies to updates draw only from these, never from the bulk budget.

Each bucket has a pause: a 429 "retry after N" stops that scope (the whole bot's bulk sending, or
one chat) in every process, and TAT is pushed past the pause so sending restarts at the steady rate
instead of with a burst. The Lua scripts read Redis' own clock, so processes on different hosts agree.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

#: Redis' clock in microseconds unless the caller passes one (tests do, to stay deterministic).
_NOW = """
local now
if ARGV[3] ~= '' then now = tonumber(ARGV[3]) else
  local t = redis.call('TIME'); now = tonumber(t[1]) * 1000000 + tonumber(t[2]) end
"""

#: KEYS: tat, pause, notice waiters (a sorted set: waiter -> expiry).
#: ARGV: interval_us, tolerance_us, now_us, priority ('' none, 'notice', 'broadcast'), waiter id.
#: Returns microseconds to wait; 0 means the slot was taken.
ACQUIRE_LUA = (
    _NOW
    + """
local interval, tolerance, priority = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[4]
local wait = 0
local pause_until = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause_until > now then
  wait = pause_until - now
else
  if priority == 'broadcast' then
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
    if redis.call('ZCARD', KEYS[3]) > 0 then return interval end
  end
  local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
  local allow_at = tat - tolerance
  if now >= allow_at then
    local new_tat = tat + interval
    redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
    if priority == 'notice' then redis.call('ZREM', KEYS[3], ARGV[5]) end
    return 0
  end
  wait = allow_at - now
end
if priority == 'notice' then
  -- Broadcasts step aside while this waiter is registered; a waiter whose process died expires.
  redis.call('ZADD', KEYS[3], string.format('%d', now + wait + 2000000), ARGV[5])
  redis.call('PEXPIRE', KEYS[3], math.ceil(wait / 1000) + 2000)
end
return wait
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

#: KEYS: tat. ARGV: interval_us, (unused), now_us. Gives one slot back (never below now).
REFUND_LUA = (
    _NOW
    + """
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat > now then
  local new_tat = math.max(now, tat - tonumber(ARGV[1]))
  redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
end
return 0
"""
)

US_PER_S = 1_000_000
#: While a chat waits, it is asked again at least this often (a pause set meanwhile is seen in time).
MAX_POLL_S = 1.0


class Priority(StrEnum):
    NOTICE = "notice"  #: status DMs, reminders, group posts, previews: before any broadcast
    BROADCAST = "broadcast"  #: broadcasts, the education day, bulletins


def gcra(rate_per_s: float, burst: int) -> tuple[int, int]:
    """(interval, tolerance) in microseconds for `rate_per_s` with `burst` messages at once."""
    if rate_per_s <= 0 or burst < 1:
        raise ValueError("the rate must be positive and the burst at least 1")
    interval_us = max(1, round(US_PER_S / rate_per_s))
    return interval_us, (burst - 1) * interval_us


async def wait_or_stop(seconds: float, stop: asyncio.Event | None) -> bool:
    """Sleep `seconds`; True when `stop` was set meanwhile (the process is shutting down)."""
    if stop is None:
        await asyncio.sleep(seconds)
        return False
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


class SharedRateLimiter:
    """The bot's bulk budget: `acquire(priority)` before every unsolicited message, `pause(s)` on a 429."""

    def __init__(
        self,
        redis: Redis,
        rate_per_s: float,
        burst: int = 1,
        *,
        name: str = "bulk",
        now_us: Callable[[], int] | None = None,
    ) -> None:
        self.interval_us, self.tolerance_us = gcra(rate_per_s, burst)
        prefix = f"ratelimit:{name}"
        self.keys = [f"{prefix}:tat", f"{prefix}:pause", f"{prefix}:paused_us", f"{prefix}:notice_waiters"]
        self.paused_total_s = 0.0  # pause time this process added
        self._now_us = now_us
        self._redis = redis
        self._acquire = redis.register_script(ACQUIRE_LUA)
        self._pause = redis.register_script(PAUSE_LUA)
        self._refund = redis.register_script(REFUND_LUA)
        # One waiter per process and priority polls Redis at a time: N coroutines sleeping on the same
        # slot would all wake together and race for it. Per priority, so a notice never queues behind
        # this process's broadcast senders.
        self._locks = {priority: asyncio.Lock() for priority in Priority}
        self._waiter = uuid.uuid4().hex  # this process's notice waiter in Redis

    def _now_arg(self) -> str:
        return "" if self._now_us is None else str(self._now_us())

    async def try_acquire(self, priority: Priority = Priority.NOTICE) -> float:
        """Take a slot now and return 0, or return the seconds until one may be free (nothing taken)."""
        keys = [self.keys[0], self.keys[1], self.keys[3]]
        args: list[int | str] = [self.interval_us, self.tolerance_us, self._now_arg(), priority.value, self._waiter]
        return int(await self._acquire(keys=keys, args=args)) / US_PER_S

    async def acquire(self, priority: Priority = Priority.NOTICE, stop: asyncio.Event | None = None) -> bool:
        """Wait for a slot (pauses included); False, with nothing taken, when `stop` is set first."""
        async with self._locks[priority]:
            while (wait_s := await self.try_acquire(priority)) > 0:
                if await wait_or_stop(wait_s, stop):
                    return False
        return True

    async def pause(self, seconds: float) -> None:
        """Stop every process sending for `seconds` from now (an existing longer pause is kept)."""
        keys = [self.keys[0], self.keys[1], self.keys[2]]
        added_us = await self._pause(
            keys=keys, args=[max(0, round(seconds * US_PER_S)), self.tolerance_us, self._now_arg()]
        )
        self.paused_total_s += int(added_us) / US_PER_S

    async def refund(self) -> None:
        """Give a slot back: Telegram refused the message (blocked, chat not found), nobody received it."""
        await self._refund(keys=[self.keys[0]], args=[self.interval_us, "", self._now_arg()])

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


class LocalBuckets:
    """The same GCRA in this process's memory: what replies fall back on while Redis is away (each process
    then keeps the per-chat limits on its own; Telegram's 429s still pause a chat)."""

    MAX_KEYS = 50_000

    def __init__(self, now_us: Callable[[], int]) -> None:
        self._now_us = now_us
        self._tat: dict[str, int] = {}
        self._paused_until: dict[str, int] = {}

    def try_acquire(self, key: str, interval_us: int, tolerance_us: int) -> float:
        now = self._now_us()
        if (paused_until := self._paused_until.get(key, 0)) > now:
            return (paused_until - now) / US_PER_S
        tat = max(self._tat.get(key, 0), now)
        if now < tat - tolerance_us:
            return (tat - tolerance_us - now) / US_PER_S
        if len(self._tat) >= self.MAX_KEYS:  # forget buckets that are full again (idle chats)
            self._tat = {k: v for k, v in self._tat.items() if v > now}
            self._paused_until = {k: v for k, v in self._paused_until.items() if v > now}
        self._tat[key] = tat + interval_us
        return 0.0

    def pause(self, key: str, seconds: float) -> None:
        until = self._now_us() + round(seconds * US_PER_S)
        self._paused_until[key] = max(self._paused_until.get(key, 0), until)


def _monotonic_us() -> int:
    return int(asyncio.get_running_loop().time() * US_PER_S)


class ChatLimiter:
    """One bucket per chat (about 1 message/s, short bursts) and per group (20 a minute), in Redis.

    Every message to a chat takes a slot here, replies and unsolicited messages alike, so a status DM
    right after a reply still respects the chat's limit. While Redis is away the buckets live in this
    process (`LocalBuckets`): a reply is never refused because Redis is down.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        chat_rate_per_s: float = 1.0,
        chat_burst: int = 3,
        group_per_min: int = 20,
        group_burst: int = 4,
        now_us: Callable[[], int] | None = None,
    ) -> None:
        if group_burst >= group_per_min:
            raise ValueError("a group's burst must be below its limit per minute")
        self.chat = gcra(chat_rate_per_s, chat_burst)
        # At most `group_per_min` in any minute: the burst, then the rest spread over the minute.
        self.group = gcra((group_per_min - group_burst) / 60, group_burst)
        self._now_us = now_us
        self._acquire = redis.register_script(ACQUIRE_LUA)
        self._pause = redis.register_script(PAUSE_LUA)
        self._local = LocalBuckets(now_us or _monotonic_us)
        self._redis_down = False

    @staticmethod
    def is_group(chat_id: int | str) -> bool:
        """Groups and channels have negative ids; a string id ("@name") is a public group or channel."""
        return isinstance(chat_id, str) or chat_id < 0

    def _keys(self, chat_id: int | str) -> list[str]:
        base = f"ratelimit:chat:{chat_id}"
        return [f"{base}:tat", f"{base}:pause", "ratelimit:chat:paused_us"]

    def _now_arg(self) -> str:
        return "" if self._now_us is None else str(self._now_us())

    def _went(self, down: bool) -> None:
        if down and not self._redis_down:
            log.warning("Redis is away: per-chat send limits are kept in this process until it is back")
        elif not down and self._redis_down:
            log.info("Redis is back: per-chat send limits are shared again")
        self._redis_down = down

    async def try_acquire(self, chat_id: int | str) -> float:
        """Take the chat's slot now and return 0, or return the seconds until one may be free."""
        interval_us, tolerance_us = self.group if self.is_group(chat_id) else self.chat
        keys = self._keys(chat_id)
        try:
            wait_us = await self._acquire(keys=[*keys[:2], keys[0]], args=[interval_us, tolerance_us, self._now_arg()])
        except (RedisError, OSError):
            self._went(down=True)
            return self._local.try_acquire(keys[0], interval_us, tolerance_us)
        self._went(down=False)
        return int(wait_us) / US_PER_S

    async def acquire(self, chat_id: int | str, stop: asyncio.Event | None = None) -> bool:
        """Wait for the chat's slot; False, with nothing taken, when `stop` is set first."""
        while (wait_s := await self.try_acquire(chat_id)) > 0:
            if await wait_or_stop(min(wait_s, MAX_POLL_S), stop):
                return False
        return True

    async def pause(self, chat_id: int | str, seconds: float) -> None:
        """Telegram said this chat is over its limit: every process waits `seconds` before the next message."""
        tolerance_us = (self.group if self.is_group(chat_id) else self.chat)[1]
        keys = self._keys(chat_id)
        self._local.pause(keys[0], seconds)
        try:
            await self._pause(keys=keys, args=[max(0, round(seconds * US_PER_S)), tolerance_us, self._now_arg()])
        except (RedisError, OSError):
            self._went(down=True)


@dataclass
class OutboundLimits:
    """The bulk budget and the chat buckets: what every message to Telegram draws from."""

    bulk: SharedRateLimiter
    chats: ChatLimiter

    async def take(self, chat_id: int | str | None, priority: Priority | None, stop: asyncio.Event | None) -> bool:
        """Wait for the chat's slot, then (an unsolicited message, `priority` set) a bulk slot.

        False when `stop` was set first (the chat's slot may be spent, no bulk slot is)."""
        if chat_id is not None and not await self.chats.acquire(chat_id, stop):
            return False
        return priority is None or await self.bulk.acquire(priority, stop)

    async def told_to_wait(self, chat_id: int | str | None, seconds: float, *, bulk: bool) -> None:
        """A 429 "retry after `seconds`": pause the chat, and (an unsolicited message) the bot's bulk sending."""
        if chat_id is not None:
            await self.chats.pause(chat_id, seconds)
        if bulk:
            await self.bulk.pause(seconds)
