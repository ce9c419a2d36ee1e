"""The rewards jobs in a burst worker: the lapse reminder and lapse (cron), and the catch-up sweep."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.reports.models import Report
from bot.runtime import WebRuntime
from rewards.models import RewardGrant
from rewards.states import GrantState
from tests.conftest import FrozenClock
from tests.factories import make_pool, make_resident, make_rewardable_report
from tests.fake_botapi import FakeBotAPI

Worker = Callable[[], Awaitable[int]]


async def run_job(product: WebRuntime, run_worker: Worker, name: str, job_id: str) -> None:
    await product.services.redis.enqueue_job(name, _job_id=job_id)
    await run_worker()


async def test_reminder_once_a_week_before_then_lapse(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    """Day 83: one reminder DM even if the job runs twice; day 90: the reward lapses."""
    await make_pool()
    await make_rewardable_report(await make_resident(4001))
    await run_worker()  # the acceptance's evaluation: granted, and the "earned" DM
    clock.advance(days=83)
    await run_job(product, run_worker, "rewards.remind_and_lapse", "day83-a")
    await run_job(product, run_worker, "rewards.remind_and_lapse", "day83-b")
    reminders = [m for m in fake_api.sent(4001) if "or they lapse" in m["text"]]
    assert len(reminders) == 1 and "¥20.00" in reminders[0]["text"] and "2027-02-21" in reminders[0]["text"]
    clock.advance(days=7)
    await run_job(product, run_worker, "rewards.remind_and_lapse", "day90")
    assert (await RewardGrant.get()).state == GrantState.LAPSED


async def test_sweep_evaluates_reports_verified_without_a_status_change(
    product: WebRuntime, run_worker: Worker
) -> None:
    """A report verified after its acceptance (no status change) is granted by the sweep."""
    await make_pool()
    report = await make_rewardable_report(await make_resident(4002), verified=False)
    await run_worker()
    assert not await RewardGrant.exists()
    await Report.filter(id=report.id).update(verified=True)
    await run_job(product, run_worker, "rewards.sweep", "sweep-1")
    assert (await RewardGrant.get(report_id=report.id)).state == GrantState.GRANTED
