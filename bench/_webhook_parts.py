"""bench/webhook.py's fake Telegram for a whole city and the figures it keeps (a module of its own: the bench
itself is the traffic and the layout)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_botapi import SEND_METHODS, FakeBotAPI

BROADCAST_TEXTS = {"zh_CN": "电动自行车安全充电公开信", "en": "Open letter: charge e-bikes outside"}


class BenchBotAPI(FakeBotAPI):
    """The fake Telegram, with each chat's messages queued for the resident waiting on them (the base class
    wakes every waiter on every call: fine for tests, quadratic under thousands of residents)."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: dict[int, asyncio.Queue[tuple[float, dict[str, Any]]]] = defaultdict(asyncio.Queue)
        self.sent_times: dict[int, list[float]] = defaultdict(list)
        self.bulk_times: list[float] = []
        self.bulk_per_chat: dict[int, int] = defaultdict(int)

    async def _api(self, request: web.Request) -> web.Response:
        """The base class's answer without its fault injection and its waiters' wake-ups: this process
        plays Telegram for the whole city, on the same two cores as the bot."""
        return await self._answer(request.match_info["method"], await self._params(request))

    async def _record(self, method: str, p: dict[str, Any]) -> None:
        if method in SEND_METHODS and "_result" in p:
            now, chat_id = time.monotonic(), int(p["chat_id"])
            self.sent_times[chat_id].append(now)
            if p.get("text") in BROADCAST_TEXTS.values():  # the broadcast reaches residents who wrote to us too
                self.bulk_times.append(now)
                self.bulk_per_chat[chat_id] += 1
            else:
                self.inbox[chat_id].put_nowait((now, p))
        else:
            self.calls.append((method, p))  # answers and edits: kept for inspection, nobody waits on them


@dataclass
class Figures:
    updates: int = 0
    by_step_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  #: reply latencies
    lost: int = 0
    doubled: int = 0
    elapsed_s: float = 0.0
    web_cpu_s: float = 0.0  #: CPU the web processes used meanwhile (a shared machine's load does not inflate it)
    bench_cpu_s: float = 0.0  #: CPU this process used meanwhile: Telegram and the residents
    bulk_per_s: float = 0.0
    max_chat_per_s: int = 0

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def latencies_ms(self) -> list[float]:
        return [latency for latencies in self.by_step_ms.values() for latency in latencies]

    @property
    def p95_ms(self) -> float:
        latencies = self.latencies_ms
        if len(latencies) < 2:
            return latencies[0] if latencies else 0.0
        return statistics.quantiles(latencies, n=20)[-1]

    def timed(self, step: str, latency_ms: float) -> None:
        self.by_step_ms[step].append(latency_ms)

    def step_lines(self) -> list[str]:
        """p50 and p95 per step: which steps meet a chat's send limit (about 1 a second) and which queue."""
        lines = []
        for step, latencies in sorted(self.by_step_ms.items()):
            ordered = sorted(latencies)
            p50, p95 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, len(ordered) * 95 // 100)]
            lines.append(f"  {step:<12} n={len(ordered):>6} p50_ms={p50:>6.0f} p95_ms={p95:>6.0f}")
        return lines

    def line(self) -> str:
        return (
            f"webhook updates_per_s={self.updates_per_s:.0f} p95_ms={self.p95_ms:.0f} "
            f"bulk_per_s={self.bulk_per_s:.1f} max_chat_per_s={self.max_chat_per_s} "
            f"lost={self.lost} doubled={self.doubled}"
        )


def most_in_a_second(times: list[float]) -> int:
    best, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best
