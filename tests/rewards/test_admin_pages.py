"""The rewards admin through real HTTP: held rewards released or rejected, payout batches to CSV and paid
(with DMs after the worker runs), budget pools, campaigns and the rules editor."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.admin.accounts import Role
from bot.config import Settings
from bot.runtime import WebRuntime
from rewards.crypto import Cipher
from rewards.grants import evaluate_report
from rewards.models import BudgetPool, Campaign, PayoutBatch, PayoutItem, RewardGrant
from rewards.rulebook import current_rules
from rewards.rules import RewardRules
from rewards.states import GrantState
from tests.admin_client import AdminClient, make_staff
from tests.factories import (
    FILED_AT,
    PHASH_A,
    PHASH_A_NEAR,
    make_claimed,
    make_pool,
    make_resident,
    make_rewardable_report,
)
from tests.fake_botapi import FakeBotAPI

Worker = Callable[[], Awaitable[int]]


async def official(client: AdminClient, role: Role = Role.OFFICIAL) -> None:
    await make_staff("money", role, language="en")
    assert await client.login("money") == 200


async def reused_photo_grant(rules: RewardRules) -> RewardGrant:
    """Resident 3002 sends a photo that resident 3001 already used in an earlier report."""
    await make_rewardable_report(
        await make_resident(3001), verified=False, phash=PHASH_A, filed_at=FILED_AT - timedelta(days=2)
    )
    copy = await make_rewardable_report(await make_resident(3002), phash=PHASH_A_NEAR)
    grant = (await evaluate_report(copy.id, rules, FILED_AT)).grant
    assert grant is not None and grant.state == GrantState.HELD
    return grant


class TestHeld:
    async def test_reused_photo_is_held_then_released_and_paid_out(
        self, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker, rules: RewardRules
    ) -> None:
        """The held page shows the photo signal; "Release" books the grant and the reporter hears of it."""
        await make_pool()
        grant = await reused_photo_grant(rules)
        await official(client)
        status, page = await client.get("/admin/rewards/held")
        assert status == 200 and "Photo matches report #" in page and "(4 bits apart)" in page
        status, page = await client.post(f"/admin/rewards/held/{grant.id}/release")
        assert status == 200 and f"Reward #{grant.id} released." in page
        assert (await RewardGrant.get(id=grant.id)).state == GrantState.GRANTED
        await run_worker()
        assert any("earned ¥20.00" in m["text"] for m in fake_api.sent(3002))

    async def test_reject_needs_a_reason_and_pays_nothing(
        self, client: AdminClient, fake_api: FakeBotAPI, rules: RewardRules
    ) -> None:
        await make_pool()
        grant = await reused_photo_grant(rules)
        await official(client)
        await client.get("/admin/rewards/held")
        await client.post(f"/admin/rewards/held/{grant.id}/reject", {"reason": "copied photo"})
        rejected = await RewardGrant.get(id=grant.id)
        assert (rejected.state, rejected.reason) == (GrantState.REJECTED, "copied photo")
        status, page = await client.get("/admin/rewards?state=rejected")
        assert status == 200 and "copied photo" in page


class TestPayouts:
    async def test_batch_csv_paid_dms_and_no_second_inclusion(
        self, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker, settings: Settings, rules: RewardRules
    ) -> None:
        """Create a batch, export the CSV, mark it paid: the resident is told; a new batch finds nothing."""
        await make_pool()
        resident = await make_resident(3003)
        await make_claimed(resident, Cipher.from_settings(settings), name="李四", account="lisi@example.com")
        for _ in range(2):
            await evaluate_report((await make_rewardable_report(resident)).id, rules, FILED_AT)
        await official(client)
        await client.get("/admin/rewards/payouts")
        status, page = await client.post("/admin/rewards/payouts", {"min_amount": "10"})
        batch = await PayoutBatch.get()
        assert status == 200 and f"Payout batch #{batch.id} created." in page and "l***@example.com" in page
        async with client.session.post(
            f"/admin/rewards/payouts/{batch.id}/export.csv", data={"csrf_token": client.csrf}
        ) as response:
            assert response.status == 200 and response.content_type == "text/csv"
            rows = list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))
        assert [(r["real_name"], r["method"], r["account"], r["amount"]) for r in rows] == [
            ("李四", "alipay", "lisi@example.com", "40.00")
        ]
        status, page = await client.post(f"/admin/rewards/payouts/{batch.id}/paid", {"reference": "FIN-2026-11"})
        assert status == 200 and "marked paid" in page
        await run_worker()
        [dm] = [m for m in fake_api.sent(3003) if "has been paid" in m["text"]]
        assert "¥40.00" in dm["text"] and "FIN-2026-11" in dm["text"] and "Alipay" in dm["text"]
        status, page = await client.post("/admin/rewards/payouts", {"min_amount": "0.01"})
        assert "Nothing to pay" in page and await PayoutBatch.all().count() == 1
        assert await PayoutItem.all().count() == 2
        assert {grant.state for grant in await RewardGrant.all()} == {GrantState.PAID}

    async def test_bad_minimum_is_explained(self, client: AdminClient) -> None:
        await official(client)
        await client.get("/admin/rewards/payouts")
        status, page = await client.post("/admin/rewards/payouts", {"min_amount": "ten"})
        assert status == 200 and "at most two decimals" in page and not await PayoutBatch.exists()


class TestSetup:
    async def test_funding_a_pool_books_waiting_grants(
        self, client: AdminClient, run_worker: Worker, rules: RewardRules
    ) -> None:
        """Without budget the overview warns; a pool created in the admin books the waiting grant."""
        report = await make_rewardable_report(await make_resident(3004))
        grant = (await evaluate_report(report.id, rules, FILED_AT)).grant
        assert grant is not None and grant.state == GrantState.PENDING_BUDGET
        await official(client)
        status, page = await client.get("/admin/rewards")
        assert status == 200 and "1 reward (¥20.00) is waiting for budget" in page
        await client.post(
            "/admin/rewards/pools",
            {"name": "2026 Q4", "starts_on": "2026-10-01", "ends_on": "2026-12-31", "amount": "5000"},
        )
        pool = await BudgetPool.get()
        assert pool.ends_at - pool.starts_at == timedelta(days=92)
        await run_worker()
        assert (await RewardGrant.get(id=grant.id)).state == GrantState.GRANTED
        status, page = await client.get("/admin/rewards/pools")
        assert "¥5,000.00" in page and "¥4,980.00" in page

    async def test_exhausted_pool_is_flagged(self, client: AdminClient, rules: RewardRules) -> None:
        """A pool left with 10 yuan cannot pay a waiting 20-yuan grant: both pages say it is exhausted."""
        await make_pool(3000)
        resident = await make_resident(3005)
        for _ in range(2):
            await evaluate_report((await make_rewardable_report(resident)).id, rules, FILED_AT)
        await official(client)
        status, page = await client.get("/admin/rewards")
        assert status == 200 and 'Budget pool "Pool" is exhausted.' in html.unescape(page)
        status, page = await client.get("/admin/rewards/pools")
        assert "<strong>exhausted</strong>" in page and "¥10.00" in page

    async def test_campaign_form(self, client: AdminClient) -> None:
        await official(client)
        await client.get("/admin/rewards/campaigns")
        status, page = await client.post(
            "/admin/rewards/campaigns",
            {
                "name": "E-bike month",
                "starts_on": "2026-12-01",
                "ends_on": "2026-12-31",
                "multiplier_pct": "200",
                "categories": "ebike",
            },
        )
        campaign = await Campaign.get()
        assert status == 200 and f"Campaign #{campaign.id} created." in page
        assert (campaign.categories, campaign.multiplier_pct) == (["ebike"], 200)

    async def test_rules_editor_refuses_bad_rules_and_saves_good_ones(
        self, client: AdminClient, product: WebRuntime
    ) -> None:
        """An admin's broken edit is refused with the reason; a good one is in force at once."""
        await official(client, Role.ADMIN)
        status, page = await client.get("/admin/rewards/rules")
        assert status == 200 and "max_fen_per_month = 150000" in page
        text = html.unescape(page.split('spellcheck="false">')[1].split("</textarea>")[0])
        status, page = await client.post("/admin/rewards/rules", {"text": text.replace("150000", "150.5")})
        assert status == 400 and "were not saved" in page
        await client.post("/admin/rewards/rules", {"text": text.replace("150000", "90000")})
        assert (await current_rules(product.settings)).max_fen_per_month == 90000


async def test_the_dashboard_shows_rewards_paid_per_month(product: WebRuntime, client: AdminClient) -> None:
    """Rewards' "dashboard" panel on the trends page: batches marked paid, summed by local month."""
    for paid_at, total_fen in (
        (datetime(2026, 10, 31, 17, 0, tzinfo=UTC), 12_000),  # 1 November in Shanghai
        (datetime(2026, 11, 10, 2, 0, tzinfo=UTC), 3_050),
        (datetime(2026, 10, 5, 2, 0, tzinfo=UTC), 500),
    ):
        await PayoutBatch.create(
            state="paid", currency="CNY", min_fen=1000, total_fen=total_fen, created_at=paid_at, paid_at=paid_at
        )
    await official(client)
    _, page = await client.get("/admin/trends?from=2026-10-01&to=2026-11-22")
    table = page.split('class="rewards-paid"', 1)[1].split("</table>", 1)[0]
    assert "<td>2026-10</td>" in table and "¥5.00" in table
    assert "<td>2026-11</td>" in table and "¥150.50" in table
