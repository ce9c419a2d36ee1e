"""The inspection list: the forecast's top cells with why, their open hazards and inspections; assigning a
cell to an agency; recording what the inspection found (which the next forecast counts).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.city.grid import Grid
from bot.city.models import Agency, CellForecast, Incident
from bot.city.placement import place
from bot.reports.models import Report
from bot.reports.statuses import OPEN_STATUSES
from forecast.backtest import Period
from forecast.events import Outcome
from hotspots.incidents import publish_recorded
from hotspots.models import ForecastRun, Inspection, InspectionState
from hotspots.states import INSPECTIONS
from hotspots.texts import ALREADY_ASSIGNED, BAD_ASSIGNMENT, NOT_IN_FORECAST, NOT_OPEN

#: Incidents this recent are shown beside a cell.
RECENT_INCIDENTS = timedelta(days=90)
INSPECTION_SOURCE = "inspection"


@dataclass
class CellRow:
    """One line of the inspection list."""

    rank: int
    cell: str
    expected: float
    parts: dict[str, float]
    street: str | None
    district: str | None
    open_hazards: int = 0
    recent_incidents: int = 0
    inspection: Inspection | None = None  #: the open one, else the latest
    agency: Agency | None = field(default=None, repr=False)


async def _count_by_cell(query: Any, keys: list[str]) -> dict[str, int]:
    rows = await query.filter(cell__in=keys).group_by("cell").annotate(n=Count("id")).values_list("cell", "n")
    return {str(cell): int(n) for cell, n in rows}


async def _inspections_by_cell(keys: list[str]) -> dict[str, Inspection]:
    latest: dict[str, Inspection] = {}
    for inspection in await Inspection.filter(cell__in=keys).order_by("-assigned_at", "-id"):
        current = latest.get(inspection.cell)
        if current is None or (
            inspection.state == InspectionState.ASSIGNED and current.state != InspectionState.ASSIGNED
        ):
            latest[inspection.cell] = inspection
    return latest


async def inspection_list(
    run: ForecastRun, grid: Grid, now: datetime, *, limit: int, district: str | None = None
) -> list[CellRow]:
    """The run's top cells (in one district, if given), each with what is known about it."""
    rows: list[CellRow] = []
    async for forecast in CellForecast.filter(period=run.period, period_start=run.period_start).order_by("rank"):
        cell_district = grid.district_of(forecast.cell)
        if district and cell_district != district:
            continue
        street = grid.parent(forecast.cell)
        rows.append(
            CellRow(
                forecast.rank,
                forecast.cell,
                forecast.expected,
                dict(forecast.parts),
                street if street != cell_district else None,
                cell_district,
            )
        )
        if len(rows) >= limit:
            break
    keys = [row.cell for row in rows]
    hazards = await _count_by_cell(Report.filter(status__in=sorted(OPEN_STATUSES)), keys)
    incidents = await _count_by_cell(Incident.filter(occurred_at__gte=now - RECENT_INCIDENTS), keys)
    inspections = await _inspections_by_cell(keys)
    agencies = {a.id: a for a in await Agency.filter(id__in=[i.agency_id for i in inspections.values()])}
    for row in rows:
        row.open_hazards, row.recent_incidents = hazards.get(row.cell, 0), incidents.get(row.cell, 0)
        row.inspection = inspections.get(row.cell)
        row.agency = agencies.get(row.inspection.agency_id) if row.inspection else None
    return rows


class InspectionRefusedError(ValueError):
    """An English msgid saying why (translated by the page)."""


@dataclass(frozen=True)
class Assignment:
    cell: str
    period: Period
    period_start: datetime
    agency_id: int
    due_on: date
    note: str


async def assign(given: Assignment, *, staff_id: int, today: date, now: datetime) -> Inspection:
    """Send a cell of a forecast to an agency for inspection by `due_on`."""
    agency = await Agency.get_or_none(id=given.agency_id, active=True)
    if agency is None or given.due_on < today:
        raise InspectionRefusedError(BAD_ASSIGNMENT)
    forecast = await CellForecast.get_or_none(
        cell=given.cell, period=given.period.value, period_start=given.period_start
    )
    if forecast is None:
        raise InspectionRefusedError(NOT_IN_FORECAST)
    actor = f"staff:{staff_id}"
    async with in_transaction():
        if await Inspection.exists(cell=given.cell, state=InspectionState.ASSIGNED):
            raise InspectionRefusedError(ALREADY_ASSIGNED)
        inspection = await Inspection.create(
            cell=given.cell,
            period=given.period.value,
            period_start=given.period_start,
            rank=forecast.rank,
            expected=forecast.expected,
            agency_id=agency.id,
            due_on=given.due_on,
            note=given.note[:2000],
            state=InspectionState.ASSIGNED,
            assigned_by=actor,
            assigned_at=now,
        )
        await INSPECTIONS.born(inspection, actor=actor, now=now, why=f"agency:{agency.key}")
        await record(
            actor,
            EventTag.INSPECTION_ASSIGN,
            now=now,
            inspection=inspection.id,
            cell=given.cell,
            agency=agency.key,
            due_on=given.due_on.isoformat(),
        )
    return inspection


async def record_result(
    inspection_id: int, *, found: bool, note: str, grid: Grid, staff_id: int, now: datetime
) -> Inspection:
    """Hazard found (stored as a confirmed incident in the cell) or nothing found; the next forecast counts it."""
    actor = f"staff:{staff_id}"
    state = InspectionState.FOUND if found else InspectionState.NOTHING_FOUND
    async with in_transaction():
        moved = await INSPECTIONS.try_move(
            inspection_id,
            state,
            actor=actor,
            now=now,
            why=note[:200],
            result_note=note[:2000],
            result_by=actor,
            result_at=now,
        )
        if not moved:
            raise InspectionRefusedError(NOT_OPEN)
        inspection = await Inspection.get(id=inspection_id)
        if found:
            inspection.incident_id = (await _found_incident(inspection, note, grid, actor, now)).id
            await inspection.save(update_fields=["incident_id"])
        await record(actor, EventTag.INSPECTION_RESULT, now=now, inspection=inspection.id, result=state.value)
    return inspection


async def _found_incident(inspection: Inspection, note: str, grid: Grid, actor: str, now: datetime) -> Incident:
    lat, lon = grid.centre(inspection.cell)
    incident = Incident(
        event_id=f"{INSPECTION_SOURCE}:{inspection.id}",
        source=INSPECTION_SOURCE,
        occurred_at=now,
        lat=lat,
        lon=lon,
        category=INSPECTION_SOURCE,
        outcome=Outcome.CONFIRMED.value,
        description=note[:2000],
        recorded_by=actor,
    )
    place(incident, grid)
    incident.cell = inspection.cell  # the cell inspected, even where its centre is on a shared border
    await incident.save()
    await publish_recorded(incident.id, actor=actor, now=now)
    return incident


async def cancel(inspection_id: int, *, staff_id: int, now: datetime) -> None:
    actor = f"staff:{staff_id}"
    async with in_transaction():
        if not await INSPECTIONS.try_move(inspection_id, InspectionState.CANCELLED, actor=actor, now=now):
            raise InspectionRefusedError(NOT_OPEN)
        await record(actor, EventTag.INSPECTION_CANCEL, now=now, inspection=inspection_id)


CSV_HEADER = (
    "rank",
    "cell",
    "cell_name",
    "street",
    "district",
    "expected",
    "why",
    "open_hazards",
    "incidents_90d",
    "inspection",
    "agency",
    "due_on",
)


def csv_text(rows: Iterable[CellRow], grid: Grid, locale: str) -> str:
    """The list as CSV (names in the reader's language; "why" as name=value pairs, largest first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        inspection = row.inspection
        writer.writerow(
            [
                row.rank,
                row.cell,
                grid.label(row.cell, locale),
                grid.label(row.street, locale) if row.street else "",
                grid.label(row.district, locale) if row.district else "",
                f"{row.expected:.4f}",
                "; ".join(f"{name}={value:.4f}" for name, value in row.parts.items()),
                row.open_hazards,
                row.recent_incidents,
                inspection.state if inspection else "",
                row.agency.label(locale) if row.agency else "",
                inspection.due_on.isoformat() if inspection else "",
            ]
        )
    return out.getvalue()
