"""The double-entry ledger: accounts, balanced transactions, balances, and the invariant check.

Every movement of money is one `LedgerTransaction` whose entries sum to zero. An entry's amount is
positive when money flows into its account. Balances are sums of entries; `Account.balance_fen`
caches that sum, updated in the same database transaction as the entries, so budget checks can
lock one row instead of summing, and `check_invariants` proves the cache right.

Accounts and the sign of a normal balance:
  funding             negative: what the city put into pools
  budget:<pool>       positive: money a pool can still grant
  payable:<resident>  positive: granted to the resident, not yet paid
  receivable:<res.>   negative: the resident owes it (a grant reversed after it was paid)
  paid_out, lapsed    positive: money that left, or that nobody claimed
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Sum
from tortoise.queryset import QuerySet

from rewards import sql
from rewards.models import Account, Entry, LedgerTransaction


class AccountKind(StrEnum):
    FUNDING = "funding"
    BUDGET = "budget"
    PAYABLE = "payable"
    RECEIVABLE = "receivable"
    PAID_OUT = "paid_out"
    LAPSED = "lapsed"


class TxnKind(StrEnum):
    FUNDING = "funding"  # funding -> budget
    GRANT = "grant"  # budget -> payable
    REVERSAL = "reversal"  # payable (or receivable, once paid) -> budget
    LAPSE = "lapse"  # payable -> lapsed
    PAYOUT = "payout"  # payable -> paid_out, and the debt part -> receivable


class UnbalancedError(ValueError):
    """A transaction's entries do not sum to zero (a programming error, never stored)."""


Leg = tuple[Account | int, int]  #: an account (or its id) and the amount flowing into it


async def account(kind: AccountKind, key: object = "") -> Account:
    """The account, created on first use; safe when two workers race (call it outside transactions)."""
    key_text = str(key)
    found = await Account.get_or_none(kind=kind, key=key_text)
    if found is not None:
        return found
    try:
        return await Account.create(kind=kind, key=key_text)
    except IntegrityError:
        return await Account.get(kind=kind, key=key_text)


async def lock(target: Account) -> Account:
    """Re-read `target` with a row lock for the rest of the transaction (PostgreSQL: FOR UPDATE;
    SQLite serialises whole transactions, so the plain read is enough there)."""
    return await Account.select_for_update().get(id=target.id)


async def held(kind: AccountKind, key: object, known_id: int | None = None) -> int:
    """The account's id, locked for the rest of the transaction (call it inside): `known_id` when the caller read
    it already, else opened now, in the transaction, so that it costs no commit of its own. A transaction that
    opens the same account meanwhile makes the INSERT wait for its end (PostgreSQL); then the account is read."""
    if known_id is not None:
        await hold(known_id)
        return known_id
    opened = await sql.rows(
        Account,
        "INSERT INTO ledger_account (kind, key, balance_fen) VALUES (?, ?, 0) ON CONFLICT (kind, key) DO NOTHING"
        " RETURNING id",
        [str(kind), str(key)],
    )
    if opened:  # a new row: the transaction's own until it commits
        return int(opened[0]["id"])
    [found] = await sql.rows(
        Account,
        f"SELECT id FROM ledger_account WHERE kind = ? AND key = ?{sql.locking(Account)}",
        [str(kind), str(key)],
    )
    return int(found["id"])


async def hold(account_id: int) -> None:
    """`lock` in one short statement, for a caller that needs no balance (none at all on SQLite)."""
    if clause := sql.locking(Account):
        await sql.rows(Account, f"SELECT id FROM ledger_account WHERE id = ?{clause}", [account_id])


async def post(
    kind: TxnKind,
    legs: Sequence[Leg],
    *,
    now: datetime,
    memo: str = "",
    actor: str = "",
    grant_id: int | None = None,
    batch_id: int | None = None,
) -> int:
    """Record one balanced transaction and return its id; call it inside the caller's database transaction.

    Three statements whatever the number of legs (the transaction, its entries, the cached balances): a
    grant books inside the reward decision, which must stay within a few milliseconds."""
    amounts = [(target if isinstance(target, int) else target.id, amount) for target, amount in legs if amount != 0]
    if sum(amount for _, amount in amounts) != 0:
        raise UnbalancedError(f"{kind}: entries sum to {sum(amount for _, amount in amounts)}, not 0")
    if len(amounts) < 2:
        raise UnbalancedError(f"{kind}: a transaction moves money between at least two accounts")
    [txn] = await sql.rows(
        LedgerTransaction,
        "INSERT INTO ledger_transaction (kind, memo, actor, grant_id, batch_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [str(kind), memo, actor, grant_id, batch_id, now],
    )
    txn_id = int(txn["id"])
    await sql.rows(
        Entry,
        f"INSERT INTO ledger_entry (txn_id, account_id, amount_fen) VALUES {', '.join(['(?, ?, ?)'] * len(amounts))}",
        [value for account_id, amount in amounts for value in (txn_id, account_id, amount)],
    )
    by_account: dict[int, int] = {}
    for account_id, amount in amounts:
        by_account[account_id] = by_account.get(account_id, 0) + amount
    cases = " ".join(["WHEN ? THEN CAST(? AS BIGINT)"] * len(by_account))
    await sql.rows(
        Account,
        f"UPDATE ledger_account SET balance_fen = balance_fen + CASE id {cases} ELSE 0 END"
        f" WHERE id IN ({', '.join('?' * len(by_account))})",
        [*(value for item in by_account.items() for value in item), *by_account],
    )
    return txn_id


async def sum_of(query: QuerySet[Any], column: str) -> int:
    """SUM(column) over a filtered query, 0 when it matches nothing."""
    rows = await query.annotate(total=Sum(column)).values("total")
    return int(rows[0]["total"] or 0) if rows else 0


async def balance(target: Account) -> int:
    """The account's balance, summed from its entries (the truth the cache must equal)."""
    return await sum_of(Entry.filter(account_id=target.id), "amount_fen")


async def balance_of(kind: AccountKind, key: object = "") -> int:
    found = await Account.get_or_none(kind=kind, key=str(key))
    return 0 if found is None else await balance(found)


async def check_invariants() -> list[str]:
    """Every problem found: unbalanced transactions, and caches that differ from their entries."""
    problems: list[str] = []
    by_txn: dict[int, int] = {}
    by_account: dict[int, int] = {}
    for txn_id, account_id, amount in await Entry.all().values_list("txn_id", "account_id", "amount_fen"):
        by_txn[txn_id] = by_txn.get(txn_id, 0) + int(amount)
        by_account[account_id] = by_account.get(account_id, 0) + int(amount)
    problems += [f"transaction {txn_id} sums to {total}" for txn_id, total in sorted(by_txn.items()) if total]
    empty = await LedgerTransaction.filter(entries__id__isnull=True).values_list("id", flat=True)
    problems += [f"transaction {txn_id} has no entries" for txn_id in empty]
    for account_id, kind, key, cached in await Account.all().values_list("id", "kind", "key", "balance_fen"):
        if int(cached) != by_account.get(account_id, 0):
            problems.append(f"{kind}:{key} caches {cached} but its entries sum to {by_account.get(account_id, 0)}")
    if sum(by_account.values()) != 0:
        problems.append(f"all entries sum to {sum(by_account.values())}")
    return problems
