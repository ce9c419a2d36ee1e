"""Budget pools (per period or per campaign), funding them, and campaigns' terms for the rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from bot.i18n import N_
from rewards import ledger, sql
from rewards.ledger import AccountKind, TxnKind
from rewards.models import Account, BudgetPool, Campaign, Entry, RewardGrant
from rewards.rules import CampaignTerms


class PoolError(ValueError):
    """A pool or campaign form that cannot be saved; the message is an English source string."""


@dataclass(frozen=True)
class PoolStatus:
    pool: BudgetPool
    funded_fen: int
    available_fen: int
    active: bool
    smallest_waiting_fen: int | None = None  # of the grants waiting for budget, if any

    @property
    def exhausted(self) -> bool:
        """Running, and unable to pay even the smallest grant that waits (or anything at all)."""
        floor = 1 if self.smallest_waiting_fen is None else self.smallest_waiting_fen
        return self.active and self.available_fen < floor


async def create_campaign(
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    categories: list[str],
    multiplier_pct: int,
    *,
    created_by_id: int | None,
    now: datetime,
) -> Campaign:
    if not name.strip() or ends_at <= starts_at:
        raise PoolError(N_("A campaign needs a name and an end after its start."))
    if not 100 <= multiplier_pct <= 1000:
        raise PoolError(N_("The multiplier must be between 100 and 1000 percent."))
    return await Campaign.create(
        name=name.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        categories=categories,
        multiplier_pct=multiplier_pct,
        created_by_id=created_by_id,
        created_at=now,
    )


#: The columns of `campaigns_join` a statement selects (NULLs in a row without a campaign).
CAMPAIGN_COLUMNS = (
    "c.id AS campaign_id, c.starts_at AS campaign_starts_at, c.ends_at AS campaign_ends_at,"
    " c.categories AS campaign_categories, c.multiplier_pct AS campaign_multiplier_pct"
)


def campaigns_join(running_at: datetime) -> tuple[str, list[object]]:
    """The campaigns running at `running_at`, as a join with its parameters: after a one-row table, one row per
    campaign (a few a year), or one with NULLs, for a statement that reads other things of the same decision."""
    return "LEFT JOIN reward_campaign c ON c.starts_at <= ? AND c.ends_at > ?", [sql.utc(running_at)] * 2


def campaign_terms(rows: Sequence[dict[str, Any]]) -> list[CampaignTerms]:
    """The campaigns of a statement's rows (`CAMPAIGN_COLUMNS`)."""
    return [
        CampaignTerms(
            int(row["campaign_id"]),
            sql.python_value(Campaign, "starts_at", row["campaign_starts_at"]),
            sql.python_value(Campaign, "ends_at", row["campaign_ends_at"]),
            tuple(sql.python_value(Campaign, "categories", row["campaign_categories"]) or []),
            int(row["campaign_multiplier_pct"]),
        )
        for row in rows
        if row["campaign_id"] is not None
    ]


async def create_pool(
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    amount_fen: int,
    *,
    campaign_id: int | None,
    created_by_id: int | None,
    now: datetime,
) -> BudgetPool:
    """A pool with its opening funding, as one ledger transaction."""
    if not name.strip() or ends_at <= starts_at:
        raise PoolError(N_("A pool needs a name and an end after its start."))
    if campaign_id is not None and not await Campaign.exists(id=campaign_id):
        raise PoolError(N_("No such campaign."))
    funding = await ledger.account(AccountKind.FUNDING)
    async with in_transaction():
        pool = await BudgetPool.create(
            name=name.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            campaign_id=campaign_id,
            created_by_id=created_by_id,
            created_at=now,
        )
        budget = await ledger.account(AccountKind.BUDGET, pool.id)
        if amount_fen > 0:
            await ledger.post(
                TxnKind.FUNDING,
                [(funding, -amount_fen), (budget, amount_fen)],
                now=now,
                memo=f"pool {pool.id} opened",
                actor=f"staff:{created_by_id}",
            )
    return pool


async def open_trial_pool(amount_fen: int, *, now: datetime) -> BudgetPool | None:
    """A funded pool for this calendar year (UTC), once: None when any pool exists already."""
    if await BudgetPool.exists():
        return None
    year_start = datetime(now.year, 1, 1, tzinfo=UTC)
    end = year_start.replace(year=now.year + 1)
    return await create_pool(
        "Sandbox trial pool", year_start, end, amount_fen, campaign_id=None, created_by_id=None, now=now
    )


async def fund_pool(pool_id: int, amount_fen: int, *, actor: str, now: datetime) -> None:
    """Top a pool up (the caller then retries grants waiting for budget)."""
    if amount_fen <= 0:
        raise PoolError(N_("The amount must be more than zero."))
    pool = await BudgetPool.get_or_none(id=pool_id)
    if pool is None:
        raise PoolError(N_("No such pool."))
    funding, budget = await ledger.account(AccountKind.FUNDING), await ledger.account(AccountKind.BUDGET, pool.id)
    async with in_transaction():
        await ledger.post(
            TxnKind.FUNDING,
            [(funding, -amount_fen), (budget, amount_fen)],
            now=now,
            memo=f"pool {pool.id} topped up",
            actor=actor,
        )


@dataclass(frozen=True)
class Budget:
    """A pool a grant may draw from, with its budget account's balance."""

    pool_id: int
    account_id: int
    balance_fen: int


async def budgets_for(campaign_id: int | None, now: datetime) -> list[Budget]:
    """The pools a grant may draw from now: its campaign's first, then the period pools, oldest first; their
    budget accounts locked for the rest of the transaction (call it inside the transaction that books). One
    statement; a pool whose budget account was never opened has nothing to give and is left out."""
    found = await sql.rows(
        BudgetPool,
        "SELECT p.id AS pool_id, a.id AS account_id, a.balance_fen AS balance_fen FROM reward_budget_pool p"
        " JOIN ledger_account a ON a.kind = ? AND a.key = CAST(p.id AS VARCHAR(32))"
        " WHERE p.starts_at <= ? AND p.ends_at > ? AND (p.campaign_id = ? OR p.campaign_id IS NULL)"
        " ORDER BY CASE WHEN p.campaign_id IS NULL THEN 1 ELSE 0 END, p.starts_at, p.id"
        f"{sql.locking(Account, of='a')}",
        [str(AccountKind.BUDGET), sql.utc(now), sql.utc(now), campaign_id],
    )
    return [Budget(int(row["pool_id"]), int(row["account_id"]), int(row["balance_fen"])) for row in found]


async def pool_statuses(now: datetime) -> list[PoolStatus]:
    waiting = await RewardGrant.filter(state="pending_budget").order_by("amount_fen").first()
    smallest = waiting.amount_fen if waiting is not None else None
    statuses = []
    for pool in await BudgetPool.all().order_by("-starts_at", "-id"):
        budget = await ledger.account(AccountKind.BUDGET, pool.id)
        funded = await ledger.sum_of(Entry.filter(account_id=budget.id, txn__kind=TxnKind.FUNDING), "amount_fen")
        active = pool.starts_at <= now < pool.ends_at
        statuses.append(PoolStatus(pool, funded, await ledger.balance(budget), active, smallest))
    return statuses


async def waiting_for_budget() -> tuple[int, int]:
    """How many grants wait for budget, and their total in fen (for the admin warning)."""
    waiting = RewardGrant.filter(state="pending_budget")
    return await waiting.count(), await ledger.sum_of(waiting, "amount_fen")
