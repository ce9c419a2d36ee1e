"""The public status page's figures: per district, the public map, and a report's public timeline.

Counts include private categories (a count says nothing about anyone's home); the map shows listed reports one
by one at reduced precision, and private ones only as a count per cell (opendata/publication.py).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.functions import Count

from bot.city.grid import Grid
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import OPEN_STATUSES, Status
from opendata.publication import MAP_DECIMALS, PublicRules, rounded

#: The median time to fix is taken over reports fixed this long ago at most.
FIX_WINDOW = timedelta(days=90)
#: The map shows listed reports filed this recently, at most MAP_LIMIT of them (the newest).
MAP_WINDOW = timedelta(days=90)
MAP_LIMIT = 2000


def month_start(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def _counts(**filters: Any) -> dict[str | None, int]:
    rows = await Report.filter(**filters).group_by("area").annotate(n=Count("id")).values_list("area", "n")
    return {area: int(n) for area, n in rows}


async def district_figures(grid: Grid, *, now: datetime, zone: ZoneInfo) -> list[dict[str, Any]]:
    """One entry per district of the grid: open hazards, fixed this month, median hours to fix (or None)."""
    open_now = await _counts(status__in=sorted(OPEN_STATUSES), resolution_due_at__isnull=False)
    fixed_month = await _counts(status=Status.FIXED, fixed_at__gte=month_start(now, zone))
    durations: dict[str | None, list[float]] = {}
    fixed = await Report.filter(status=Status.FIXED, fixed_at__gte=now - FIX_WINDOW).values_list(
        "area", "created_at", "fixed_at"
    )
    for area, created_at, fixed_at in fixed:
        durations.setdefault(area, []).append((fixed_at - created_at).total_seconds() / 3600)
    return [
        {
            "key": unit.key,
            "name": unit.name,
            "name_zh": unit.name_zh,
            "open": open_now.get(unit.key, 0),
            "fixed_this_month": fixed_month.get(unit.key, 0),
            "median_hours_to_fix": round(statistics.median(durations[unit.key]), 1) if unit.key in durations else None,
        }
        for unit in grid.districts.areas
    ]


async def map_features(grid: Grid, rules: PublicRules, *, now: datetime) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: the districts' outlines (the map's background: no tile server is assumed),
    listed reports as rounded points, open private ones as counts per cell."""
    listed = (
        await Report.filter(rules.listed(), created_at__gte=now - MAP_WINDOW)
        .order_by("-created_at", "-id")
        .limit(MAP_LIMIT)
        .values_list("id", "category", "status", "lat", "lon")
    )
    features: list[dict[str, Any]] = [
        {"type": "Feature", "geometry": geometry, "properties": {"district": unit.key}}
        for unit in grid.districts.areas
        if (geometry := grid.geojson_geometry(unit.key)) is not None
    ]
    for report_id, category, status, lat, lon in listed:
        lat_r, lon_r = rounded(lat, lon, MAP_DECIMALS)
        properties = {"id": report_id, "category": category, "status": status, "open": status in OPEN_STATUSES}
        features.append(_point(lat_r, lon_r, properties))
    private = (
        []
        if not rules.private_categories
        else (
            await Report.filter(
                category__in=sorted(rules.private_categories),
                status__in=sorted(OPEN_STATUSES),
                resolution_due_at__isnull=False,
                cell__isnull=False,
            )
            .group_by("cell")
            .annotate(n=Count("id"))
            .values_list("cell", "n")
        )
    )
    for cell, count in private:
        lat, lon = grid.centre(str(cell))
        features.append(_point(*rounded(lat, lon, MAP_DECIMALS), {"cell": cell, "private_count": int(count)}))
    return {"type": "FeatureCollection", "features": features}


def _point(lat: float, lon: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    status: str
    note: str


@dataclass(frozen=True)
class Lookup:
    report_id: int
    found: bool
    private: bool = False
    category: str = ""
    status: str = ""
    district: str | None = None
    timeline: tuple[TimelineEntry, ...] = ()


async def lookup(report_id: int, rules: PublicRules) -> Lookup:
    """What anyone may see of report #n: its statuses over time; notes only once it is listed; nothing private."""
    report = await Report.get_or_none(id=report_id)
    if report is None:
        return Lookup(report_id, found=False)
    if rules.is_private(report.category):
        return Lookup(report_id, found=True, private=True)
    listed = rules.is_listed(report)
    changes = await StatusChange.filter(report_id=report.id).order_by("changed_at", "id")
    timeline = tuple(
        TimelineEntry(
            change.changed_at,
            change.to_status,
            change.public_note if listed and change.to_status != Status.NEEDS_INFO else "",
        )
        for change in changes
    )
    return Lookup(report.id, True, False, report.category, report.status, report.area, timeline)
