"""Telegram's flood limits, as the fake Bot API enforces them when a test or a bench asks (opt-in).

The model (../shared/notes/telegram.md): bulk messages, those to chats that did not write to the bot
lately, at about 30/s for the whole bot; about one message a second per chat, short bursts tolerated;
20 messages a minute per group. A message over a limit gets 429 "retry after N" and is not delivered;
a message refused for another reason (403 blocked) is not counted. Replies do not count as bulk.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FloodLimits:
    bulk_per_s: float = 30.0
    bulk_burst: int = 30  #: "30 messages per second or so": a second's worth may come at once
    chat_per_s: float = 1.0
    chat_burst: int = 4  #: "short bursts" in one chat
    group_per_min: int = 20
    reply_window_s: float = 60.0  #: a message to a chat that wrote within this long is a reply, not bulk


@dataclass
class Gcra:
    """A token bucket as a theoretical arrival time: `take` answers 0 (taken) or the seconds to wait."""

    interval_s: float
    tolerance_s: float
    tat: float = 0.0

    @classmethod
    def of(cls, rate_per_s: float, burst: int) -> Gcra:
        return cls(1 / rate_per_s, (burst - 1) / rate_per_s)

    def take(self, now: float) -> float:
        tat = max(self.tat, now)
        if now < tat - self.tolerance_s:
            return tat - self.tolerance_s - now
        self.tat = tat + self.interval_s
        return 0.0


@dataclass
class FloodGate:
    limits: FloodLimits = field(default_factory=FloodLimits)
    clock: Callable[[], float] = time.monotonic
    too_many: Counter[str] = field(default_factory=Counter)  #: 429s answered, by scope: bulk, chat, group
    bulk_at: list[float] = field(default_factory=list)  #: when each delivered bulk message arrived
    reply_at: list[float] = field(default_factory=list)  #: likewise, replies
    per_chat_at: dict[int | str, list[float]] = field(default_factory=dict)
    _wrote_at: dict[int | str, float] = field(default_factory=dict)
    _bulk: Gcra | None = None
    _chats: dict[int | str, Gcra] = field(default_factory=dict)
    _groups: dict[int | str, deque[float]] = field(default_factory=dict)

    def note_update(self, chat_id: int | str) -> None:
        """The chat wrote to the bot: what the bot sends it next for a while are replies."""
        self._wrote_at[chat_id] = self.clock()

    def is_reply(self, chat_id: int | str, now: float) -> bool:
        return now - self._wrote_at.get(chat_id, -math.inf) <= self.limits.reply_window_s

    def check(self, raw_chat_id: Any) -> int | None:
        """None: the message is delivered (and counted); else the retry_after (s) of the 429 to answer."""
        chat_id, now = _chat(raw_chat_id), self.clock()
        reply = self.is_reply(chat_id, now)
        wait_s, scope = self._chat_wait(chat_id, now)
        if not wait_s and not reply:
            wait_s, scope = self._bulk_wait(now), "bulk"
        if wait_s:
            self.too_many[scope] += 1
            return max(1, math.ceil(wait_s))
        self._commit(chat_id, now, reply)
        return None

    def _chat_wait(self, chat_id: int | str, now: float) -> tuple[float, str]:
        if isinstance(chat_id, str) or chat_id < 0:
            window = self._groups.setdefault(chat_id, deque())
            while window and window[0] <= now - 60:
                window.popleft()
            return ((window[0] + 60 - now) if len(window) >= self.limits.group_per_min else 0.0), "group"
        bucket = self._chats.get(chat_id) or Gcra.of(self.limits.chat_per_s, self.limits.chat_burst)
        probe = Gcra(bucket.interval_s, bucket.tolerance_s, bucket.tat)
        return probe.take(now), "chat"

    def _bulk_wait(self, now: float) -> float:
        if self._bulk is None:
            self._bulk = Gcra.of(self.limits.bulk_per_s, self.limits.bulk_burst)
        probe = Gcra(self._bulk.interval_s, self._bulk.tolerance_s, self._bulk.tat)
        return probe.take(now)

    def _commit(self, chat_id: int | str, now: float, reply: bool) -> None:
        if isinstance(chat_id, str) or chat_id < 0:
            self._groups[chat_id].append(now)
        else:
            self._chats.setdefault(chat_id, Gcra.of(self.limits.chat_per_s, self.limits.chat_burst)).take(now)
        if reply:
            self.reply_at.append(now)
        else:
            assert self._bulk is not None
            self._bulk.take(now)
            self.bulk_at.append(now)
        self.per_chat_at.setdefault(chat_id, []).append(now)

    def bulk_rate_per_s(self, since: float = -math.inf, until: float = math.inf) -> float:
        """Delivered bulk messages per second between the first and the last one in [since, until]."""
        times = [t for t in self.bulk_at if since <= t <= until]
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0

    def max_per_chat_in(self, window_s: float = 1.0) -> int:
        """The most messages any one private chat got within `window_s`."""
        most = 0
        for chat_id, times in self.per_chat_at.items():
            if isinstance(chat_id, str) or chat_id < 0:
                continue
            start = 0
            for end, at in enumerate(times):
                while at - times[start] >= window_s:
                    start += 1
                most = max(most, end - start + 1)
        return most


def _chat(raw: Any) -> int | str:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return str(raw)


def chat_of_update(update: dict[str, Any]) -> int | None:
    """The chat an update comes from (a message's, or a tapped button's message's)."""
    message = update.get("message") or (update.get("callback_query") or {}).get("message") or {}
    chat = message.get("chat") or {}
    return int(chat["id"]) if "id" in chat else None
