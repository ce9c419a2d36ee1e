"""The weekly bulletin (周通报) and its monthly edition (月会商): what they count, when they are due, and
making each one exactly once (a unique row per kind and period).

The stored data is language-neutral (keys, counts, positions), so the archive shows it in Chinese or
English, scoped to the reader's districts, and the PNG map and the CSV are rendered from it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError

from bot.city.grid import Grid
from bot.reports.models import Report
from bot.reports.statuses import OPEN_STATUSES
from risk.levels import RiskLevel
from risk.models import Bulletin, CellRisk, LevelChange
from risk.periods import local_midnight
from risk.scope import Scope
from risk.trends import trends

URGENT_COUNT = 10
MAX_POINTS = 5000
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}


@dataclass(frozen=True)
class Period:
    kind: str  #: "week" or "month"
    first_day: date
    end_day: date  #: exclusive
    start: datetime
    end: datetime


def _period(kind: str, first_day: date, end_day: date, zone: ZoneInfo) -> Period:
    return Period(kind, first_day, end_day, local_midnight(first_day, zone), local_midnight(end_day, zone))


def due_periods(now: datetime, zone: ZoneInfo, weekday: int, send_time: time) -> list[Period]:
    """The bulletins whose moment has come: the last full week (once the weekday's send time has passed)
    and, from the 1st's send time on, the last full month."""
    local = now.astimezone(zone)
    today, passed = local.date(), local.time() >= send_time
    days_since = (today.weekday() - weekday) % 7
    bulletin_day = today - timedelta(days=days_since)
    if days_since == 0 and not passed:
        bulletin_day -= timedelta(days=7)
    periods = [_period("week", bulletin_day - timedelta(days=7), bulletin_day, zone)]
    this_month = today.replace(day=1)
    month_end = this_month if (today.day > 1 or passed) else (this_month - timedelta(days=1)).replace(day=1)
    month_start = (month_end - timedelta(days=1)).replace(day=1)
    periods.append(_period("month", month_start, month_end, zone))
    return periods


def _district_rows(grid: Grid) -> dict[str, dict[str, int]]:
    rows = {unit.key: {"filed": 0, "new": 0, "fixed": 0, "overdue": 0} for unit in grid.districts.areas}
    rows[""] = {"filed": 0, "new": 0, "fixed": 0, "overdue": 0}  # reports outside every district
    return rows


async def _counts(period: Period, grid: Grid) -> dict[str, dict[str, int]]:
    rows = _district_rows(grid)

    def add(area: str | None, what: str) -> None:
        rows.setdefault(area or "", {"filed": 0, "new": 0, "fixed": 0, "overdue": 0})[what] += 1

    filed = Report.filter(created_at__gte=period.start, created_at__lt=period.end)
    for area, verified in await filed.values_list("area", "verified"):
        add(area, "filed")
        if verified:
            add(area, "new")
    fixed = Report.filter(fixed_at__gte=period.start, fixed_at__lt=period.end)
    for (area,) in await fixed.values_list("area"):
        add(area, "fixed")
    overdue = Report.filter(overdue=True, status__in=sorted(OPEN_STATUSES))
    for (area,) in await overdue.values_list("area"):
        add(area, "overdue")
    return rows


def _urgency(row: dict[str, Any]) -> tuple[bool, int, float, int]:
    due = row["resolution_due_at"]
    return (
        not row["overdue"],
        -SEVERITY_RANK.get(row["severity"] or "", 0),
        due.timestamp() if due else 1e18,
        row["id"],
    )


async def _urgent() -> list[dict[str, Any]]:
    """The ten most urgent open confirmed hazards: overdue first, then by severity, then by due date."""
    rows = await Report.filter(verified=True, status__in=sorted(OPEN_STATUSES)).values(
        "id", "category", "area", "cell", "severity", "overdue", "resolution_due_at"
    )
    rows.sort(key=_urgency)
    return [
        {
            "id": r["id"],
            "category": r["category"],
            "district": r["area"],
            "cell": r["cell"],
            "severity": r["severity"],
            "overdue": bool(r["overdue"]),
            "due": r["resolution_due_at"].isoformat() if r["resolution_due_at"] else None,
        }
        for r in rows[: URGENT_COUNT * 5]  # scoped readers filter by district: keep enough for each
    ]


async def _level_changes(period: Period) -> list[dict[str, Any]]:
    """Each cell whose level changed in the period: its first "from" and its last "to"."""
    changes = await LevelChange.filter(changed_at__gte=period.start, changed_at__lt=period.end).order_by(
        "changed_at", "id"
    )
    by_cell: dict[str, dict[str, Any]] = {}
    for change in changes:
        entry = by_cell.setdefault(
            change.cell, {"cell": change.cell, "district": change.district, "from": change.from_level}
        )
        entry["to"], entry["at"] = change.to_level, change.changed_at.isoformat()
    return [entry for entry in by_cell.values() if entry["from"] != entry["to"]]


async def compose(period: Period, grid: Grid, zone: ZoneInfo) -> dict[str, Any]:
    """The bulletin's data (JSON): counts per district, level changes, urgent hazards, map layers."""
    cells = await CellRisk.exclude(level=RiskLevel.BLUE).values("cell", "district", "level")
    week_hazards = Report.filter(created_at__gte=period.start, created_at__lt=period.end, verified=True)
    points = await week_hazards.limit(MAX_POINTS).values("lat", "lon", "area", "category")
    data: dict[str, Any] = {
        "districts": await _counts(period, grid),
        "level_changes": await _level_changes(period),
        "cells": [{"key": c["cell"], "district": c["district"], "level": c["level"]} for c in cells],
        "urgent": await _urgent(),
        "points": [
            {"lat": p["lat"], "lon": p["lon"], "district": p["area"], "category": p["category"]} for p in points
        ],
    }
    if period.kind == "month":
        monthly = await trends(period.first_day, period.end_day, zone, Scope())
        data["trends"] = {
            "weeks": [week.first_day.isoformat() for week in monthly.weeks],
            "by_category": monthly.by_category,
            "cells_by_level": monthly.cells_by_level,
            "accept_h": monthly.accept_h,
            "fix_d": monthly.fix_d,
        }
    return data


async def make_bulletin(period: Period, grid: Grid, zone: ZoneInfo, now: datetime) -> tuple[Bulletin, bool]:
    """The period's bulletin, made now unless it exists; (bulletin, made by this call)."""
    existing = await Bulletin.get_or_none(kind=period.kind, period_start=period.start)
    if existing is not None:
        return existing, False
    data = await compose(period, grid, zone)
    try:
        bulletin = await Bulletin.create(
            kind=period.kind, period_start=period.start, period_end=period.end, data=data, created_at=now
        )
    except IntegrityError:  # another worker made it a moment ago
        return await Bulletin.get(kind=period.kind, period_start=period.start), False
    return bulletin, True


def scoped_data(data: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """What a reader scoped to some districts sees of a bulletin (officials see all of it)."""
    if scope.districts is None:
        return data
    seen = scope.sees_district
    return {
        **data,
        "districts": {key: row for key, row in data["districts"].items() if seen(key or None)},
        "level_changes": [c for c in data["level_changes"] if seen(c["district"])],
        "cells": [c for c in data["cells"] if seen(c["district"])],
        "urgent": [u for u in data["urgent"] if seen(u["district"])],
        "points": [p for p in data["points"] if seen(p["district"])],
    }


def totals(data: dict[str, Any]) -> dict[str, int]:
    summed: Counter[str] = Counter()
    for row in data["districts"].values():
        summed.update(row)
    levels = Counter(cell["level"] for cell in data["cells"])
    return {**dict(summed), "red": levels["red"], "orange": levels["orange"], "changes": len(data["level_changes"])}


def end_label(period_end_day: date) -> date:
    """The last day a period covers (its end is exclusive)."""
    return period_end_day - timedelta(days=1)
