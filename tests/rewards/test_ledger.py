"""The double-entry ledger: balanced transactions only, balances from entries, and the invariant check."""

from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from rewards import ledger
from rewards.ledger import AccountKind, TxnKind, UnbalancedError
from rewards.models import Account, Entry, LedgerTransaction
from tests.factories import FILED_AT


async def test_unbalanced_transactions_are_refused(orm: None) -> None:
    """Entries that do not sum to zero, or a single leg, are never stored."""
    funding, budget = await ledger.account(AccountKind.FUNDING), await ledger.account(AccountKind.BUDGET, 1)
    with pytest.raises(UnbalancedError):
        await ledger.post(TxnKind.FUNDING, [(funding, -100), (budget, 99)], now=FILED_AT)
    with pytest.raises(UnbalancedError):
        await ledger.post(TxnKind.FUNDING, [(funding, 0), (budget, 0)], now=FILED_AT)
    assert not await LedgerTransaction.exists()


async def test_balances_are_sums_of_entries(orm: None) -> None:
    """Balances follow every posting; the cache and the sum agree."""
    funding, budget = await ledger.account(AccountKind.FUNDING), await ledger.account(AccountKind.BUDGET, 1)
    payable = await ledger.account(AccountKind.PAYABLE, 7)
    async with in_transaction():
        await ledger.post(TxnKind.FUNDING, [(funding, -5000), (budget, 5000)], now=FILED_AT)
        await ledger.post(TxnKind.GRANT, [(budget, -2000), (payable, 2000)], now=FILED_AT)
    assert [await ledger.balance(a) for a in (funding, budget, payable)] == [-5000, 3000, 2000]
    assert (await Account.get(id=budget.id)).balance_fen == 3000


async def test_invariant_check_finds_corruption(orm: None) -> None:
    """A lopsided entry or a stale cache is reported (so the autouse check can fail), then repaired."""
    funding, budget = await ledger.account(AccountKind.FUNDING), await ledger.account(AccountKind.BUDGET, 1)
    txn_id = await ledger.post(TxnKind.FUNDING, [(funding, -5000), (budget, 5000)], now=FILED_AT)
    txn = await LedgerTransaction.get(id=txn_id)
    assert await ledger.check_invariants() == []
    stray = await Entry.create(txn=txn, account=budget, amount_fen=1)
    await Account.filter(id=funding.id).update(balance_fen=0)
    problems = await ledger.check_invariants()
    assert any(f"transaction {txn.id} sums to 1" in problem for problem in problems)
    assert any("funding: caches 0" in problem for problem in problems)
    await stray.delete()
    await Account.filter(id=funding.id).update(balance_fen=-5000)
    assert await ledger.check_invariants() == []


async def test_accounts_are_created_once(orm: None) -> None:
    """Two lookups of one (kind, key) give the same account."""
    first, again = await ledger.account(AccountKind.PAYABLE, 9), await ledger.account(AccountKind.PAYABLE, "9")
    assert first.id == again.id and await Account.filter(kind="payable").count() == 1
