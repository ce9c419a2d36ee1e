"""Grant decisions: who earns what for a verified report, booked at most once per report.

`evaluate_report` is safe to call any number of times, from any number of workers at once: the
decision runs under a row lock on the reporter's payable account (PostgreSQL; SQLite serialises
transactions) and the one-to-one key `reward_grant.report_id` refuses a second grant outright.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.i18n import N_
from rewards import ledger, sql
from rewards.budget import Budget, budgets_for
from rewards.cases import Case, acknowledged_of, case_of, surroundings_of
from rewards.fraud import signals_for
from rewards.ledger import AccountKind, TxnKind
from rewards.models import AckPoints, PayoutItem, RewardGrant
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
class Proposal:
    report_id: int
    resident_id: int
    payable_id: int | None  #: the resident's payable account, if opened
    filed_at: datetime
    base_fen: int
    multiplier_pct: int
    campaign_id: int | None
    staff: bool
    signals: list[dict[str, Any]]

    @property
    def amount_fen(self) -> int:
        return multiplied(self.base_fen, self.multiplier_pct)


async def evaluate_report(report_id: int, rules: RewardRules, now: datetime) -> Evaluation:
    """Decide the reward for `report_id` once it is accepted and verified; otherwise do nothing."""
    case = await case_of(report_id)
    if case is None:
        return Evaluation(None)
    if case.report.grant_id is not None:
        return Evaluation(await RewardGrant.get(id=case.report.grant_id))
    report, first = case.report, case.evidence
    if first.reporter_id is None:  # a partner system reported the hazard first: nobody to pay, nor to acknowledge
        return Evaluation(None, waiting=Ineligible.NO_RESIDENT)
    facts = ReportFacts(
        status=report.status,
        verified=report.verified,
        category=report.category,
        fixed=report.fixed,
        merged=report.merged,
        reporter_is_staff=first.reporter_is_staff,
    )
    reason = ineligibility(rules, facts)
    if reason in NOT_YET or reason is Ineligible.DUPLICATE:
        return Evaluation(None, waiting=reason)
    grant = await _decide(await _proposal(case, first.reporter_id, rules, now), rules, now)
    if grant is None:  # another worker decided first
        return Evaluation(await RewardGrant.get(report_id=report_id))
    await _acknowledge(report.id, case, rules, now)
    return Evaluation(grant, created=True)


async def _proposal(case: Case, resident_id: int, rules: RewardRules, now: datetime) -> Proposal:
    first = case.evidence
    around = await surroundings_of(case, rules.zone)
    campaign = best_campaign(around.campaigns, case.report.category, first.filed_at)
    staff = first.reporter_is_staff
    return Proposal(
        case.report.id,
        resident_id,
        first.payable_id,
        first.filed_at,
        base_amount(rules, case.report.category, case.report.severity),
        campaign.multiplier_pct if campaign else 100,
        campaign.id if campaign else None,
        staff,
        []
        if staff
        else await signals_for(around.evidence, case.report_ids, rules.fraud, rules.zone, now, around.counts),
    )


async def _decide(proposal: Proposal, rules: RewardRules, now: datetime) -> RewardGrant | None:
    """One transaction under the reporter's lock: the caps read, the budget found, the grant created in
    its final state (the machine records each step), and the money booked."""
    try:
        async with in_transaction():
            payable_id = await ledger.held(AccountKind.PAYABLE, proposal.resident_id, proposal.payable_id)
            judged = await _judge(proposal, rules, now)
            if judged is None:
                return None
            state, amount_fen, reason = judged
            budget = (
                await _budget(proposal.campaign_id, amount_fen, now) if state is GrantState.PENDING_BUDGET else None
            )
            grant = await RewardGrant.create(
                report_id=proposal.report_id,
                resident_id=proposal.resident_id,
                state=state if budget is None else GrantState.GRANTED,
                base_fen=proposal.base_fen,
                multiplier_pct=proposal.multiplier_pct,
                amount_fen=amount_fen,
                campaign_id=proposal.campaign_id,
                pool_id=None if budget is None else budget.pool_id,
                reason=reason,
                signals=proposal.signals,
                created_at=now,
                granted_at=None if budget is None else now,
            )
            through = () if budget is None else (GrantState.PENDING_BUDGET,)
            await GRANTS.born(grant, actor="system:evaluate", now=now, why=reason, through=through)
            if budget is not None:
                await _post_grant(grant, budget, payable_id, now, "system:evaluate")
    except IntegrityError:
        return None
    return grant


_CAPS = (
    "SELECT (SELECT COUNT(*) FROM reward_grant WHERE report_id = ?) AS decided,"
    " (SELECT COUNT(*) FROM reward_grant g JOIN report r ON r.id = g.report_id"
    f" WHERE g.resident_id = ? AND g.state IN ({', '.join('?' * len(COUNTED_STATES))})"
    " AND r.created_at >= ? AND r.created_at < ?) AS same_day,"
    " (SELECT SUM(amount_fen) FROM reward_grant"
    f" WHERE resident_id = ? AND state IN ({', '.join('?' * len(COUNTED_STATES))})"
    " AND created_at >= ? AND created_at < ?) AS month_fen"
)


async def _judge(proposal: Proposal, rules: RewardRules, now: datetime) -> tuple[GrantState, int, str] | None:
    """State, amount and reason of a new grant, or None when the report has one already; runs under the
    reporter's lock (caps are exact). One statement reads whether it was decided and both caps."""
    day_start, day_end = day_bounds(proposal.filed_at, rules.zone)
    month_start, month_end = month_bounds(now, rules.zone)
    states = [str(state) for state in COUNTED_STATES]
    [read] = await sql.rows(
        RewardGrant,
        _CAPS,
        [
            proposal.report_id,
            *(proposal.resident_id, *states, sql.utc(day_start), sql.utc(day_end)),
            *(proposal.resident_id, *states, sql.utc(month_start), sql.utc(month_end)),
        ],
    )
    if read["decided"]:
        return None
    if proposal.staff:
        return GrantState.INELIGIBLE, proposal.amount_fen, Ineligible.STAFF
    if proposal.amount_fen <= 0:
        return GrantState.INELIGIBLE, 0, Ineligible.ZERO_AMOUNT
    amount_fen, cap = capped_amount(
        rules,
        proposal.amount_fen,
        rewarded_same_day=int(read["same_day"] or 0),
        granted_this_month_fen=int(read["month_fen"] or 0),
    )
    if cap is not None:
        return GrantState.INELIGIBLE, 0, cap
    if proposal.signals:
        return GrantState.HELD, amount_fen, ""
    return GrantState.PENDING_BUDGET, amount_fen, ""


async def _budget(campaign_id: int | None, amount_fen: int, now: datetime) -> Budget | None:
    """The first pool that can pay `amount_fen` now (its account locked), if any."""
    return next((budget for budget in await budgets_for(campaign_id, now) if budget.balance_fen >= amount_fen), None)


async def _post_grant(grant: RewardGrant, budget: Budget, payable_id: int, now: datetime, actor: str) -> None:
    await ledger.post(
        TxnKind.GRANT,
        [(budget.account_id, -grant.amount_fen), (payable_id, grant.amount_fen)],
        now=now,
        memo=f"report {grant.report_id}",
        actor=actor,
        grant_id=grant.id,
    )


async def _book(grant: RewardGrant, payable_id: int, now: datetime, actor: str) -> bool:
    """Move the amount from the first running pool that has it; else the grant waits for budget.
    Runs inside a transaction that already holds the reporter's lock."""
    budget = await _budget(grant.campaign_id, grant.amount_fen, now)
    if budget is not None:
        await _post_grant(grant, budget, payable_id, now, actor)
        await GRANTS.move(
            grant.id,
            GrantState.GRANTED,
            actor=actor,
            now=now,
            pool_id=budget.pool_id,
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


async def _acknowledge(report_id: int, case: Case, rules: RewardRules, now: datetime) -> None:
    """Points (not money) for everyone who backed the hazard without being its first reporter."""
    if rules.ack_points <= 0:
        return
    for resident_id, reason in (await acknowledged_of(case)).items():
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
        payable = await ledger.lock(await ledger.account(AccountKind.PAYABLE, grant.resident_id))
        grant = await RewardGrant.get(id=grant_id)
        if grant.state != GrantState.HELD:
            raise GrantError(N_("Only a held reward can be released."))
        grant.decided_by = actor
        await _book(grant, payable.id, now, actor)
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
            if grant.state == GrantState.PENDING_BUDGET and await _book(grant, payable.id, now, "system:retry"):
                booked.append(grant)
    return booked
