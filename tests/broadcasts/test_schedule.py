"""Quiet hours, scheduled sends and the education day through the real worker, with a frozen clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from arq.connections import ArqRedis

from bot.config import Settings
from bot.worker import build_worker
from broadcasts.models import Broadcast, BroadcastStatus, Delivery, DeliveryState
from tests.conftest import FrozenClock
from tests.factories import make_broadcast, make_residents
from tests.fake_botapi import FakeBotAPI

RunWorker = Callable[[], Awaitable[int]]
#: 23:00 in Shanghai.
LATE_EVENING = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
#: 08:00 in Shanghai the next morning.
NEXT_MORNING = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


async def tick(arq_pool: ArqRedis, clock: FrozenClock, run_worker: RunWorker) -> None:
    """What the every-minute cron does, once, at the clock's time."""
    await arq_pool.enqueue_job("broadcasts.tick", _job_id=f"tick:{clock().isoformat()}")
    await run_worker()


class TestQuietHours:
    async def test_nothing_is_sent_at_night_and_everything_in_the_morning(
        self, orm: None, clock: FrozenClock, fake_api: FakeBotAPI, arq_pool: ArqRedis, run_worker: RunWorker
    ) -> None:
        """Sent at 23:00: waits until 08:00 local (not a minute before), then goes out."""
        clock.now = LATE_EVENING
        await make_residents(30_001, 4)
        broadcast = await make_broadcast(clock())
        await tick(arq_pool, clock, run_worker)
        assert fake_api.sent() == []
        assert (await Broadcast.get(id=broadcast.id)).waiting_until == NEXT_MORNING
        clock.now = NEXT_MORNING - timedelta(minutes=1)
        await tick(arq_pool, clock, run_worker)
        assert fake_api.sent() == []
        clock.now = NEXT_MORNING
        await tick(arq_pool, clock, run_worker)
        assert len(fake_api.sent()) == 4
        assert (await Broadcast.get(id=broadcast.id)).status == BroadcastStatus.DONE

    async def test_sending_stops_when_quiet_hours_begin(
        self,
        orm: None,
        settings: Settings,
        clock: FrozenClock,
        fake_api: FakeBotAPI,
        arq_pool: ArqRedis,
        run_worker: RunWorker,
    ) -> None:
        """A broadcast running at 21:59 stops after the batch in which 22:00 arrives, and resumes at 08:00."""
        settings.broadcast_concurrency = 1  # batches of 4 rows
        await make_residents(31_001, 10)
        evening = datetime(2026, 11, 23, 13, 59, tzinfo=UTC)  # 21:59 in Shanghai
        broadcast = await make_broadcast(evening)

        def moving_clock() -> datetime:  # 22:00 arrives once four messages are out
            return LATE_EVENING if len(fake_api.sent()) >= 4 else evening

        worker = build_worker(settings, clock=moving_clock, burst=True, own_database=False)
        await arq_pool.enqueue_job("broadcasts.run", broadcast.id, 0)
        try:
            await worker.main()
        finally:
            await worker.close()
        assert len(fake_api.sent()) == 4
        assert await Delivery.filter(broadcast_id=broadcast.id, state=DeliveryState.PENDING).count() == 6
        clock.now = NEXT_MORNING
        await tick(arq_pool, clock, run_worker)
        assert len(fake_api.sent()) == 10

    async def test_a_broadcast_scheduled_for_later_waits_for_its_time(
        self, orm: None, clock: FrozenClock, fake_api: FakeBotAPI, arq_pool: ArqRedis, run_worker: RunWorker
    ) -> None:
        await make_residents(32_001, 2)
        await make_broadcast(clock(), at=clock().replace(hour=4))
        await tick(arq_pool, clock, run_worker)
        assert fake_api.sent() == []
        clock.advance(hours=2)
        await tick(arq_pool, clock, run_worker)
        assert len(fake_api.sent()) == 2


class TestEducationDay:
    async def test_the_fifth_at_ten_sends_the_month_once(
        self, orm: None, clock: FrozenClock, fake_api: FakeBotAPI, arq_pool: ArqRedis, run_worker: RunWorker
    ) -> None:
        """On 5 December 10:00 Shanghai the tick sends edu-day:2026-12, once however often it runs."""
        await make_residents(33_001, 2, languages=("zh_CN", "en"))
        clock.now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
        await tick(arq_pool, clock, run_worker)
        clock.advance(minutes=1)
        await tick(arq_pool, clock, run_worker)
        broadcast = await Broadcast.get(key="edu-day:2026-12")
        assert broadcast.status == BroadcastStatus.DONE and await Broadcast.all().count() == 1
        zh, en = fake_api.sent(33_001), fake_api.sent(33_002)
        assert len(zh) == len(en) == 1
        assert "一氧化碳" in zh[0]["text"] and "Never burn charcoal" in en[0]["text"]
        checks = [b["callback_data"] for row in en[0]["reply_markup"]["inline_keyboard"] for b in row]
        assert checks == ["bc:report", "chk:2026-12:no_charcoal", "chk:2026-12:ventilation"]

    async def test_nothing_before_ten_or_on_other_days(
        self, orm: None, clock: FrozenClock, fake_api: FakeBotAPI, arq_pool: ArqRedis, run_worker: RunWorker
    ) -> None:
        await make_residents(34_001, 1)
        for moment in (datetime(2026, 12, 5, 1, 59, tzinfo=UTC), datetime(2026, 12, 4, 2, 0, tzinfo=UTC)):
            clock.now = moment
            await tick(arq_pool, clock, run_worker)
        assert not await Broadcast.exists() and fake_api.sent() == []
