"""Local weeks and months: bulletins, trends and the cell panel count by the city's own calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of a local day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def week_start(moment: datetime, zone: ZoneInfo, weekday: int = 0) -> date:
    """The local day the week holding `moment` began (weeks begin on `weekday`, 0 = Monday)."""
    day = moment.astimezone(zone).date()
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def last_weeks(now: datetime, zone: ZoneInfo, count: int) -> list[tuple[date, datetime, datetime]]:
    """The `count` local weeks up to the current one (oldest first): (first day, start, end) in UTC."""
    this_week = week_start(now, zone)
    days = [this_week - timedelta(weeks=count - 1 - index) for index in range(count)]
    return [(day, local_midnight(day, zone), local_midnight(day + timedelta(days=7), zone)) for day in days]


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def weeks_between(start: date, end: date) -> list[date]:
    """Mondays of the weeks meeting [start, end)."""
    first = start - timedelta(days=start.weekday())
    weeks = []
    while first < end:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


def local_date(moment: datetime, zone_name: str) -> date:
    return moment.astimezone(ZoneInfo(zone_name)).date()
