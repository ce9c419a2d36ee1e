"""Rewards' panels on other features' pages (features meet without importing each other)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.reports.models import Report
from bot.services import Services
from rewards.budget import waiting_for_budget
from rewards.cases import case_of
from rewards.fraud import evidence_of, signals_for
from rewards.models import PayoutBatch, RewardGrant
from rewards.rulebook import current_rules
from rewards.rules import format_money
from rewards.states import GrantState
from rewards.texts import SIGNAL_NAMES, STATE_NAMES


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month < end:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


async def paid_per_month(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """For the officials' dashboard ("dashboard" slot, params `start_day`, `end_day`): rewards paid out
    (batches marked paid) in each local month of the range. City-wide: payouts are not kept by district."""
    start, end = params.get("start_day"), params.get("end_day")
    if not isinstance(start, date) or not isinstance(end, date):
        return None
    zone = ZoneInfo(services.settings.local_timezone)
    months = _months(start, end)
    since = datetime.combine(months[0], time(0), tzinfo=zone).astimezone(UTC) if months else None
    totals: dict[date, int] = defaultdict(int)
    if since is not None:
        for paid_at, total_fen in await PayoutBatch.filter(paid_at__gte=since).values_list("paid_at", "total_fen"):
            local = paid_at.astimezone(zone).date()
            if local < end:
                totals[local.replace(day=1)] += int(total_fen)
    currency = (await current_rules(services.settings)).currency
    return {"months": [(month, format_money(totals[month], currency)) for month in months]}


async def fraud_signals(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """Beside a moderator's decision (slot "report.decide", params `report`): the signals a reward for this report
    would be held for (an old photo date, a reused photo, a burst of reports), before anyone accepts it; and the
    reward's state once one exists."""
    report = params.get("report")
    if not isinstance(report, Report) or report.reporter_id is None:
        return None
    grant = await RewardGrant.filter(report_id=report.id).order_by("-id").first()
    if grant is not None:
        signals = list(grant.signals)
    else:
        case = await case_of(report.id)
        rules = await current_rules(services.settings)
        now = services.clock()
        hazard_ids = case.report_ids if case is not None else (report.id,)
        signals = await signals_for(await evidence_of(report), hazard_ids, rules.fraud, rules.zone, now)
    return {"signals": signals, "grant": grant, "signal_names": SIGNAL_NAMES, "state_names": STATE_NAMES}


async def held_rewards(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """The start page (slot "home"): how many rewards are held for an official's review, and how many wait for
    budget."""
    held = await RewardGrant.filter(state=GrantState.HELD).count()
    waiting, waiting_fen = await waiting_for_budget()
    currency = (await current_rules(services.settings)).currency
    return {"held": held, "waiting": waiting, "waiting_money": format_money(waiting_fen, currency)}
