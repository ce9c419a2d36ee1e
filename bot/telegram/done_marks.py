"""Recording handled updates in the inbox, a batch at a time.

One UPDATE (done, body dropped) for every update handled in the last fraction of a second instead of one
per update; until it runs, the update's done mark in Redis (bot/telegram/chat_queue.py) keeps the feeder
from feeding it again. Only after the rows say "done" do the update's send claims and done mark go.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis

from bot.clock import Clock
from bot.reports.inbox import mark_done

log = logging.getLogger(__name__)

#: Long enough to gather the updates handled meanwhile (hundreds at peak: one statement for them all),
#: short enough that bodies do not linger.
FLUSH_INTERVAL_S = 1.0


class DoneMarks:
    def __init__(self, redis: Redis, clock: Clock, interval_s: float = FLUSH_INTERVAL_S) -> None:
        self.redis, self.clock, self.interval_s = redis, clock, interval_s
        self._ids: list[int] = []
        self._keys: list[str] = []
        self._waiting = asyncio.Event()
        self._lock = asyncio.Lock()

    def add(self, update_id: int, redis_keys: list[str]) -> None:
        """Handled: record it with the next batch, then forget these Redis keys (claims, its done mark)."""
        self._ids.append(update_id)
        self._keys.extend(redis_keys)
        self._waiting.set()

    async def run(self) -> None:
        while True:
            await self._waiting.wait()
            await asyncio.sleep(self.interval_s)
            try:
                await self.flush()
            except Exception:  # the database away: the ids wait for the next round
                log.exception("could not record handled updates")

    async def flush(self) -> None:
        async with self._lock:
            ids, keys = self._ids, self._keys
            self._ids, self._keys = [], []
            self._waiting.clear()
            if not ids:
                return
            try:
                await mark_done(ids, self.clock())
            except Exception:
                self._ids.extend(ids)
                self._keys.extend(keys)
                self._waiting.set()
                raise
            if keys:
                await self.redis.delete(*keys)
