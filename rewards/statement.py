"""What /balance shows a resident, and the opt-in monthly leaderboard with masked names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.functions import Count, Sum

from bot.reports.models import Resident
from rewards import ledger
from rewards.crypto import Cipher
from rewards.identity import mask_name
from rewards.ledger import AccountKind
from rewards.models import AckPoints, PayoutLine, RewardGrant, RewardProfile
from rewards.rules import RewardRules, month_bounds
from rewards.states import BatchState, GrantState

HISTORY_LINES = 10
PENDING_STATES = (GrantState.HELD, GrantState.PENDING_BUDGET)


@dataclass(frozen=True)
class HistoryLine:
    report_id: int
    amount_fen: int
    state: str
    at: datetime


@dataclass(frozen=True)
class Statement:
    available_fen: int  # granted, waiting for a payout batch
    pending_fen: int  # under review or waiting for budget
    paid_fen: int
    debt_fen: int  # reversed after payment, set against future payouts
    points: int
    claimed: bool  # real name and payout account given
    lapses_at: datetime | None  # of the oldest unclaimed grant
    history: list[HistoryLine]


async def statement_for(resident_id: int, rules: RewardRules) -> Statement:
    grants = RewardGrant.filter(resident_id=resident_id)
    profile = await RewardProfile.get_or_none(resident_id=resident_id)
    claimed = profile is not None and profile.verified_at is not None and profile.payout_account_enc is not None
    oldest = await grants.filter(state=GrantState.GRANTED).order_by("granted_at").first()
    lapses_at = None
    if not claimed and oldest is not None and oldest.granted_at is not None:
        lapses_at = oldest.granted_at + timedelta(days=rules.lapse_days)
    recent = await grants.order_by("-created_at", "-id").limit(HISTORY_LINES)
    return Statement(
        available_fen=await ledger.balance_of(AccountKind.PAYABLE, resident_id),
        pending_fen=await ledger.sum_of(grants.filter(state__in=PENDING_STATES), "amount_fen"),
        paid_fen=await ledger.sum_of(
            PayoutLine.filter(resident_id=resident_id, batch__state=BatchState.PAID), "net_fen"
        ),
        debt_fen=max(0, -await ledger.balance_of(AccountKind.RECEIVABLE, resident_id)),
        points=await ledger.sum_of(AckPoints.filter(resident_id=resident_id), "points"),
        claimed=claimed,
        lapses_at=lapses_at,
        history=[HistoryLine(g.report_id, g.amount_fen, g.state, g.granted_at or g.created_at) for g in recent],
    )


@dataclass(frozen=True)
class Standing:
    rank: int
    name: str  # masked
    amount_fen: int
    reports: int


async def leaderboard(rules: RewardRules, cipher: Cipher, now: datetime) -> list[Standing]:
    """This month's top earners among residents who opted in (by money granted, then reports)."""
    start, end = month_bounds(now, rules.zone)
    opted = await RewardProfile.filter(leaderboard_opt_in=True).values("resident_id", "real_name_enc")
    real_names = {int(row["resident_id"]): cipher.decrypt(row["real_name_enc"]) for row in opted}
    rows = (
        await RewardGrant.filter(
            resident_id__in=list(real_names),
            state__in=(GrantState.GRANTED, GrantState.PAID),
            created_at__gte=start,
            created_at__lt=end,
        )
        .group_by("resident_id")
        .annotate(total=Sum("amount_fen"), n=Count("id"))
        .values("resident_id", "total", "n")
    )
    totals = sorted(
        ((int(row["resident_id"]), int(row["total"]), int(row["n"])) for row in rows),
        key=lambda item: (-item[1], -item[2], item[0]),
    )[: rules.leaderboard_size]
    first_names = dict(await Resident.filter(id__in=[item[0] for item in totals]).values_list("id", "first_name"))
    return [
        Standing(rank, mask_name(real_names.get(resident_id) or str(first_names.get(resident_id, ""))), total, n)
        for rank, (resident_id, total, n) in enumerate(totals, 1)
    ]
