"""Fraud signals hold a reward for review instead of paying it."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.reports.models import Photo
from rewards import ledger
from rewards.grants import GrantError, evaluate_report, reject, release
from rewards.ledger import AccountKind
from rewards.models import RewardGrant
from rewards.rules import FraudRules, RewardRules
from rewards.states import GrantState
from tests.factories import (
    FILED_AT,
    PHASH_A,
    PHASH_A_NEAR,
    PHASH_B,
    STAFF,
    make_archived_photos,
    make_pool,
    make_resident,
    make_residents,
    make_rewardable_report,
)

BLANK = "8000000000000000"


async def decide(report_id: int, rules: RewardRules) -> RewardGrant:
    grant = (await evaluate_report(report_id, rules, FILED_AT)).grant
    assert grant is not None
    return grant


def kinds(grant: RewardGrant) -> list[str]:
    return [signal["kind"] for signal in grant.signals]


class TestPhotoReuse:
    async def test_another_reporters_photo_is_held_not_paid(self, orm: None, rules: RewardRules) -> None:
        """A near-identical photo (4 bits apart) from someone else's report holds the reward."""
        await make_pool()
        other = await make_rewardable_report(
            await make_resident(1), verified=False, phash=PHASH_A, filed_at=FILED_AT - timedelta(days=3)
        )
        copy = await make_rewardable_report(await make_resident(2), phash=PHASH_A_NEAR)
        grant = await decide(copy.id, rules)
        assert grant.state == GrantState.HELD
        assert grant.signals == [
            {"kind": "photo_reuse", "detail": {"report_id": other.id, "distance": 4, "same_reporter": False}}
        ]
        assert await ledger.balance_of(AccountKind.PAYABLE, 2) == 0

    async def test_own_earlier_report_counts_too(self, orm: None, rules: RewardRules) -> None:
        """The same picture sent again for a new report is a reuse, even by the same resident."""
        await make_pool()
        resident = await make_resident(1)
        await make_rewardable_report(resident, verified=False, phash=PHASH_A, filed_at=FILED_AT - timedelta(days=1))
        assert kinds(await decide((await make_rewardable_report(resident, phash=PHASH_A)).id, rules)) == ["photo_reuse"]

    async def test_distinct_and_blank_photos_pass(self, orm: None, rules: RewardRules) -> None:
        """Different pictures, and the blank-image hash every flat picture shares, hold nothing."""
        await make_pool()
        await make_rewardable_report(
            await make_resident(1), verified=False, phash=BLANK, filed_at=FILED_AT - timedelta(days=1)
        )
        await make_rewardable_report(
            await make_resident(3), verified=False, phash=PHASH_B, filed_at=FILED_AT - timedelta(days=1)
        )
        blank = await make_rewardable_report(await make_resident(2), phash=BLANK)
        fresh = await make_rewardable_report(await make_resident(4), phash=PHASH_A)
        assert (await decide(blank.id, rules)).state == GrantState.GRANTED
        assert (await decide(fresh.id, rules)).state == GrantState.GRANTED

    async def test_reuse_threshold_is_inclusive_and_holds_across_the_whole_archive(
        self, orm: None, rules: RewardRules
    ) -> None:
        """Among 300 unrelated archived photos, the one 8 bits away (the threshold) holds the reward and the
        one 9 bits away does not; so does one filed 364 days ago, not one 366 days ago (the look-back)."""
        await make_pool()
        rng, base = random.Random(7), int(PHASH_A, 16)
        archive = [f"{rng.getrandbits(64):016x}" for _ in range(300)]
        await make_archived_photos(archive, await make_residents(100, 300), filed_at=FILED_AT - timedelta(days=30))
        at_threshold = f"{base ^ 0xFF:016x}"  # 8 bits flipped
        beyond = f"{base ^ 0x1FF00:016x}"  # 9 bits flipped
        old = f"{base ^ 0x3:016x}"
        hit = await make_rewardable_report(
            await make_resident(1), verified=False, phash=at_threshold, filed_at=FILED_AT - timedelta(days=364)
        )
        await make_rewardable_report(await make_resident(3), verified=False, phash=beyond, filed_at=FILED_AT)
        await make_rewardable_report(
            await make_resident(4), verified=False, phash=old, filed_at=FILED_AT - timedelta(days=366)
        )
        await Photo.filter(phash=old).update(created_at=FILED_AT - timedelta(days=366))
        await Photo.filter(phash=at_threshold).update(created_at=FILED_AT - timedelta(days=364))
        grant = await decide((await make_rewardable_report(await make_resident(2), phash=PHASH_A)).id, rules)
        assert grant.signals == [
            {"kind": "photo_reuse", "detail": {"report_id": hit.id, "distance": 8, "same_reporter": False}}
        ]


class TestOtherSignals:
    async def test_burst_of_reports_in_an_hour(self, orm: None, rules: RewardRules) -> None:
        """Six reports within an hour (limit five) hold the reward of the sixth."""
        await make_pool()
        resident = await make_resident(1)
        for minute in range(5):
            await make_rewardable_report(resident, verified=False, filed_at=FILED_AT - timedelta(minutes=50 - minute))
        assert kinds(await decide((await make_rewardable_report(resident)).id, rules)) == ["burst"]

    async def test_one_reporter_dominating_a_queue(self, orm: None, rules: RewardRules) -> None:
        """Nine of ten verified fire-exit reports in one area this month come from one resident."""
        await make_pool()
        strict = RewardRules(
            amounts=rules.amounts, max_rewarded_reports_per_day=100, fraud=FraudRules(max_reports_per_hour=100)
        )
        pro, other = await make_resident(1), await make_resident(2)
        await make_rewardable_report(other, filed_at=FILED_AT - timedelta(days=2))
        for day in range(8):
            await make_rewardable_report(pro, filed_at=FILED_AT - timedelta(days=day % 3, hours=day))
        grant = await decide((await make_rewardable_report(pro)).id, strict)
        assert kinds(grant) == ["queue_share"]
        assert grant.signals[0]["detail"] == {
            "category": "fire_exit",
            "area": "huangpu",
            "reports": 9,
            "of": 10,
            "share_pct": 90,
            "limit_pct": 50,
        }

    async def test_exif_date_far_from_the_report(self, orm: None, rules: RewardRules) -> None:
        """A photo taken 30 days before the report is held; 2 days before is fine."""
        await make_pool()
        old = await make_rewardable_report(
            await make_resident(1), phash=PHASH_A, exif_taken_at=FILED_AT - timedelta(days=30)
        )
        recent = await make_rewardable_report(
            await make_resident(2), phash=PHASH_B, exif_taken_at=FILED_AT - timedelta(days=2)
        )
        old_grant = await decide(old.id, rules)
        assert kinds(old_grant) == ["exif_gap"] and old_grant.signals[0]["detail"]["days"] == 30
        assert (await decide(recent.id, rules)).state == GrantState.GRANTED


class TestReview:
    async def test_release_books_and_reject_closes(self, orm: None, rules: RewardRules) -> None:
        """Releasing a held grant pays it from the pool; rejecting needs a reason and pays nothing."""
        pool = await make_pool(100_000)
        old = FILED_AT - timedelta(days=30)
        honest = await decide(
            (await make_rewardable_report(await make_resident(1), phash=PHASH_A, exif_taken_at=old)).id, rules
        )
        fraud = await decide(
            (await make_rewardable_report(await make_resident(2), phash=PHASH_B, exif_taken_at=old)).id, rules
        )
        released = await release(honest.id, actor=STAFF, now=FILED_AT)
        assert (released.state, released.decided_by) == (GrantState.GRANTED, STAFF)
        with pytest.raises(GrantError, match="reason"):
            await reject(fraud.id, reason=" ", actor=STAFF, now=FILED_AT)
        rejected = await reject(fraud.id, reason="stock photo", actor=STAFF, now=FILED_AT)
        assert rejected.state == GrantState.REJECTED
        with pytest.raises(GrantError, match="held"):
            await release(fraud.id, actor=STAFF, now=FILED_AT)
        assert await ledger.balance_of(AccountKind.BUDGET, pool.id) == 98_000
