"""Gathering each cell's facts from the database: open confirmed hazards, confirmed history, incidents,
and the week's forecast (the kernel tables `Incident` and `CellForecast`, written by the hotspot feature).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tortoise.queryset import QuerySet

from bot.city.models import CellForecast, Incident
from bot.reports.models import Report
from bot.reports.statuses import OPEN_STATUSES, Status
from risk.models import CellRisk
from risk.rules import RiskRules
from risk.score import CellFacts, OpenHazard, PastIncident

#: Cells asked for per query (an IN list stays well under every database's parameter limit).
CHUNK = 500
WEEK = timedelta(days=7)


def _in_cells(query: QuerySet[Any], cells: Sequence[str] | None) -> QuerySet[Any]:
    return query.filter(cell__in=list(cells)) if cells is not None else query.filter(cell__isnull=False)


async def _gather_chunk(cells: Sequence[str] | None, rules: RiskRules, now: datetime) -> dict[str, CellFacts]:
    facts: dict[str, CellFacts] = {}

    def of(cell: str) -> CellFacts:
        return facts.setdefault(cell, CellFacts())

    open_rows = await _in_cells(Report.filter(verified=True, status__in=sorted(OPEN_STATUSES)), cells).values_list(
        "cell", "category", "severity", "overdue", "reopen_count"
    )
    for cell, category, severity, overdue, reopens in open_rows:
        of(cell).open_hazards.append(OpenHazard(category, severity, bool(overdue), int(reopens or 0) > 0))
    since = now - timedelta(days=rules.history.window_d)
    history = _in_cells(Report.filter(verified=True, created_at__gte=since, created_at__lte=now), cells)
    for cell, created_at in await history.exclude(status=Status.DUPLICATE).values_list("cell", "created_at"):
        of(cell).confirmed_at.append(created_at)
    since = now - timedelta(days=rules.incidents.window_d)
    incidents = _in_cells(Incident.filter(occurred_at__gte=since, occurred_at__lte=now), cells)
    for cell, occurred_at, severity, outcome in await incidents.values_list(
        "cell", "occurred_at", "severity", "outcome"
    ):
        of(cell).incidents.append(PastIncident(occurred_at, severity, outcome))
    forecasts = _in_cells(CellForecast.filter(period="week", period_start__lte=now, period_start__gt=now - WEEK), cells)
    for cell, expected in await forecasts.order_by("period_start").values_list("cell", "expected"):
        of(cell).forecast = float(expected)  # the newest week's wins
    return facts


async def gather(cells: Sequence[str] | None, rules: RiskRules, now: datetime) -> dict[str, CellFacts]:
    """Facts of `cells` (None: every cell that has any, plus every cell holding a level, so it can fall back)."""
    if cells is None:
        facts = await _gather_chunk(None, rules, now)
        for cell in await CellRisk.all().values_list("cell", flat=True):
            facts.setdefault(str(cell), CellFacts())
        return facts
    facts = {}
    unique = sorted(set(cells))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        facts.update(await _gather_chunk(chunk, rules, now))
        facts.update({cell: CellFacts() for cell in chunk if cell not in facts})
    return facts
