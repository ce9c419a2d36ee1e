"""The traffic beside the broadcast in bench/broadcast.py (residents chatting, moderators accepting reports),
and the figures computed from what the fake Telegram received."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
from tortoise.exceptions import OperationalError

from bot.reports.lifecycle import transition
from bot.reports.models import Report
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from tests.e2e.processes import eventually
from tests.fake_botapi import FakeBotAPI

FIRST_TALKER_ID = 3_000_000
#: Each resident waits this long (plus up to half as much again) between two messages: a person typing.
THINK_S = 1.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SQLITE_ATTEMPTS = 20
DM_TARGET_P95_S = 5.0
BULK_TOLERANCE = 0.02


class CountingBotAPI(FakeBotAPI):
    """The fake, counting delivered messages per chat so that dozens of waiters stay cheap over
    thousands of calls (the fake's own `wait_for` rescans every call on every call)."""

    def __init__(self) -> None:
        super().__init__()
        self.delivered: Counter[int] = Counter()
        self._arrived: dict[int, asyncio.Event] = {}

    async def _record(self, method: str, p: dict[str, object]) -> None:
        await super()._record(method, p)
        if method == "sendMessage" and "_result" in p:
            chat_id = int(str(p["chat_id"]))
            self.delivered[chat_id] += 1
            if (arrived := self._arrived.pop(chat_id, None)) is not None:
                arrived.set()

    async def wait_for_count(self, chat_id: int, count: int, timeout_s: float) -> None:
        while self.delivered[chat_id] < count:
            arrived = self._arrived.setdefault(chat_id, asyncio.Event())
            await asyncio.wait_for(arrived.wait(), timeout_s)


@dataclass
class Measured:
    started_at: float
    done_at: float = 0.0
    accepted_at: dict[int, float] = field(default_factory=dict)  #: reporter's chat -> when the report was accepted
    reply_latency_s: list[float] = field(default_factory=list)

    def dm_arrivals(self, fake: FakeBotAPI, broadcast_texts: set[str]) -> dict[int, float]:
        """Each accepted reporter's first message after the acceptance that is not the broadcast."""
        arrivals: dict[int, float] = {}
        for method, p in fake.calls:
            if method != "sendMessage" or "_result" not in p or p.get("text") in broadcast_texts:
                continue
            chat_id = int(p["chat_id"])
            accepted = self.accepted_at.get(chat_id)
            if accepted is not None and p["_at"] >= accepted and chat_id not in arrivals:
                arrivals[chat_id] = p["_at"]
        return arrivals

    async def wait_for_dms(self, fake: FakeBotAPI, broadcast_texts: set[str], timeout_s: float) -> None:
        """Until every accepted reporter has had the DM (a missing one is reported, not waited for forever)."""
        with contextlib.suppress(AssertionError):
            await eventually(
                lambda: len(self.dm_arrivals(fake, broadcast_texts)) >= len(self.accepted_at), timeout_s, "DMs missing"
            )


class Talkers:
    """Residents sending /help to the web processes (alternately, like a load balancer) and timing each reply."""

    def __init__(
        self, fake: CountingBotAPI, session: aiohttp.ClientSession, webhooks: list[str], count: int, measured: Measured
    ) -> None:
        self.fake, self.session, self.count, self.measured = fake, session, count, measured
        self.webhooks = itertools.cycle(webhooks)
        self.secret = ""
        self.update_ids = itertools.count(1)
        self.random = random.Random(7)
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        self.stopping.set()

    async def run(self) -> None:
        assert self.fake.webhook is not None, "no web process registered its webhook"
        self.secret = str(self.fake.webhook["secret_token"])
        await asyncio.gather(*(self._talk(FIRST_TALKER_ID + n) for n in range(self.count)))

    async def _talk(self, chat_id: int) -> None:
        text = "/start"
        while not self.stopping.is_set():
            before = self.fake.delivered[chat_id]
            sent_at = time.monotonic()
            await self._post(chat_id, text)
            await self.fake.wait_for_count(chat_id, before + 1, timeout_s=60)
            self.measured.reply_latency_s.append(time.monotonic() - sent_at)
            text = "/help"
            think_s = THINK_S * (1 + self.random.random() / 2)
            await asyncio.wait({asyncio.ensure_future(self.stopping.wait())}, timeout=think_s)

    async def _post(self, chat_id: int, text: str) -> None:
        sender = {"id": chat_id, "is_bot": False, "first_name": f"T{chat_id}", "language_code": "en"}
        message = {
            "message_id": next(self.update_ids),
            "date": int(time.time()),
            "from": sender,
            "chat": {"id": chat_id, "type": "private", "first_name": sender["first_name"]},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        }
        assert self.fake.flood is not None
        self.fake.flood.note_update(chat_id)  # what it sends this chat now are replies
        body = {"update_id": next(self.update_ids), "message": message}
        headers = {SECRET_HEADER: self.secret}
        async with self.session.post(next(self.webhooks), json=body, headers=headers) as response:
            assert response.status == 200, response.status


async def accept_during(report_ids: list[int], expected_s: float, measured: Measured) -> None:
    """Accept the reports one by one over the middle of the broadcast (each acceptance is a status DM)."""
    if not report_ids:
        return
    await asyncio.sleep(expected_s * 0.1)
    every_s = expected_s * 0.8 / len(report_ids)
    for report_id in report_ids:
        report = await Report.get(id=report_id).prefetch_related("reporter")
        for attempt in range(SQLITE_ATTEMPTS):
            try:
                await transition(report, Status.ACCEPTED, actor="staff:bench", sla=SlaRules(), now=datetime.now(UTC))
                break
            except OperationalError:  # SQLite: another process held the write lock (PostgreSQL never gets here)
                if attempt == SQLITE_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.1)
        assert report.reporter is not None  # the bench's reports are residents' (Report.reporter may be None)
        measured.accepted_at[report.reporter.chat_id] = time.monotonic()
        await asyncio.sleep(every_s)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def broadcast_counts(fake: FakeBotAPI, texts: set[str]) -> Counter[int]:
    return Counter(
        int(p["chat_id"]) for m, p in fake.calls if m == "sendMessage" and "_result" in p and p.get("text") in texts
    )


def figures(
    args: argparse.Namespace, fake: FakeBotAPI, measured: Measured, recipients: set[int], texts: set[str]
) -> list[str]:
    """The report: one line per figure, the machine-readable summary last."""
    assert fake.flood is not None
    flood = fake.flood
    bulk = [t for t in flood.bulk_at if t >= measured.started_at]
    bulk_rate = (len(bulk) - 1) / (bulk[-1] - bulk[0]) if len(bulk) > 1 else 0.0
    ratio = bulk_rate / args.rate
    delays = [at - measured.accepted_at[chat] for chat, at in measured.dm_arrivals(fake, texts).items()]
    replies = measured.reply_latency_s
    window_s = max(1e-9, measured.done_at - measured.started_at)
    received = broadcast_counts(fake, texts)
    blocked = fake.blocked_chats & recipients
    expected = recipients - blocked
    lost, doubled = len(expected - set(received)), sum(1 for n in received.values() if n > 1)
    dm_p95, reply_p95_ms = percentile(delays, 0.95), percentile(replies, 0.95) * 1000
    max_chat = flood.max_per_chat_in(1.0)
    ok = "OK" if abs(ratio - 1) <= BULK_TOLERANCE else "OFF TARGET"
    return [
        f"{args.recipients} recipients ({len(blocked)} blocked), {args.web} web + {args.workers} worker processes, "
        f"bulk budget {args.rate:g}/s (burst {args.burst}); broadcast done in {window_s:.1f} s",
        f"bulk delivered: {len(bulk)} at {bulk_rate:.2f}/s = {ratio:.3f} of the budget "
        f"(target {1 - BULK_TOLERANCE:.2f}-{1 + BULK_TOLERANCE:.2f}) -> {ok}",
        f"status DMs during the broadcast: {len(delays)} of {len(measured.accepted_at)}, delay p50 "
        f"{percentile(delays, 0.5):.2f} s p95 {dm_p95:.2f} s max {max(delays, default=float('nan')):.2f} s "
        f"(target p95 <= {DM_TARGET_P95_S:g} s) -> {'OK' if dm_p95 <= DM_TARGET_P95_S else 'OFF TARGET'}",
        f"replies alongside (not from the bulk budget): {len(replies)} at {len(replies) / window_s:.1f}/s, "
        f"latency p50 {percentile(replies, 0.5) * 1000:.0f} ms p95 {reply_p95_ms:.0f} ms",
        f"Telegram's limits: 429s {dict(flood.too_many) or 'none'}; most messages to one chat within 1 s: {max_chat}",
        f"broadcast bulk_per_s={bulk_rate:.2f} ratio={ratio:.3f} dm_p95_s={dm_p95:.2f} reply_p95_ms={reply_p95_ms:.0f} "
        f"max_chat_per_s={max_chat} chat_429={flood.too_many['chat'] + flood.too_many['group']} "
        f"lost={lost} doubled={doubled}",
    ]
