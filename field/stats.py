"""Figures for officials: grid staff's daily patrol counts, and how agencies keep their deadlines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.admin.models import StaffUser
from bot.reports.models import DueExtension, Report, StatusChange
from bot.reports.statuses import Status
from field.models import CrewTask
from field.patrol import SOURCE as PATROL


@dataclass(frozen=True)
class PatrolCounts:
    days: list[date]  #: the period's last days, oldest first
    rows: list[tuple[str, list[int], int]]  #: (grid-staff member, filed each of those days, filed in the whole period)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


async def patrol_counts(
    start_day: date, end_day: date, zone: ZoneInfo, *, area: str = "", days_shown: int = 7
) -> PatrolCounts:
    """Hazards each grid-staff member filed on patrol in [start_day, end_day) (in one district, if `area`):
    per local day for the period's last `days_shown` days, and in all."""
    # Filed when its first status change says so (the same clock as every other figure).
    filed = StatusChange.filter(
        from_status__isnull=True,
        changed_at__gte=local_midnight(start_day, zone),
        changed_at__lt=local_midnight(end_day, zone),
        report__source=PATROL,
    )
    if area:
        filed = filed.filter(report__area=area)
    counts: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for reporter_id, changed_at in await filed.values_list("report__reporter_id", "changed_at"):
        counts[int(reporter_id)][changed_at.astimezone(zone).date()] += 1
    names = {
        int(member.telegram_user_id): str(member.display_name or member.username)
        for member in await StaffUser.filter(telegram_user_id__in=list(counts))
        if member.telegram_user_id is not None
    }
    first_shown = max(start_day, end_day - timedelta(days=days_shown))
    span = [first_shown + timedelta(days=n) for n in range((end_day - first_shown).days)]
    table = [
        (names.get(who, str(who)), [by_day.get(day, 0) for day in span], sum(by_day.values()))
        for who, by_day in counts.items()
    ]
    return PatrolCounts(span, sorted(table, key=lambda row: (-row[2], row[0])))


@dataclass(frozen=True)
class AgencyDeadlines:
    agency: str
    fixed: int  #: tasks fixed in the period
    on_time: int  #: ... by the original deadline, without asking for more time
    extended: int  #: deadline extensions asked for in the period (each counts against the SLA)
    open_overdue: int  #: reports with the agency now, past their deadline


async def agency_deadlines(since: datetime, until: datetime) -> list[AgencyDeadlines]:
    """Per agency: fixes in [since, until), how many kept the original deadline, extensions asked for in the
    period, and what is overdue now."""
    fixed_tasks = await CrewTask.filter(fixed_at__gte=since, fixed_at__lt=until).values_list(
        "agency", "report_id", "fixed_at"
    )
    extensions = await DueExtension.filter(created_at__gte=since, created_at__lt=until).values_list(
        "report_id", flat=True
    )
    extended_reports = set(
        await DueExtension.filter(report_id__in=[r for _a, r, _f in fixed_tasks]).values_list("report_id", flat=True)
    )
    agency_of = dict(await Report.filter(id__in=list(extensions)).values_list("id", "agency"))
    originals = dict(
        await Report.filter(id__in=[r for _a, r, _f in fixed_tasks]).values_list("id", "resolution_due_at")
    )
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for agency, report_id, fixed_at in fixed_tasks:
        figures[agency][0] += 1
        due = originals.get(report_id)
        if report_id not in extended_reports and due is not None and fixed_at <= due:
            figures[agency][1] += 1
    for report_id in extensions:
        figures[str(agency_of.get(report_id) or "-")][2] += 1
    overdue = await Report.filter(overdue=True, status__in=[Status.DISPATCHED, Status.IN_PROGRESS]).values_list(
        "agency", flat=True
    )
    for agency in overdue:
        figures[str(agency or "-")][3] += 1
    return [AgencyDeadlines(agency, *values) for agency, values in sorted(figures.items())]
