"""Rewards' panels on other features' pages (features meet without importing each other)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.services import Services
from rewards.models import PayoutBatch
from rewards.rulebook import current_rules
from rewards.rules import format_money


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
