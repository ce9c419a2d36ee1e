"""Rewards' panels on other pages: the fraud signals beside a moderator's decision, held rewards on the start page."""

from __future__ import annotations

from datetime import timedelta

from bot.admin.accounts import Role
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from rewards.grants import evaluate_report
from rewards.rules import RewardRules
from rewards.states import GrantState
from tests.admin_client import AdminClient, make_staff
from tests.factories import FILED_AT, PHASH_A, PHASH_A_NEAR, make_resident, make_rewardable_report


async def test_a_burst_of_reports_shows_beside_the_decision_before_acceptance(
    product: WebRuntime, client: AdminClient
) -> None:
    """Six reports within an hour (limit five): the sixth, still waiting for a decision, shows the burst."""
    resident = await make_resident(8101)
    for minute in range(5):
        await make_rewardable_report(resident, verified=False, filed_at=FILED_AT - timedelta(minutes=50 - minute))
    sixth = await make_rewardable_report(resident, status=Status.SUBMITTED, verified=False)
    await make_staff("mod", Role.MODERATOR, language="en")
    assert await client.login("mod") == 200
    _, page = await client.get(f"/admin/reports/{sixth.id}")
    decide, signals = page.index('id="decide"'), page.index("Reward signals")
    assert "6 reports within an hour (limit 5)" in page[signals:]
    assert signals - decide < 6000  # in the decision column, not at the foot of the page


async def test_a_reused_photo_shows_with_the_other_report(product: WebRuntime, client: AdminClient) -> None:
    earlier = await make_rewardable_report(
        await make_resident(8201), phash=PHASH_A, filed_at=FILED_AT - timedelta(days=1)
    )
    later = await make_rewardable_report(await make_resident(8202), phash=PHASH_A_NEAR, status=Status.SUBMITTED)
    await make_staff("mod", Role.MODERATOR, language="en")
    assert await client.login("mod") == 200
    _, page = await client.get(f"/admin/reports/{later.id}")
    assert f"Photo matches report #{earlier.id}" in page


async def test_a_report_without_signals_says_so(product: WebRuntime, client: AdminClient) -> None:
    report = await make_rewardable_report(await make_resident(8301), status=Status.SUBMITTED)
    await make_staff("mod", Role.MODERATOR, language="en")
    assert await client.login("mod") == 200
    _, page = await client.get(f"/admin/reports/{report.id}")
    assert "No signal: a reward would be paid as usual." in page


async def test_the_start_page_counts_held_rewards_for_officials(
    product: WebRuntime, client: AdminClient, rules: RewardRules
) -> None:
    await make_rewardable_report(
        await make_resident(8401), verified=False, phash=PHASH_A, filed_at=FILED_AT - timedelta(days=2)
    )
    copy = await make_rewardable_report(await make_resident(8402), phash=PHASH_A_NEAR)
    grant = (await evaluate_report(copy.id, rules, FILED_AT)).grant
    assert grant is not None and grant.state == GrantState.HELD
    await make_staff("money", Role.OFFICIAL, language="en")
    assert await client.login("money") == 200
    _, page = await client.get("/admin")
    assert "1 reward is held for review." in page
