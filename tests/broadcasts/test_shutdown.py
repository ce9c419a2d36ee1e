"""A worker asked to stop mid-broadcast (SIGTERM on a deploy) finishes what is in flight and hands the rest back."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

from arq.connections import ArqRedis
from arq.jobs import Job, JobStatus

from bot.config import Settings
from bot.worker import build_worker, drain
from broadcasts.models import Broadcast, BroadcastStatus, Delivery, DeliveryState
from tests.conftest import FrozenClock
from tests.factories import make_broadcast, make_residents
from tests.fake_botapi import FakeBotAPI

RunWorker = Callable[[], Awaitable[int]]


async def queued_continuations(arq_pool: ArqRedis, broadcast_id: int) -> list[str]:
    jobs = await arq_pool.queued_jobs()
    return [job.job_id or "" for job in jobs if job.function == "broadcasts.run" and job.args[0] == broadcast_id]


class TestDrain:
    async def test_the_slice_hands_back_with_nothing_in_doubt_and_another_worker_finishes(
        self,
        orm: None,
        settings: Settings,
        clock: FrozenClock,
        fake_api: FakeBotAPI,
        arq_pool: ArqRedis,
        run_worker: RunWorker,
    ) -> None:
        settings.broadcast_rate_per_s, settings.broadcast_burst = 200.0, 1
        ids = await make_residents(42_001, 300)
        broadcast = await make_broadcast(clock())
        first = await arq_pool.enqueue_job("broadcasts.run", broadcast.id, 0, _job_id="first-slice")
        assert first is not None
        worker = build_worker(settings, clock=clock, burst=True, own_database=False)
        main = asyncio.create_task(worker.main())
        await fake_api.wait_for("sendMessage", 60)
        await drain(worker, grace_s=10)
        assert await first.status() == JobStatus.complete and await first.result() == "handed_back"
        assert not await Delivery.filter(broadcast_id=broadcast.id, state=DeliveryState.SENDING).exists()
        [continuation] = await queued_continuations(arq_pool, broadcast.id)
        await worker.close()
        await asyncio.gather(main, return_exceptions=True)
        sent_before = len(fake_api.sent())
        assert sent_before < 300

        await run_worker()  # another worker takes the continuation at once
        assert await Job(continuation, arq_pool).status() == JobStatus.complete
        assert (await Broadcast.get(id=broadcast.id)).status == BroadcastStatus.DONE
        received = Counter(int(p["chat_id"]) for p in fake_api.sent())
        assert set(received) == set(ids) and set(received.values()) == {1}
        states = Counter(await Delivery.filter(broadcast_id=broadcast.id).values_list("state", flat=True))
        assert states == {DeliveryState.SENT: 300}
