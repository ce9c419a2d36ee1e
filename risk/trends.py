"""Trends over local weeks for the dashboard and the monthly bulletin: reports by category, time to accept
and to fix, SLA compliance by agency, the share reopened, and how many cells sat at each level.

Every figure comes with what the admin's queue needs to list the reports it counts (see `queue_link`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.reports.models import Report, StatusChange
from bot.reports.statuses import Status
from risk.levels import LEVELS_HIGH_FIRST, RiskLevel
from risk.models import LevelChange
from risk.periods import local_midnight
from risk.scope import Scope


@dataclass(frozen=True)
class Week:
    first_day: date
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return self.first_day.strftime("%m-%d")


@dataclass
class Trends:
    weeks: list[Week]
    by_category: dict[str, list[int]] = field(default_factory=dict)  #: reports filed per week
    accept_h: list[float | None] = field(default_factory=list)  #: median hours from filing to acceptance
    fix_d: list[float | None] = field(default_factory=list)  #: median days from filing to the fix
    reopened_pct: list[float | None] = field(default_factory=list)  #: of the week's fixes, reopened since
    sla_by_agency: dict[str, tuple[int, int]] = field(default_factory=dict)  #: (fixed on time, due) in the range
    cells_by_level: dict[str, list[int]] = field(default_factory=dict)  #: cells at each level at each week's end


def weeks_of(start_day: date, end_day: date, zone: ZoneInfo) -> list[Week]:
    """The local weeks (Monday first) meeting [start_day, end_day)."""
    first = start_day - timedelta(days=start_day.weekday())
    weeks = []
    while first < end_day:
        weeks.append(Week(first, local_midnight(first, zone), local_midnight(first + timedelta(days=7), zone)))
        first += timedelta(days=7)
    return weeks


def _index(weeks: Sequence[Week], moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return next((i for i, week in enumerate(weeks) if week.start <= moment < week.end), None)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


async def _acceptances(report_ids: list[int]) -> dict[int, datetime]:
    """When each report was first accepted."""
    first: dict[int, datetime] = {}
    rows = await StatusChange.filter(report_id__in=report_ids, to_status=Status.ACCEPTED).values_list(
        "report_id", "changed_at"
    )
    for report_id, changed_at in rows:
        if report_id not in first or changed_at < first[report_id]:
            first[report_id] = changed_at
    return first


async def cells_by_level(weeks: Sequence[Week], scope: Scope) -> dict[str, list[int]]:
    """How many cells were at each level (blue: cells that have had a level and fell back) at each week's end."""
    changes = (
        await LevelChange.all().order_by("changed_at", "id").values_list("cell", "district", "to_level", "changed_at")
    )
    counts: dict[str, list[int]] = {level.value: [0] * len(weeks) for level in LEVELS_HIGH_FIRST}
    for index, week in enumerate(weeks):
        level_now: dict[str, str] = {}
        for cell, district, to_level, changed_at in changes:
            if changed_at < week.end and scope.sees_district(district):
                level_now[cell] = to_level
        for level in level_now.values():
            counts[RiskLevel(level).value][index] += 1
    return counts


async def trends(start_day: date, end_day: date, zone: ZoneInfo, scope: Scope, *, area: str = "") -> Trends:
    """Every trend over the weeks meeting [start_day, end_day), for the reports the scope (and `area`) covers."""
    weeks = weeks_of(start_day, end_day, zone)
    result = Trends(weeks)
    if not weeks:
        return result
    query = Report.filter(created_at__gte=weeks[0].start, created_at__lt=weeks[-1].end, **scope.orm_filters())
    if area:
        query = query.filter(area=area)
    rows = await query.values_list("id", "category", "created_at", "fixed_at", "reopen_count")
    accepted = await _acceptances([row[0] for row in rows])
    accept_h: dict[int, list[float]] = defaultdict(list)
    fix_d: dict[int, list[float]] = defaultdict(list)
    fixed: dict[int, list[bool]] = defaultdict(list)
    for report_id, category, created_at, fixed_at, reopens in rows:
        week = _index(weeks, created_at)
        if week is None:
            continue
        result.by_category.setdefault(category, [0] * len(weeks))[week] += 1
        if report_id in accepted:
            accept_h[week].append((accepted[report_id] - created_at).total_seconds() / 3600)
        if fixed_at is not None:
            fix_d[week].append((fixed_at - created_at).total_seconds() / 86400)
        if fixed_at is not None or reopens:
            fixed[week].append(bool(reopens))
    result.accept_h = [_median(accept_h[i]) for i in range(len(weeks))]
    result.fix_d = [_median(fix_d[i]) for i in range(len(weeks))]
    result.reopened_pct = [
        round(100 * sum(fixed[i]) / len(fixed[i]), 1) if fixed[i] else None for i in range(len(weeks))
    ]
    result.sla_by_agency = await sla_by_agency(weeks[0].start, weeks[-1].end, scope, area)
    result.cells_by_level = await cells_by_level(weeks, scope)
    return result


async def sla_by_agency(start: datetime, end: datetime, scope: Scope, area: str) -> dict[str, tuple[int, int]]:
    """Per agency, of its reports whose fix was due in [start, end): how many were fixed by then."""
    query = Report.filter(
        agency__isnull=False, resolution_due_at__gte=start, resolution_due_at__lt=end, **scope.orm_filters()
    )
    if area:
        query = query.filter(area=area)
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for agency, due_at, fixed_at in await query.values_list("agency", "resolution_due_at", "fixed_at"):
        result[agency][1] += 1
        result[agency][0] += int(fixed_at is not None and fixed_at <= due_at)
    return {agency: (on_time, due) for agency, (on_time, due) in sorted(result.items())}


def queue_link(**filters: str | int | date | None) -> str:
    """The admin queue listing what a number counts (filters it does not know are ignored there)."""
    pairs = {key: str(value) for key, value in filters.items() if value not in (None, "")}
    return "/admin/queue?" + urlencode({"status": "all", **pairs})
