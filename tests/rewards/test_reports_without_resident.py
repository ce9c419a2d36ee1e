"""A hazard a partner system reported first earns nobody a reward, and the sweep does not come back to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from arq.jobs import Job

from bot.runtime import WebRuntime
from rewards.grants import evaluate_report
from rewards.models import AckPoints, RewardGrant
from rewards.rules import Ineligible, RewardRules
from tests.factories import FILED_AT, make_pool, make_rewardable_report

Worker = Callable[[], Awaitable[int]]


async def test_a_partner_report_earns_nothing(orm: None, rules: RewardRules) -> None:
    await make_pool()
    report = await make_rewardable_report(None)
    evaluation = await evaluate_report(report.id, rules, FILED_AT)
    assert (evaluation.grant, evaluation.waiting) == (None, Ineligible.NO_RESIDENT)
    assert not await RewardGrant.exists() and not await AckPoints.exists()


async def test_the_sweep_leaves_partner_reports_alone(product: WebRuntime, run_worker: Worker) -> None:
    await make_pool()
    await make_rewardable_report(None)
    await product.services.redis.enqueue_job("rewards.sweep", _job_id="sweep-partner")
    await run_worker()
    evaluated = await Job("sweep-partner", product.services.redis).result(timeout=5)
    assert evaluated == 0 and not await RewardGrant.exists()
