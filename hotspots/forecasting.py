"""The production forecast: per kernel grid cell, the expected confirmed hazards and incidents in the coming
week or month, written to the kernel's `CellForecast` (rank and parts, the "why") for the inspection list, the
risk levels and the map.

It is `forecast.model` on the product's own data, counted per cell and period (local weeks from Monday, local
months) over the last `HISTORY_PERIODS`:

* reports: accepted, dispatched, in progress, fixed, reopened or verified ones are confirmed hazards; submitted,
  needs-info, rejected, not-responsible and no-action ones are unconfirmed reports and weigh half as much
  (`OTHER_REPORT_WEIGHT`: a confirmed hazard counts more than a rejected report); duplicates are not counted
  (their original is).
* incidents (imported, recorded by officials, and inspections that found a hazard): confirmed and open ones
  count as incidents; duplicates and rejected ones (false alarms) do not.
* inspections that found nothing: the cell's unconfirmed reports from before the inspection are not counted
  any more (someone went and looked).

What the rows say (the risk feature reads them; nothing else is shared): `expected` is in confirmed hazards plus
incidents for the period, `rank` 1 is the cell to inspect first, `parts` holds the named parts of `expected`
(they add up to it): `recent_confirmed`, `recent_other_report`, `recent_incident`, `neighbours` and, when the
selection keeps it, `season`. Cells expecting nothing have no row. `period_start` is the UTC instant the local
week (Monday) or month begins.

The parameters (recency half-life, neighbours' share, season) are chosen by `forecast.model.select_params` on
the periods before the forecast one, exactly as the rolling-origin backtest does. The period forecast is the one
that contains "now": the weekly job runs as a week begins, from the weeks that have ended.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from tortoise.transactions import in_transaction

from bot.city.grid import Grid
from bot.city.models import CellForecast, Incident
from bot.reports.models import Report
from bot.reports.statuses import Status
from forecast.backtest import PERIODS_PER_YEAR, Period, period_numbers
from forecast.events import Outcome
from forecast.model import TARGET_KINDS, Forecast, Kind, candidate_grid, count_events, forecast_next, select_params
from hotspots.cells import CellTable, cell_table
from hotspots.models import ForecastRun, Inspection, InspectionState

HISTORY_PERIODS = {Period.WEEK: 104, Period.MONTH: 36}
#: Periods before the forecast one that the parameters are chosen on (a season's worth of weeks, a year of months).
VALIDATION_PERIODS = {Period.WEEK: 26, Period.MONTH: 12}
OTHER_REPORT_WEIGHT = 0.5
#: The nested rolling origin may add a seasonal part; it keeps it only where it would have caught more.
SEASON_WEIGHTS = (0.0, 0.25)
CONFIRMED_STATUSES = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.FIXED, Status.REOPENED})
COUNTED_INCIDENT_OUTCOMES = (Outcome.CONFIRMED.value, Outcome.OPEN.value)
PART_DECIMALS = 4
_EPOCH = date(1970, 1, 1)
_WEEK_SHIFT_DAYS = 3  # as forecast.backtest: 1970-01-01 was a Thursday


def period_start(number: int, period: Period) -> date:
    if period is Period.MONTH:
        return date(1970 + number // 12, number % 12 + 1, 1)
    return _EPOCH + timedelta(days=number * 7 - _WEEK_SHIFT_DAYS)


def period_of(moment: datetime, period: Period, zone: ZoneInfo) -> int:
    day = np.array([moment.astimezone(zone).date().isoformat()], dtype="datetime64[D]")
    return int(period_numbers(day, period)[0])


def local_midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


@dataclass
class _Events:
    """One row per counted event: its cell key, local day (days since the epoch) and model kind."""

    cells: list[str]
    days: list[int]
    kinds: list[int]

    def add(self, cell: str, moment: datetime, kind: Kind, zone: ZoneInfo) -> None:
        self.cells.append(cell)
        self.days.append((moment.astimezone(zone).date() - _EPOCH).days)
        self.kinds.append(int(kind))


async def _cleared(before: datetime) -> dict[str, datetime]:
    """Per cell, the last inspection that found nothing (before the forecast period)."""
    rows = await Inspection.filter(state=InspectionState.NOTHING_FOUND, result_at__lt=before).values_list(
        "cell", "result_at"
    )
    cleared: dict[str, datetime] = {}
    for cell, result_at in rows:
        cleared[str(cell)] = max(result_at, cleared.get(str(cell), result_at))
    return cleared


async def load_events(since: datetime, before: datetime, zone: ZoneInfo) -> _Events:
    events = _Events([], [], [])
    cleared = await _cleared(before)
    reports = await Report.filter(created_at__gte=since, created_at__lt=before, cell__isnull=False).values_list(
        "cell", "created_at", "status", "verified"
    )
    for cell, created_at, status, verified in reports:
        if status == Status.DUPLICATE:
            continue
        if verified or status in CONFIRMED_STATUSES:
            events.add(str(cell), created_at, Kind.CONFIRMED, zone)
        elif created_at >= cleared.get(str(cell), since):
            events.add(str(cell), created_at, Kind.OTHER_REPORT, zone)
    incidents = await Incident.filter(
        occurred_at__gte=since, occurred_at__lt=before, cell__isnull=False, outcome__in=COUNTED_INCIDENT_OUTCOMES
    ).values_list("cell", "occurred_at")
    for cell, occurred_at in incidents:
        events.add(str(cell), occurred_at, Kind.INCIDENT, zone)
    return events


@dataclass(frozen=True)
class CellsForecast:
    period: Period
    starts_at: datetime  #: UTC instant of the period's local start
    cells: CellTable
    forecast: Forecast | None  #: None when there was nothing to count
    events: int


async def compute(grid: Grid, period: Period, now: datetime, zone: ZoneInfo, *, top: int) -> CellsForecast:
    """The forecast for the period containing `now`, from the complete periods before it."""
    target = period_of(now, period, zone)
    first = target - HISTORY_PERIODS[period]
    starts_at = local_midnight_utc(period_start(target, period), zone)
    events = await load_events(local_midnight_utc(period_start(first, period), zone), starts_at, zone)
    if not events.cells:
        return CellsForecast(period, starts_at, cell_table(grid, []), None, 0)
    cells = cell_table(grid, events.cells)
    number = cells.number()
    periods = period_numbers(np.asarray(events.days, dtype=np.int64).astype("datetime64[D]"), period)
    # Counting starts at the first period with any event, not `HISTORY_PERIODS` back: the weeks before the
    # product (or its import) existed are not weeks without hazards, and would dilute every rate.
    first = int(periods.min())
    counts = count_events(
        np.asarray([number[cell] for cell in events.cells], dtype=np.int64),
        periods - first,
        np.asarray(events.kinds, dtype=np.int64),
        cells=len(cells),
        periods=target - first,
    )
    candidates = candidate_grid(
        PERIODS_PER_YEAR[period], other_weights=(OTHER_REPORT_WEIGHT,), season_weights=SEASON_WEIGHTS
    )
    params = select_params(
        counts,
        cells.neighbours,
        top=top,
        validation_periods=VALIDATION_PERIODS[period],
        candidates=candidates,
        target_kinds=TARGET_KINDS,
    )
    return CellsForecast(period, starts_at, cells, forecast_next(counts, cells.neighbours, params), len(events.cells))


def ranked_rows(result: CellsForecast, now: datetime) -> list[CellForecast]:
    """A CellForecast row per cell with a forecast above zero; rank 1 is the highest (ties: lower key)."""
    if result.forecast is None:
        return []
    expected = np.round(result.forecast.expected, 9)
    order = sorted((n for n in range(len(result.cells)) if expected[n] > 0), key=lambda n: (-expected[n], n))
    return [
        CellForecast(
            cell=result.cells.keys[n],
            period=result.period.value,
            period_start=result.starts_at,
            expected=round(float(expected[n]), PART_DECIMALS),
            rank=rank,
            parts={name: round(value, PART_DECIMALS) for name, value in result.forecast.why(n).items()},
            computed_at=now,
        )
        for rank, n in enumerate(order, start=1)
    ]


def _params_json(result: CellsForecast) -> dict[str, float | None]:
    """The chosen parameters; an infinite half-life (every period counted alike) is null: JSON has no infinity."""
    if result.forecast is None:
        return {}
    params = result.forecast.params
    half_life = params.half_life_periods
    return {
        "half_life_periods": None if math.isinf(half_life) else half_life,
        "neighbour_weight": params.neighbour_weight,
        "season_weight": params.season_weight,
        "other_report_weight": params.kind_weights[Kind.OTHER_REPORT],
    }


async def write(result: CellsForecast, now: datetime) -> ForecastRun:
    """Replace the period's rows (running it twice leaves the same rows) and record the run."""
    rows = ranked_rows(result, now)
    async with in_transaction():
        await CellForecast.filter(period=result.period.value, period_start=result.starts_at).delete()
        await CellForecast.bulk_create(rows, batch_size=1000)
        run, _ = await ForecastRun.update_or_create(
            period=result.period.value,
            period_start=result.starts_at,
            defaults={"computed_at": now, "cells": len(rows), "events": result.events, "params": _params_json(result)},
        )
    return run


async def current_run(period: Period, now: datetime, zone: ZoneInfo) -> ForecastRun | None:
    """The run for the period containing `now`, if it was computed."""
    starts_at = local_midnight_utc(period_start(period_of(now, period, zone), period), zone)
    return await ForecastRun.get_or_none(period=period.value, period_start=starts_at)
