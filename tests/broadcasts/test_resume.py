"""A worker killed in the middle of a broadcast: another one finishes it and nobody gets a message twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable

from arq.connections import ArqRedis

from bot.config import Settings
from bot.worker import build_worker
from broadcasts.delivery import IN_DOUBT
from broadcasts.models import Broadcast, BroadcastStatus, Delivery, DeliveryState
from tests.conftest import FrozenClock
from tests.factories import make_broadcast, make_residents
from tests.fake_botapi import FakeBotAPI

RunWorker = Callable[[], Awaitable[int]]


async def kill_worker_after(settings: Settings, clock: FrozenClock, fake_api: FakeBotAPI, sends: int) -> None:
    """Run a worker until the fake Telegram has `sends` messages, then cancel it mid-flight."""
    worker = build_worker(settings, clock=clock, burst=True, own_database=False)
    main = asyncio.create_task(worker.main())
    await fake_api.wait_for("sendMessage", sends)
    main.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await main
    await worker.close()  # cancels the running job, as a shutdown does: arq puts it back in the queue


class TestKilledWorker:
    async def test_another_worker_completes_without_duplicates(
        self,
        orm: None,
        settings: Settings,
        clock: FrozenClock,
        fake_api: FakeBotAPI,
        arq_pool: ArqRedis,
        run_worker: RunWorker,
    ) -> None:
        """Kill at ~100 of 300, run another worker: every row ends final and no chat has two messages."""
        settings.broadcast_rate_per_s = 300.0  # about a second for 300, so the kill lands midway
        settings.broadcast_burst = 1
        ids = await make_residents(40_001, 300)
        broadcast = await make_broadcast(clock())
        await arq_pool.enqueue_job("broadcasts.run", broadcast.id, 0)
        await kill_worker_after(settings, clock, fake_api, 100)
        assert len(fake_api.sent()) < 300

        await run_worker()  # arq hands the interrupted job to the next worker
        clock.advance(seconds=settings.broadcast_lease_s + 1)  # the dead worker's claims expire...
        await arq_pool.enqueue_job("broadcasts.tick")  # ...and the minute tick resumes the broadcast
        await run_worker()

        assert (await Broadcast.get(id=broadcast.id)).status == BroadcastStatus.DONE
        received = Counter(int(p["chat_id"]) for p in fake_api.sent())
        assert max(received.values()) == 1, "a resident got the broadcast twice"
        rows = await Delivery.filter(broadcast_id=broadcast.id).values_list("chat_id", "state", "error")
        assert {state for _, state, _ in rows} <= {DeliveryState.SENT, DeliveryState.FAILED}
        sent_rows = {chat_id for chat_id, state, _ in rows if state == DeliveryState.SENT}
        in_doubt = [chat_id for chat_id, state, error in rows if state == DeliveryState.FAILED]
        assert sent_rows <= set(received) and set(received) <= sent_rows | set(in_doubt)
        assert len(in_doubt) <= settings.broadcast_concurrency  # only requests in flight at the kill
        assert all(error == IN_DOUBT for chat_id, state, error in rows if state == DeliveryState.FAILED)
        assert len(sent_rows) + len(in_doubt) == len(ids)

    async def test_a_second_worker_on_the_same_broadcast_sends_nothing_twice(
        self,
        orm: None,
        settings: Settings,
        clock: FrozenClock,
        fake_api: FakeBotAPI,
        arq_pool: ArqRedis,
        run_worker: RunWorker,
    ) -> None:
        """Two jobs on one broadcast at once (a resumed job racing the original) share the rows."""
        await make_residents(41_001, 200)
        broadcast = await make_broadcast(clock())
        await arq_pool.enqueue_job("broadcasts.run", broadcast.id, 0, _job_id="first")
        await arq_pool.enqueue_job("broadcasts.run", broadcast.id, 0, _job_id="second")
        await run_worker()
        received = Counter(int(p["chat_id"]) for p in fake_api.sent())
        assert len(received) == 200 and set(received.values()) == {1}
        assert (await Broadcast.get(id=broadcast.id)).status == BroadcastStatus.DONE
