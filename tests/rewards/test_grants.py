"""Grant decisions against a real database: at most once, first reporter, staff, caps, campaigns, budget."""

from __future__ import annotations

import asyncio
import logging
import random
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.admin.accounts import Role, create_staff
from bot.reports.lifecycle import transition
from bot.reports.models import Report, ReportFollower
from bot.reports.statuses import Status
from rewards import ledger
from rewards.budget import create_campaign, fund_pool
from rewards.grants import evaluate_report, retry_pending, reverse
from rewards.ledger import AccountKind, TxnKind
from rewards.models import AckPoints, LedgerTransaction, RewardGrant
from rewards.rules import FraudRules, Ineligible, RewardRules
from rewards.states import GrantState
from tests.bot.helpers import counting_statements
from tests.factories import (
    FILED_AT,
    PHASH_A,
    SLA,
    make_archived_photos,
    make_pool,
    make_resident,
    make_residents,
    make_rewardable_report,
)
from tests.factories import STAFF as STAFF


class TestOnce:
    async def test_verified_report_is_granted_from_the_pool(self, orm: None, rules: RewardRules) -> None:
        """Accepted and verified: 20 yuan move from the pool to the reporter's payable account."""
        pool = await make_pool(100_000)
        report = await make_rewardable_report(await make_resident(1))
        evaluation = await evaluate_report(report.id, rules, FILED_AT)
        assert evaluation.created and evaluation.grant is not None
        assert (evaluation.grant.state, evaluation.grant.amount_fen, evaluation.grant.pool_id) == (
            GrantState.GRANTED,
            2000,
            pool.id,
        )
        assert await ledger.balance_of(AccountKind.PAYABLE, 1) == 2000
        assert await ledger.balance_of(AccountKind.BUDGET, pool.id) == 98_000

    async def test_twenty_concurrent_attempts_give_one_grant(self, orm: None, rules: RewardRules) -> None:
        """Twenty evaluations racing (as twenty workers would) book exactly one grant and one transaction."""
        await make_pool(100_000)
        report = await make_rewardable_report(await make_resident(1), category="ebike")
        results = await asyncio.gather(*(evaluate_report(report.id, rules, FILED_AT) for _ in range(20)))
        assert sum(result.created for result in results) == 1
        assert {result.grant.id for result in results if result.grant} == {(await RewardGrant.get()).id}
        assert await RewardGrant.filter(report_id=report.id).count() == 1
        assert await LedgerTransaction.filter(kind=TxnKind.GRANT).count() == 1
        assert await ledger.balance_of(AccountKind.PAYABLE, 1) == 20000

    async def test_unverified_or_unaccepted_waits_without_a_decision(self, orm: None, rules: RewardRules) -> None:
        """No row is written for a report that may still qualify later."""
        await make_pool()
        resident = await make_resident(1)
        unverified = await make_rewardable_report(resident, verified=False)
        submitted = await make_rewardable_report(resident, status=Status.SUBMITTED)
        assert (await evaluate_report(unverified.id, rules, FILED_AT)).waiting == Ineligible.NOT_VERIFIED
        assert (await evaluate_report(submitted.id, rules, FILED_AT)).waiting == Ineligible.NOT_ACCEPTED
        assert not await RewardGrant.exists()


class TestWho:
    async def test_first_reporter_of_merged_duplicates_is_rewarded(self, orm: None, rules: RewardRules) -> None:
        """An earlier report merged into this one wins: its reporter gets the money, the others points."""
        await make_pool()
        early, late, follower = await make_resident(1), await make_resident(2), await make_resident(3)
        first = await make_rewardable_report(early, status=Status.SUBMITTED, filed_at=FILED_AT - timedelta(hours=2))
        canonical = await make_rewardable_report(late)
        await transition(first, Status.DUPLICATE, actor=STAFF, now=FILED_AT, sla=SLA)
        await Report.filter(id=first.id).update(duplicate_of_id=canonical.id)
        await ReportFollower.create(report=canonical, resident=follower)
        grant = (await evaluate_report(canonical.id, rules, FILED_AT)).grant
        assert grant is not None and grant.resident_id == early.id and grant.state == GrantState.GRANTED
        assert (await evaluate_report(first.id, rules, FILED_AT)).waiting == Ineligible.DUPLICATE
        points = dict(await AckPoints.all().values_list("resident_id", "reason"))
        assert points == {late.id: "duplicate", follower.id: "follower"}
        assert await ledger.balance_of(AccountKind.PAYABLE, late.id) == 0

    async def test_staff_get_nothing(self, orm: None, rules: RewardRules) -> None:
        """A resident flagged staff, or linked to a staff account, is recorded as ineligible."""
        await make_pool()
        flagged = await make_resident(1, staff=True)
        linked = await make_resident(2)
        official = await create_staff("official", "long enough password", Role.OFFICIAL)
        official.telegram_user_id = linked.id
        await official.save()
        for resident in (flagged, linked):
            grant = (await evaluate_report((await make_rewardable_report(resident)).id, rules, FILED_AT)).grant
            assert grant is not None and (grant.state, grant.reason) == (GrantState.INELIGIBLE, Ineligible.STAFF)
        assert not await LedgerTransaction.filter(kind=TxnKind.GRANT).exists()


class TestCaps:
    async def test_daily_report_cap(self, orm: None, rules: RewardRules) -> None:
        """The sixth rewarded report filed the same day earns nothing; the next day's does."""
        await make_pool()
        resident = await make_resident(1)
        states = []
        for minute in range(6):
            report = await make_rewardable_report(resident, filed_at=FILED_AT + timedelta(minutes=minute))
            states.append((await evaluate_report(report.id, rules, FILED_AT)).grant)
        assert [g.state for g in states if g] == [GrantState.GRANTED] * 5 + [GrantState.INELIGIBLE]
        assert states[-1] is not None and states[-1].reason == Ineligible.DAY_CAP
        tomorrow = await make_rewardable_report(resident, filed_at=FILED_AT + timedelta(days=1))
        grant = (await evaluate_report(tomorrow.id, rules, FILED_AT + timedelta(days=1))).grant
        assert grant is not None and grant.state == GrantState.GRANTED

    async def test_caps_hold_when_reports_are_decided_at_once(self, orm: None, rules: RewardRules) -> None:
        """Eight reports of one reporter decided concurrently: the reporter's lock keeps the cap at five."""
        await make_pool()
        no_burst_check = replace(rules, fraud=FraudRules(max_reports_per_hour=100))
        resident = await make_resident(1)
        reports = [await make_rewardable_report(resident, filed_at=FILED_AT + timedelta(minutes=m)) for m in range(8)]
        await asyncio.gather(*(evaluate_report(report.id, no_burst_check, FILED_AT) for report in reports))
        assert await RewardGrant.filter(state=GrantState.GRANTED).count() == 5
        assert await RewardGrant.filter(state=GrantState.INELIGIBLE, reason=Ineligible.DAY_CAP).count() == 3

    async def test_monthly_money_cap(self, orm: None, rules: RewardRules) -> None:
        """200-yuan rewards stop at 1,500 yuan a month: the eighth pays the 100 left, the ninth nothing."""
        await make_pool()
        resident = await make_resident(1)
        amounts = []
        for day in range(9):
            report = await make_rewardable_report(resident, category="ebike", filed_at=FILED_AT - timedelta(days=day))
            grant = (await evaluate_report(report.id, rules, FILED_AT)).grant
            assert grant is not None
            amounts.append((grant.state, grant.amount_fen))
        assert amounts[:7] == [(GrantState.GRANTED, 20000)] * 7
        assert amounts[7:] == [(GrantState.GRANTED, 10000), (GrantState.INELIGIBLE, 0)]
        assert await ledger.balance_of(AccountKind.PAYABLE, 1) == 150_000


class TestAmounts:
    async def test_campaign_multiplier(self, orm: None, rules: RewardRules) -> None:
        """A 200% campaign for fire exits doubles their reward; other categories keep theirs."""
        await make_pool()
        await create_campaign(
            "Fire safety month",
            FILED_AT - timedelta(days=1),
            FILED_AT + timedelta(days=30),
            ["fire_exit"],
            200,
            created_by_id=None,
            now=FILED_AT,
        )
        resident = await make_resident(1)
        doubled = (await evaluate_report((await make_rewardable_report(resident)).id, rules, FILED_AT)).grant
        plain = (
            await evaluate_report((await make_rewardable_report(resident, category="traffic")).id, rules, FILED_AT)
        ).grant
        assert doubled is not None and (doubled.amount_fen, doubled.multiplier_pct) == (4000, 200)
        assert plain is not None and (plain.amount_fen, plain.campaign_id) == (2000, None)

    async def test_severity_and_category_set_the_amount(self, orm: None, rules: RewardRules) -> None:
        await make_pool()
        resident = await make_resident(1)
        major = (
            await evaluate_report((await make_rewardable_report(resident, severity="critical")).id, rules, FILED_AT)
        ).grant
        ebike = (
            await evaluate_report((await make_rewardable_report(resident, category="ebike")).id, rules, FILED_AT)
        ).grant
        assert major is not None and ebike is not None and (major.amount_fen, ebike.amount_fen) == (5000, 20000)

    async def test_fixed_only_category_waits_for_the_verified_fix(self, orm: None, rules: RewardRules) -> None:
        """With require_fixed, an accepted report waits, and still waits when the agency says it is fixed;
        once someone else verifies the fix it is granted."""
        await make_pool()
        strict = RewardRules(amounts=rules.amounts, require_fixed=frozenset({"fire_exit"}))
        report = await make_rewardable_report(await make_resident(1))
        assert (await evaluate_report(report.id, strict, FILED_AT)).waiting == Ineligible.NOT_FIXED
        await transition(report, Status.FIXED, actor=STAFF, now=FILED_AT, sla=SLA)
        assert (await evaluate_report(report.id, strict, FILED_AT)).waiting == Ineligible.NOT_FIXED
        await transition(report, Status.VERIFIED_FIXED, actor="resident:1", now=FILED_AT, sla=SLA)
        grant = (await evaluate_report(report.id, strict, FILED_AT)).grant
        assert grant is not None and grant.state == GrantState.GRANTED


class TestLocalDays:
    """Days and months are local (Asia/Shanghai), stored times are UTC: a local day spans two UTC dates."""

    async def test_the_daily_cap_counts_the_local_day_across_utc_dates(self, orm: None, rules: RewardRules) -> None:
        """Five reports just after local midnight (the previous UTC date) and one at 10:00 share a local day."""
        await make_pool()
        no_burst_check = replace(rules, fraud=FraudRules(max_reports_per_hour=100))
        midnight = datetime(2026, 11, 23, tzinfo=rules.zone).astimezone(UTC)  # 2026-11-22 16:00 UTC
        resident = await make_resident(1)
        for minute in range(5):
            report = await make_rewardable_report(resident, filed_at=midnight + timedelta(minutes=minute))
            await evaluate_report(report.id, no_burst_check, FILED_AT)
        sixth = await make_rewardable_report(resident, filed_at=FILED_AT)
        grant = (await evaluate_report(sixth.id, no_burst_check, FILED_AT)).grant
        assert grant is not None and (grant.state, grant.reason) == (GrantState.INELIGIBLE, Ineligible.DAY_CAP)

    async def test_a_campaign_counts_from_its_first_local_minute(self, orm: None, rules: RewardRules) -> None:
        """A campaign entered by local date (as the admin form does) applies from its local midnight, not before."""
        await make_pool()
        midnight = datetime(2026, 11, 23, tzinfo=rules.zone)
        await create_campaign(
            "Night", midnight, midnight + timedelta(days=7), [], 200, created_by_id=None, now=FILED_AT
        )
        resident = await make_resident(1)
        after = await make_rewardable_report(resident, filed_at=(midnight + timedelta(minutes=30)).astimezone(UTC))
        before = await make_rewardable_report(resident, filed_at=(midnight - timedelta(minutes=30)).astimezone(UTC))
        grants = [(await evaluate_report(report.id, rules, FILED_AT)).grant for report in (after, before)]
        assert [grant.multiplier_pct for grant in grants if grant] == [200, 100]


class TestBudget:
    async def test_exhausted_pool_makes_grants_wait_then_funding_books_them(
        self, orm: None, rules: RewardRules
    ) -> None:
        """A pool with 30 yuan pays one 20-yuan grant; the next waits as pending_budget until a top-up."""
        pool = await make_pool(3000)
        resident = await make_resident(1)
        first = (await evaluate_report((await make_rewardable_report(resident)).id, rules, FILED_AT)).grant
        second = (await evaluate_report((await make_rewardable_report(resident)).id, rules, FILED_AT)).grant
        assert first is not None and second is not None
        assert (first.state, second.state) == (GrantState.GRANTED, GrantState.PENDING_BUDGET)
        assert await retry_pending(FILED_AT) == []
        await fund_pool(pool.id, 10_000, actor=STAFF, now=FILED_AT)
        assert [grant.id for grant in await retry_pending(FILED_AT)] == [second.id]
        assert await ledger.balance_of(AccountKind.BUDGET, pool.id) == 9000

    async def test_no_pool_at_all_waits(self, orm: None, rules: RewardRules) -> None:
        grant = (
            await evaluate_report((await make_rewardable_report(await make_resident(1))).id, rules, FILED_AT)
        ).grant
        assert grant is not None and grant.state == GrantState.PENDING_BUDGET


class TestReversal:
    async def test_unpaid_reversal_returns_the_money_to_the_pool(self, orm: None, rules: RewardRules) -> None:
        pool = await make_pool(10_000)
        grant = (
            await evaluate_report((await make_rewardable_report(await make_resident(1))).id, rules, FILED_AT)
        ).grant
        assert grant is not None
        reversed_grant = await reverse(grant.id, reason="fake report", actor=STAFF, now=FILED_AT)
        assert (reversed_grant.state, reversed_grant.reason) == (GrantState.REVERSED, "fake report")
        assert await ledger.balance_of(AccountKind.PAYABLE, 1) == 0
        assert await ledger.balance_of(AccountKind.BUDGET, pool.id) == 10_000
        assert await ledger.balance_of(AccountKind.RECEIVABLE, 1) == 0


class TestAtScale:
    async def test_a_decision_costs_at_most_twelve_statements(self, orm: None, rules: RewardRules) -> None:
        """A new reporter's report with a photo, checked and booked: the statements a decision sends (29 when
        each model was read and written through the ORM; issue 11's 5 ms leave room for about this many). One
        of them catches the process's pHash memory up with the log (bot/reports/photo_hashes.py)."""
        await make_pool()
        report = await make_rewardable_report(await make_resident(1), phash=PHASH_A)
        with counting_statements() as counter:
            grant = (await evaluate_report(report.id, rules, FILED_AT)).grant
        assert grant is not None and grant.state == GrantState.GRANTED
        print(f"reward decision: {len(counter.statements)} statements")  # noqa: T201
        assert len(counter.statements) <= 12, "\n".join(counter.statements)

    async def test_a_decision_reads_no_table_whole(
        self, orm: None, rules: RewardRules, caplog: pytest.LogCaptureFixture
    ) -> None:
        """With an archive on file and statistics gathered, every statement of a decision searches an index
        (SQLite's plans): none scans the reports, photos or grants, whose size grows with the city."""
        client = Report._meta.db
        if client.capabilities.dialect != "sqlite":
            pytest.skip("SQLite query plans")
        await make_pool()
        rng = random.Random(4)
        reporters = await make_residents(100, 50)
        await make_archived_photos([f"{rng.getrandbits(64):016x}" for _ in range(400)], reporters)
        await client.execute_script("ANALYZE")  # NULL-heavy columns then look unselective to the planner
        report = await make_rewardable_report(await make_resident(1), phash=PHASH_A)
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            await evaluate_report(report.id, rules, FILED_AT)
        statements = [record.args for record in caplog.records if str(record.msg).startswith("%s: %s")]
        selects = [args for args in statements if isinstance(args, tuple) and str(args[0]).startswith("SELECT")]
        assert len(selects) >= 5  # the log did capture the decision's queries
        for sql, params in selects:
            assert params is None or isinstance(params, list)
            rows = await client.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(row["detail"] for row in rows)
            assert not re.search(r"\bSCAN (report|photo|reward_grant)\b", plan), (sql, plan)
