"""Delivering a broadcast through the real worker, the shared Redis limiter and the fake Bot API."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

from arq.connections import ArqRedis

from bot.reports.models import Resident
from broadcasts.control import progress
from broadcasts.models import Broadcast, BroadcastStatus, Delivery, DeliveryState
from tests.conftest import FrozenClock
from tests.factories import TEXTS, make_broadcast, make_residents
from tests.fake_botapi import FakeBotAPI

RunWorker = Callable[[], Awaitable[int]]
RETRY_AFTER_1S = "Too Many Requests: retry after 1"


class TestAcceptance:
    async def test_300_recipients_with_blocked_chats_and_429s(
        self, orm: None, clock: FrozenClock, fake_api: FakeBotAPI, arq_pool: ArqRedis, run_worker: RunWorker
    ) -> None:
        """300 recipients, 5 of them blocked and two 429s: right counts, one message each, in their language."""
        ids = await make_residents(10_001, 300)
        blocked = set(ids[7::60])
        assert len(blocked) == 5
        fake_api.blocked_chats |= blocked
        for _ in range(2):
            fake_api.fail_next("sendMessage", 429, RETRY_AFTER_1S, retry_after=1)
        broadcast = await make_broadcast(clock())
        await arq_pool.enqueue_job("broadcasts.run", broadcast.id, 0)
        await run_worker()

        await broadcast.refresh_from_db()
        assert broadcast.status == BroadcastStatus.DONE
        counts = (await progress(broadcast, clock())).counts
        assert counts == {"pending": 0, "sending": 0, "sent": 295, "blocked": 5, "failed": 0}
        received = Counter(int(p["chat_id"]) for p in fake_api.sent())
        assert set(received) == set(ids) - blocked and set(received.values()) == {1}
        languages = dict(await Resident.all().values_list("id", "language"))
        assert all(p["text"] == TEXTS[languages[int(p["chat_id"])]] for p in fake_api.sent())
        assert {row[0] for row in await Resident.filter(blocked_bot=True).values_list("id")} == blocked
        assert sum(1 for _, p in fake_api.calls if p.get("_fault") == 429) == 2

    async def test_message_ids_are_recorded(
        self, orm: None, clock: FrozenClock, fake_api: FakeBotAPI, arq_pool: ArqRedis, run_worker: RunWorker
    ) -> None:
        """Each sent row keeps Telegram's message id (what a later edit or recall would need)."""
        await make_residents(11_001, 3)
        broadcast = await make_broadcast(clock())
        await arq_pool.enqueue_job("broadcasts.run", broadcast.id, 0)
        await run_worker()
        by_chat = {int(p["chat_id"]): p["_result"]["message_id"] for p in fake_api.sent()}
        rows = await Delivery.filter(broadcast_id=broadcast.id).values_list("chat_id", "telegram_message_id")
        assert dict(rows) == by_chat


class TestBlockedResidents:
    async def test_blocked_residents_are_skipped_by_later_broadcasts(
        self, orm: None, clock: FrozenClock, fake_api: FakeBotAPI, arq_pool: ArqRedis, run_worker: RunWorker
    ) -> None:
        """A 403 marks the resident, and the next broadcast does not even create a row for them."""
        await make_residents(12_001, 3)
        fake_api.blocked_chats.add(12_002)
        first = await make_broadcast(clock())
        await arq_pool.enqueue_job("broadcasts.run", first.id, 0)
        await run_worker()
        second = await make_broadcast(clock())
        await arq_pool.enqueue_job("broadcasts.run", second.id, 0)
        await run_worker()
        assert await Delivery.filter(broadcast_id=second.id).count() == 2
        assert not await Delivery.filter(broadcast_id=second.id, resident_id=12_002).exists()
        assert await Delivery.filter(broadcast_id=first.id, state=DeliveryState.BLOCKED).count() == 1
        assert (await Broadcast.get(id=second.id)).status == BroadcastStatus.DONE
