"""Payout batches, reversal after payment (a debt), and lapsing unclaimed rewards, with a frozen clock."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from bot.config import Settings
from bot.reports.models import Resident
from rewards import ledger
from rewards.crypto import Cipher
from rewards.grants import GrantError, evaluate_report, reverse
from rewards.lapse import due_reminders, lapse_unclaimed
from rewards.ledger import AccountKind
from rewards.models import PayoutItem, RewardGrant
from rewards.payouts import BatchError, cancel_batch, create_batch, export_csv, mark_paid
from rewards.rules import RewardRules
from rewards.states import BatchState, GrantState
from tests.conftest import FrozenClock
from tests.factories import FILED_AT, STAFF, make_claimed, make_pool, make_resident, make_rewardable_report


@pytest.fixture
def cipher(settings: Settings) -> Cipher:
    return Cipher.from_settings(settings)


async def granted(resident: Resident, rules: RewardRules, **report: Any) -> RewardGrant:
    grant = (await evaluate_report((await make_rewardable_report(resident, **report)).id, rules, FILED_AT)).grant
    assert grant is not None and grant.state == GrantState.GRANTED
    return grant


async def pay(batch_id: int, cipher: Cipher) -> str:
    text = await export_csv(batch_id, cipher, actor=STAFF, now=FILED_AT)
    await mark_paid(batch_id, reference="FIN-1", actor=STAFF, now=FILED_AT)
    return text


class TestBatches:
    async def test_batch_pays_claimed_residents_once(self, orm: None, rules: RewardRules, cipher: Cipher) -> None:
        """Only real-name-verified residents are in the batch; a second batch holds none of the same grants."""
        await make_pool()
        claimed = await granted(await make_resident(1), rules)
        unclaimed = await granted(await make_resident(2), rules)
        await make_claimed(await claimed.resident, cipher)
        batch = await create_batch(min_fen=1000, currency="CNY", created_by_id=None, now=FILED_AT)
        assert [item.grant_id for item in await PayoutItem.filter(batch_id=batch.id)] == [claimed.id]
        with pytest.raises(BatchError, match="Nothing to pay"):
            await create_batch(min_fen=1000, currency="CNY", created_by_id=None, now=FILED_AT)
        rows = list(csv.DictReader(io.StringIO(await pay(batch.id, cipher))))
        assert [(r["real_name"], r["account"], r["amount"], r["amount_fen"]) for r in rows] == [
            ("张三丰", "13800138000", "20.00", "2000")
        ]
        assert (await RewardGrant.get(id=claimed.id)).state == GrantState.PAID
        assert (await RewardGrant.get(id=unclaimed.id)).state == GrantState.GRANTED
        assert await ledger.balance_of(AccountKind.PAYABLE, 1) == 0
        assert await ledger.balance_of(AccountKind.PAID_OUT) == 2000

    async def test_minimum_amount_keeps_small_balances_for_later(
        self, orm: None, rules: RewardRules, cipher: Cipher
    ) -> None:
        await make_pool()
        grant = await granted(await make_resident(1), rules)
        await make_claimed(await grant.resident, cipher)
        with pytest.raises(BatchError):
            await create_batch(min_fen=5000, currency="CNY", created_by_id=None, now=FILED_AT)

    async def test_paid_only_after_export_and_cancel_frees_the_grants(
        self, orm: None, rules: RewardRules, cipher: Cipher
    ) -> None:
        await make_pool()
        grant = await granted(await make_resident(1), rules)
        await make_claimed(await grant.resident, cipher)
        batch = await create_batch(min_fen=1, currency="CNY", created_by_id=None, now=FILED_AT)
        with pytest.raises(BatchError, match="Export"):
            await mark_paid(batch.id, reference="X", actor=STAFF, now=FILED_AT)
        assert (await cancel_batch(batch.id, actor=STAFF, now=FILED_AT)).state == BatchState.CANCELLED
        again = await create_batch(min_fen=1, currency="CNY", created_by_id=None, now=FILED_AT)
        assert [item.grant_id for item in await PayoutItem.filter(batch_id=again.id)] == [grant.id]

    async def test_csv_neutralises_formulas(self, orm: None, rules: RewardRules, cipher: Cipher) -> None:
        """A name typed as a spreadsheet formula is exported as text."""
        await make_pool()
        grant = await granted(await make_resident(1), rules)
        await make_claimed(await grant.resident, cipher, name="=HYPERLINK(1)")
        batch = await create_batch(min_fen=1, currency="CNY", created_by_id=None, now=FILED_AT)
        [row] = list(csv.DictReader(io.StringIO(await export_csv(batch.id, cipher, actor=STAFF, now=FILED_AT))))
        assert row["real_name"] == "'=HYPERLINK(1)"


class TestReversalAfterPayout:
    async def test_becomes_a_debt_set_against_the_next_payout(
        self, orm: None, rules: RewardRules, cipher: Cipher
    ) -> None:
        """A paid 20-yuan grant reversed leaves a 20-yuan debt; the next 200-yuan payout pays 180."""
        pool = await make_pool(100_000)
        first = await granted(await make_resident(1), rules)
        await make_claimed(await first.resident, cipher)
        await pay((await create_batch(min_fen=1, currency="CNY", created_by_id=None, now=FILED_AT)).id, cipher)
        await reverse(first.id, reason="photo from the internet", actor=STAFF, now=FILED_AT)
        assert await ledger.balance_of(AccountKind.RECEIVABLE, 1) == -2000
        assert await ledger.balance_of(AccountKind.BUDGET, pool.id) == 100_000
        await granted(await Resident.get(id=1), rules, category="ebike")
        batch = await create_batch(min_fen=1, currency="CNY", created_by_id=None, now=FILED_AT)
        [row] = list(csv.DictReader(io.StringIO(await pay(batch.id, cipher))))
        assert row["amount_fen"] == "18000"
        assert await ledger.balance_of(AccountKind.RECEIVABLE, 1) == 0
        assert await ledger.balance_of(AccountKind.PAID_OUT) == 2000 + 18000

    async def test_grant_in_an_unpaid_batch_cannot_be_reversed(
        self, orm: None, rules: RewardRules, cipher: Cipher
    ) -> None:
        await make_pool()
        grant = await granted(await make_resident(1), rules)
        await make_claimed(await grant.resident, cipher)
        await create_batch(min_fen=1, currency="CNY", created_by_id=None, now=FILED_AT)
        with pytest.raises(GrantError, match="payout batch"):
            await reverse(grant.id, reason="x", actor=STAFF, now=FILED_AT)


class TestLapse:
    async def test_reminder_a_week_before_then_lapse(self, orm: None, rules: RewardRules, clock: FrozenClock) -> None:
        """Day 83: one reminder (a second run sends none); day 90: the unclaimed grant lapses."""
        await make_pool()
        grant = await granted(await make_resident(1), rules)
        clock.advance(days=82)
        assert await due_reminders(rules, clock()) == []
        clock.advance(days=1)
        [reminder] = await due_reminders(rules, clock())
        assert (reminder.resident_id, reminder.amount_fen) == (1, 2000)
        assert reminder.lapses_at == FILED_AT + timedelta(days=90)
        assert await due_reminders(rules, clock()) == []
        assert await lapse_unclaimed(rules, clock()) == []
        clock.advance(days=7)
        assert [g.id for g in await lapse_unclaimed(rules, clock())] == [grant.id]
        assert await lapse_unclaimed(rules, clock()) == []
        assert (await RewardGrant.get(id=grant.id)).state == GrantState.LAPSED
        assert await ledger.balance_of(AccountKind.PAYABLE, 1) == 0
        assert await ledger.balance_of(AccountKind.LAPSED) == 2000

    async def test_claimed_rewards_never_lapse(
        self, orm: None, rules: RewardRules, clock: FrozenClock, cipher: Cipher
    ) -> None:
        """A resident who finished /claim waits for a batch; that is not theirs to lose."""
        await make_pool()
        grant = await granted(await make_resident(1), rules)
        await make_claimed(await grant.resident, cipher)
        clock.advance(days=200)
        assert await due_reminders(rules, clock()) == [] and await lapse_unclaimed(rules, clock()) == []
