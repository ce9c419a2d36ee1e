"""Report exports for officials: CSV and GeoJSON, streamed in batches, so a million rows never sit in memory.

Each batch is one keyset page of reports (by id) plus one query for their milestones (first acceptance and
dispatch, last closing) and one for the partners that filed any of them. Times are in the city's zone.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, RawSQL

from bot.reports.models import Report, StatusChange
from bot.reports.statuses import CLOSED_NOT_FIXED, Status
from opendata.models import PartnerRequest

BATCH = 2000
COLUMNS = (
    "number",
    "category",
    "filed",
    "accepted",
    "dispatched",
    "fixed",
    "closed",
    "status",
    "latitude",
    "longitude",
    "area",
    "cell",
    "agency",
    "reopen_count",
    "hours_to_fix",
    "source",
)
_REPORT_FIELDS = ("id", "category", "status", "lat", "lon", "area", "cell", "agency", "reopen_count", "source")
#: Times are read raw and parsed here: the ORM's own datetime conversion costs ~50 µs a value, which would be
#: most of an export's time (bench/export.py); fromisoformat reads SQLite's text, PostgreSQL gives datetimes.
_RAW_TIMES = {"created_raw": RawSQL("created_at"), "fixed_raw": RawSQL("fixed_at")}
_MILESTONES = [Status.ACCEPTED, Status.DISPATCHED, *sorted(CLOSED_NOT_FIXED)]


@dataclass(frozen=True)
class ExportFilter:
    filed_from: datetime | None = None
    filed_to: datetime | None = None
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()

    def query(self) -> Q:
        q = Q()
        if self.statuses:
            q &= Q(status__in=list(self.statuses))
        if self.categories:
            q &= Q(category__in=list(self.categories))
        if self.areas:
            q &= Q(area__in=list(self.areas))
        if self.agencies:
            q &= Q(agency__in=list(self.agencies))
        if self.filed_from is not None:
            q &= Q(created_at__gte=self.filed_from)
        if self.filed_to is not None:
            q &= Q(created_at__lt=self.filed_to)
        return q

    def described(self) -> dict[str, Any]:
        """For the audit log."""
        return {
            "filed_from": self.filed_from.isoformat() if self.filed_from else None,
            "filed_to": self.filed_to.isoformat() if self.filed_to else None,
            "statuses": list(self.statuses),
            "categories": list(self.categories),
            "areas": list(self.areas),
            "agencies": list(self.agencies),
        }


@dataclass
class _Milestones:
    accepted: dict[int, datetime] = field(default_factory=dict)
    dispatched: dict[int, datetime] = field(default_factory=dict)
    closed: dict[int, datetime] = field(default_factory=dict)


async def rows(export: ExportFilter, zone: ZoneInfo, *, batch: int = BATCH) -> AsyncIterator[list[dict[str, Any]]]:
    """The matching reports, oldest first, one batch (a list of row dicts keyed by COLUMNS) at a time."""
    last_id = 0
    while True:
        page = await (
            Report.filter(export.query(), id__gt=last_id)
            .annotate(**_RAW_TIMES)
            .order_by("id")
            .limit(batch)
            .values(*_REPORT_FIELDS, *_RAW_TIMES)
        )
        if not page:
            return
        ids = [int(row["id"]) for row in page]
        milestones, partners = await _milestones(ids), await _partners(ids)
        yield [_row(report, milestones, partners, zone) for report in page]
        last_id = ids[-1]


async def _milestones(ids: Sequence[int]) -> _Milestones:
    found = _Milestones()
    changes = (
        await StatusChange.filter(report_id__in=list(ids), to_status__in=_MILESTONES)
        .annotate(changed_raw=RawSQL("changed_at"))
        .values_list("report_id", "to_status", "changed_raw")
    )
    for report_id, to_status, raw in changes:
        changed_at = moment(raw)
        assert changed_at is not None
        if to_status == Status.ACCEPTED:
            found.accepted[report_id] = min(changed_at, found.accepted.get(report_id, changed_at))
        elif to_status == Status.DISPATCHED:
            found.dispatched[report_id] = min(changed_at, found.dispatched.get(report_id, changed_at))
        else:
            found.closed[report_id] = max(changed_at, found.closed.get(report_id, changed_at))
    return found


async def _partners(ids: Sequence[int]) -> dict[int, str]:
    rows_ = await PartnerRequest.filter(report_id__in=list(ids)).values_list("report_id", "api_key__name")
    return {int(report_id): str(name) for report_id, name in rows_}


def moment(raw: object) -> datetime | None:
    """A stored time as an aware datetime (UTC when the database kept no zone)."""
    if raw is None:
        return None
    value = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _local(when: datetime | None, zone: ZoneInfo) -> str:
    return when.astimezone(zone).isoformat(timespec="seconds") if when is not None else ""


def _row(report: dict[str, Any], found: _Milestones, partners: dict[int, str], zone: ZoneInfo) -> dict[str, Any]:
    report_id, fixed_at, created_at = int(report["id"]), moment(report["fixed_raw"]), moment(report["created_raw"])
    assert created_at is not None
    source = report["source"]
    if report_id in partners:
        source = f"{source}:{partners[report_id]}"
    hours = (fixed_at - created_at).total_seconds() / 3600 if fixed_at is not None else None
    return {
        "number": report_id,
        "category": report["category"],
        "filed": _local(created_at, zone),
        "accepted": _local(found.accepted.get(report_id), zone),
        "dispatched": _local(found.dispatched.get(report_id), zone),
        "fixed": _local(fixed_at, zone),
        "closed": _local(found.closed.get(report_id), zone),
        "status": report["status"],
        "latitude": report["lat"],
        "longitude": report["lon"],
        "area": report["area"] or "",
        "cell": report["cell"] or "",
        "agency": report["agency"] or "",
        "reopen_count": report["reopen_count"],
        "hours_to_fix": f"{hours:.1f}" if hours is not None else "",
        "source": source,
    }


async def csv_chunks(export: ExportFilter, zone: ZoneInfo, *, batch: int = BATCH) -> AsyncIterator[str]:
    """A header line, then one chunk of CSV text per batch."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    yield _drain(buffer)
    async for page in rows(export, zone, batch=batch):
        writer.writerows(page)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


async def geojson_chunks(export: ExportFilter, zone: ZoneInfo, *, batch: int = BATCH) -> AsyncIterator[str]:
    """A FeatureCollection written piece by piece: one Point feature per report (the other columns as properties)."""
    yield '{"type":"FeatureCollection","features":['
    first = True
    async for page in rows(export, zone, batch=batch):
        features = [
            json.dumps(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
                    "properties": {k: v for k, v in row.items() if k not in ("latitude", "longitude")},
                },
                ensure_ascii=False,
            )
            for row in page
        ]
        yield ("" if first else ",") + ",".join(features)
        first = False
    yield "]}"
