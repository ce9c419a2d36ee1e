"""A cell's side panel on the map: its level and why, counts, a 12-week trend, open hazards, level history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.city.grid import Grid
from bot.city.models import CellForecast
from bot.reports.models import Report
from bot.reports.statuses import OPEN_STATUSES
from risk.levels import RiskLevel
from risk.models import CellRisk, LevelChange
from risk.periods import last_weeks
from risk.scope import Scope
from risk.warning import WARNED_LEVELS, scopes_of

TREND_WEEKS = 12
LIST_LIMIT = 20


@dataclass
class CellPanel:
    key: str
    label: str
    district: str | None
    level: RiskLevel
    score: float
    why: dict[str, Any]
    counts: dict[str, int]
    week_labels: list[str]
    filed_per_week: list[int]
    confirmed_per_week: list[int]
    open_hazards: list[Report]
    history: list[LevelChange]
    forecast: CellForecast | None = None
    warn_scopes: list[str] = field(default_factory=list)  #: where a warning may go; empty: none offered


async def _weekly(query: Any, weeks: list[tuple[Any, datetime, datetime]]) -> list[int]:
    times = await query.filter(created_at__gte=weeks[0][1], created_at__lt=weeks[-1][2]).values_list(
        "created_at", flat=True
    )
    return [sum(start <= moment < end for moment in times) for _, start, end in weeks]


async def cell_panel(grid: Grid, key: str, scope: Scope, *, locale: str, zone: ZoneInfo, now: datetime) -> CellPanel:
    """LookupError for a key that is not a cell of the grid, PermissionError outside the reader's scope."""
    if grid.level(key) is None:
        raise LookupError(key)
    district = grid.district_of(key)
    if not scope.sees_district(district):
        raise PermissionError(key)
    row = await CellRisk.get_or_none(cell=key)
    reports = Report.filter(cell=key, **scope.orm_filters())
    open_confirmed = reports.filter(verified=True, status__in=sorted(OPEN_STATUSES))
    weeks = last_weeks(now, zone, TREND_WEEKS)
    level = RiskLevel(row.level) if row is not None else RiskLevel.BLUE
    forecast = (
        await CellForecast.filter(cell=key, period="week", period_start__lte=now).order_by("-period_start").first()
    )
    return CellPanel(
        key=key,
        label=grid.label(key, locale),
        district=district,
        level=level,
        score=row.score if row is not None else 0.0,
        why=row.parts if row is not None else {},
        counts={
            "open": await reports.filter(status__in=sorted(OPEN_STATUSES)).count(),
            "confirmed_open": await open_confirmed.count(),
            "overdue": await reports.filter(overdue=True).count(),
            "all": await reports.count(),
        },
        week_labels=[day.strftime("%m-%d") for day, _, _ in weeks],
        filed_per_week=await _weekly(reports, weeks),
        confirmed_per_week=await _weekly(reports.filter(verified=True), weeks),
        open_hazards=list(await open_confirmed.order_by("-overdue", "resolution_due_at", "id").limit(LIST_LIMIT)),
        history=list(await LevelChange.filter(cell=key).order_by("-changed_at", "-id").limit(LIST_LIMIT)),
        forecast=forecast,
        warn_scopes=scopes_of(grid, key) if level in WARNED_LEVELS else [],
    )
