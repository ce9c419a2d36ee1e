"""Grant decisions: who earns what for a verified report, booked at most once per report.

`evaluate_report` is safe to call any number of times, from any number of workers at once: the
decision runs under a row lock on the reporter's payable account (PostgreSQL; SQLite serialises
transactions) and the one-to-one key `reward_grant.report_id` refuses a second grant outright.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.admin.models import StaffUser
from bot.i18n import N_
from bot.reports.models import Report, ReportFollower, Resident
from rewards import ledger
from rewards.budget import campaign_terms, pools_for
from rewards.fraud import signals_for
from rewards.ledger import AccountKind, TxnKind
from rewards.models import Account, AckPoints, BudgetPool, PayoutItem, RewardGrant
from rewards.rules import (
    NOT_YET,
    Ineligible,
    ReportFacts,
    RewardRules,
    base_amount,
    best_campaign,
    capped_amount,
    day_bounds,
    ineligibility,
    month_bounds,
    multiplied,
)
from rewards.states import GRANTS, GrantState

#: Grants that use up a reporter's daily and monthly caps.
COUNTED_STATES = (GrantState.GRANTED, GrantState.PENDING_BUDGET, GrantState.HELD, GrantState.PAID, GrantState.LAPSED)


class GrantError(ValueError):
    """The grant is not in a state that allows this; the message is an English source string."""


@dataclass(frozen=True)
class Evaluation:
    grant: RewardGrant | None
    created: bool = False
    waiting: Ineligible | None = None  # why there is no decision (yet)


@dataclass(frozen=True)
class Hazard:
    """A report with the duplicates merged into it: the earliest of them earns the reward."""

    evidence: Report
    report_ids: tuple[int, ...]
    acknowledged: dict[int, str] = field(default_factory=dict)  # resident id -> "follower"/"duplicate"


@dataclass(frozen=True)
class Proposal:
    report: Report
    resident_id: int
    filed_at: datetime
    base_fen: int
    multiplier_pct: int
    campaign_id: int | None
    staff: bool
    signals: list[dict[str, Any]]

    @property
    def amount_fen(self) -> int:
        return multiplied(self.base_fen, self.multiplier_pct)


async def hazard_of(report: Report) -> Hazard:
    group = [report, *await Report.filter(duplicate_of_id=report.id)]
    first = min(group, key=lambda member: (member.created_at, member.id))
    acknowledged = {member.reporter_id: "duplicate" for member in group if member.reporter_id is not None}
    followers = await ReportFollower.filter(report_id__in=[m.id for m in group]).values("resident_id")
    acknowledged.update({int(row["resident_id"]): "follower" for row in followers})
    if first.reporter_id is not None:
        acknowledged.pop(first.reporter_id, None)
    return Hazard(first, tuple(member.id for member in group), acknowledged)


async def is_staff(resident_id: int) -> bool:
    """Staff flag on the resident, or an active staff account linked to their Telegram id."""
    resident = await Resident.get(id=resident_id)
    return resident.is_staff or await StaffUser.exists(telegram_user_id=resident_id, active=True)


async def evaluate_report(report_id: int, rules: RewardRules, now: datetime) -> Evaluation:
    """Decide the reward for `report_id` once it is accepted and verified; otherwise do nothing."""
    existing = await RewardGrant.get_or_none(report_id=report_id)
    report = await Report.get_or_none(id=report_id) if existing is None else None
    if report is None:
        return Evaluation(existing)
    hazard = await hazard_of(report)
    first_reporter = hazard.evidence.reporter_id
    if first_reporter is None:  # a partner system reported the hazard first: nobody to pay, nor to acknowledge
        return Evaluation(None, waiting=Ineligible.NO_RESIDENT)
    staff = await is_staff(first_reporter)
    reason = ineligibility(
        rules,
        ReportFacts(
            status=report.status,
            verified=report.verified,
            category=report.category,
            fixed=report.verified_fixed_at is not None,
            merged=report.duplicate_of_id is not None,
            reporter_is_staff=staff,
        ),
    )
    if reason in NOT_YET or reason is Ineligible.DUPLICATE:
        return Evaluation(None, waiting=reason)
    campaign = best_campaign(await campaign_terms(), report.category, hazard.evidence.created_at)
    signals = [] if staff else await signals_for(hazard.evidence, hazard.report_ids, rules.fraud, rules.zone, now)
    proposal = Proposal(
        report,
        first_reporter,
        hazard.evidence.created_at,
        base_amount(rules, report.category, report.severity),
        campaign.multiplier_pct if campaign else 100,
        campaign.id if campaign else None,
        staff,
        signals,
    )
    grant = await _decide(proposal, rules, now)
    if grant is None:  # another worker decided first
        return Evaluation(await RewardGrant.get(report_id=report_id))
    await _acknowledge(report.id, hazard, rules, now)
    return Evaluation(grant, created=True)


@dataclass(frozen=True)
class Funding:
    """Where a grant's money goes and may come from: the reporter's payable account, and the budget account of
    each pool it may draw from now, in the order they are tried."""

    payable: Account
    budgets: list[tuple[BudgetPool, Account]]


async def _funding(resident_id: int, campaign_id: int | None, now: datetime) -> Funding:
    """The accounts, created on first use (so before the transaction that books, when the caller can)."""
    payable = await ledger.account(AccountKind.PAYABLE, resident_id)
    pools = await pools_for(campaign_id, now)
    return Funding(payable, [(pool, await ledger.account(AccountKind.BUDGET, pool.id)) for pool in pools])


async def _decide(proposal: Proposal, rules: RewardRules, now: datetime) -> RewardGrant | None:
    funding = await _funding(proposal.resident_id, proposal.campaign_id, now)
    try:
        async with in_transaction():
            await ledger.lock(funding.payable)
            if await RewardGrant.exists(report_id=proposal.report.id):
                return None
            state, amount_fen, reason = await _judge(proposal, rules, now)
            grant = await RewardGrant.create(
                report_id=proposal.report.id,
                resident_id=proposal.resident_id,
                state=state,
                base_fen=proposal.base_fen,
                multiplier_pct=proposal.multiplier_pct,
                amount_fen=amount_fen,
                campaign_id=proposal.campaign_id,
                reason=reason,
                signals=proposal.signals,
                created_at=now,
            )
            await GRANTS.born(grant, actor="system:evaluate", now=now, why=reason)
            if state is GrantState.PENDING_BUDGET:
                await _book(grant, now, "system:evaluate", funding)
    except IntegrityError:
        return None
    return grant


async def _judge(proposal: Proposal, rules: RewardRules, now: datetime) -> tuple[GrantState, int, str]:
    """State, amount and reason of a new grant; runs under the reporter's lock (caps are exact)."""
    if proposal.staff:
        return GrantState.INELIGIBLE, proposal.amount_fen, Ineligible.STAFF
    if proposal.amount_fen <= 0:
        return GrantState.INELIGIBLE, 0, Ineligible.ZERO_AMOUNT
    day_start, day_end = day_bounds(proposal.filed_at, rules.zone)
    month_start, month_end = month_bounds(now, rules.zone)
    counted = RewardGrant.filter(resident_id=proposal.resident_id, state__in=COUNTED_STATES)
    same_day = await counted.filter(report__created_at__gte=day_start, report__created_at__lt=day_end).count()
    month_fen = await ledger.sum_of(counted.filter(created_at__gte=month_start, created_at__lt=month_end), "amount_fen")
    amount_fen, cap = capped_amount(
        rules, proposal.amount_fen, rewarded_same_day=same_day, granted_this_month_fen=month_fen
    )
    if cap is not None:
        return GrantState.INELIGIBLE, 0, cap
    if proposal.signals:
        return GrantState.HELD, amount_fen, ""
    return GrantState.PENDING_BUDGET, amount_fen, ""


async def _book(grant: RewardGrant, now: datetime, actor: str, funding: Funding | None = None) -> bool:
    """Move the amount from the first running pool that has it; else the grant waits for budget.
    Runs inside a transaction that already holds the reporter's lock (`funding`: the accounts, when the
    caller read them already)."""
    if funding is None:
        funding = await _funding(grant.resident_id, grant.campaign_id, now)
    for pool, budget_account in funding.budgets:
        budget = await ledger.lock(budget_account)
        if budget.balance_fen >= grant.amount_fen:
            await ledger.post(
                TxnKind.GRANT,
                [(budget, -grant.amount_fen), (funding.payable, grant.amount_fen)],
                now=now,
                memo=f"report {grant.report_id}",
                actor=actor,
                grant_id=grant.id,
            )
            await GRANTS.move(
                grant.id,
                GrantState.GRANTED,
                actor=actor,
                now=now,
                pool_id=pool.id,
                granted_at=now,
                decided_by=grant.decided_by,
            )
            await grant.refresh_from_db(fields=["state", "pool_id", "granted_at"])
            return True
    if grant.state != GrantState.PENDING_BUDGET:  # released from a hold, but no pool has the money yet
        await GRANTS.move(
            grant.id, GrantState.PENDING_BUDGET, actor=actor, now=now, why="no budget", decided_by=grant.decided_by
        )
        await grant.refresh_from_db(fields=["state"])
    return False


async def _acknowledge(report_id: int, hazard: Hazard, rules: RewardRules, now: datetime) -> None:
    """Points (not money) for everyone who backed the hazard without being its first reporter."""
    if rules.ack_points <= 0:
        return
    for resident_id, reason in hazard.acknowledged.items():
        try:
            await AckPoints.create(
                resident_id=resident_id, report_id=report_id, points=rules.ack_points, reason=reason, created_at=now
            )
        except IntegrityError:
            continue  # acknowledged before


async def release(grant_id: int, *, actor: str, now: datetime) -> RewardGrant:
    """An official found the held grant honest: book it (or queue it for budget)."""
    grant = await _grant(grant_id)
    async with in_transaction():
        await ledger.lock(await ledger.account(AccountKind.PAYABLE, grant.resident_id))
        grant = await RewardGrant.get(id=grant_id)
        if grant.state != GrantState.HELD:
            raise GrantError(N_("Only a held reward can be released."))
        grant.decided_by = actor
        await _book(grant, now, actor)
    return grant


async def reject(grant_id: int, *, reason: str, actor: str, now: datetime) -> RewardGrant:
    if not reason.strip():
        raise GrantError(N_("Give a reason."))
    grant = await _grant(grant_id)
    async with in_transaction():
        await ledger.lock(await ledger.account(AccountKind.PAYABLE, grant.resident_id))
        grant = await RewardGrant.get(id=grant_id)
        if grant.state != GrantState.HELD:
            raise GrantError(N_("Only a held reward can be rejected."))
        await GRANTS.move(
            grant.id,
            GrantState.REJECTED,
            actor=actor,
            now=now,
            why=reason.strip(),
            reason=reason.strip(),
            decided_by=actor,
            closed_at=now,
        )
    return await RewardGrant.get(id=grant_id)


async def reverse(grant_id: int, *, reason: str, actor: str, now: datetime) -> RewardGrant:
    """Take a grant back. Unpaid: the money returns to its pool. Paid: the resident owes it, and
    the debt is set against their next payouts."""
    if not reason.strip():
        raise GrantError(N_("Give a reason."))
    grant = await _grant(grant_id)
    payable = await ledger.account(AccountKind.PAYABLE, grant.resident_id)
    receivable = await ledger.account(AccountKind.RECEIVABLE, grant.resident_id)
    async with in_transaction():
        await ledger.lock(payable)
        grant = await RewardGrant.get(id=grant_id)
        if grant.state in (GrantState.GRANTED, GrantState.PAID):
            if grant.state == GrantState.GRANTED and await PayoutItem.exists(grant_id=grant.id):
                raise GrantError(N_("This reward is in a payout batch that is not paid yet: cancel the batch first."))
            budget = await ledger.lock(await ledger.account(AccountKind.BUDGET, grant.pool_id))
            owner = payable if grant.state == GrantState.GRANTED else receivable
            await ledger.post(
                TxnKind.REVERSAL,
                [(owner, -grant.amount_fen), (budget, grant.amount_fen)],
                now=now,
                memo=reason.strip(),
                actor=actor,
                grant_id=grant.id,
            )
        elif grant.state not in (GrantState.HELD, GrantState.PENDING_BUDGET):
            raise GrantError(N_("This reward cannot be reversed."))
        await GRANTS.move(
            grant.id,
            GrantState.REVERSED,
            actor=actor,
            now=now,
            why=reason.strip(),
            reason=reason.strip(),
            decided_by=actor,
            closed_at=now,
        )
    return await RewardGrant.get(id=grant_id)


async def _grant(grant_id: int) -> RewardGrant:
    grant = await RewardGrant.get_or_none(id=grant_id)
    if grant is None:
        raise GrantError(N_("No such reward."))
    return grant


async def retry_pending(now: datetime) -> list[RewardGrant]:
    """Book grants waiting for budget, oldest first, while the pools have money."""
    booked = []
    waiting = await RewardGrant.filter(state=GrantState.PENDING_BUDGET).order_by("id").values("id", "resident_id")
    for grant_id, resident_id in ((int(row["id"]), int(row["resident_id"])) for row in waiting):
        payable = await ledger.account(AccountKind.PAYABLE, resident_id)
        async with in_transaction():
            await ledger.lock(payable)
            grant = await RewardGrant.get(id=grant_id)
            if grant.state == GrantState.PENDING_BUDGET and await _book(grant, now, "system:retry"):
                booked.append(grant)
    return booked
