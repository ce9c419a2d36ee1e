"""Unclaimed rewards: a reminder a week before they lapse, then the lapse itself.

"Unclaimed" means the resident has not finished /claim (real name and payout account): a resident
who did is waiting for the next payout batch, which is not their fault, so their grants never lapse.
Both steps are idempotent: a reminder is claimed by a conditional update, a lapse re-reads the
grant under the reporter's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from rewards import ledger
from rewards.ledger import AccountKind, TxnKind
from rewards.models import PayoutItem, RewardGrant, RewardProfile
from rewards.rules import RewardRules
from rewards.states import GRANTS, GrantState


@dataclass(frozen=True)
class Reminder:
    resident_id: int
    amount_fen: int
    lapses_at: datetime  # of the earliest grant in the reminder


def _unclaimed_grants(granted_before: datetime) -> QuerySet[RewardGrant]:
    claimed = RewardProfile.filter(verified_at__isnull=False, payout_account_enc__isnull=False).values("resident_id")
    return RewardGrant.filter(
        state=GrantState.GRANTED,
        granted_at__lte=granted_before,
        resident_id__not_in=Subquery(claimed),
        id__not_in=Subquery(PayoutItem.all().values("grant_id")),
    )


async def due_reminders(rules: RewardRules, now: datetime) -> list[Reminder]:
    """Grants that lapse within the reminder window, each reminded once; grouped per resident."""
    window_start = now - timedelta(days=rules.lapse_days - rules.reminder_days_before)
    found: dict[int, Reminder] = {}
    for grant in await _unclaimed_grants(window_start).filter(reminded_at__isnull=True).order_by("granted_at"):
        if not await RewardGrant.filter(id=grant.id, reminded_at__isnull=True).update(reminded_at=now):
            continue  # another run took it
        assert grant.granted_at is not None
        lapses_at = grant.granted_at + timedelta(days=rules.lapse_days)
        known = found.get(grant.resident_id)
        found[grant.resident_id] = Reminder(
            grant.resident_id,
            grant.amount_fen + (known.amount_fen if known else 0),
            min(lapses_at, known.lapses_at) if known else lapses_at,
        )
    return list(found.values())


async def lapse_unclaimed(rules: RewardRules, now: datetime) -> list[RewardGrant]:
    """Move each grant unclaimed for `lapse_days` from the payable account to `lapsed`."""
    lapsed_account = await ledger.account(AccountKind.LAPSED)
    lapsed = []
    for grant in await _unclaimed_grants(now - timedelta(days=rules.lapse_days)).order_by("id"):
        payable = await ledger.account(AccountKind.PAYABLE, grant.resident_id)
        async with in_transaction():
            await ledger.lock(payable)
            current = await RewardGrant.get(id=grant.id)
            if current.state != GrantState.GRANTED or await PayoutItem.exists(grant_id=grant.id):
                continue
            await ledger.post(
                TxnKind.LAPSE,
                [(payable, -current.amount_fen), (lapsed_account, current.amount_fen)],
                now=now,
                memo="unclaimed",
                actor="system:lapse",
                grant_id=current.id,
            )
            await GRANTS.move(current.id, GrantState.LAPSED, actor="system:lapse", now=now, closed_at=now)
            lapsed.append(await RewardGrant.get(id=current.id))
    return lapsed
