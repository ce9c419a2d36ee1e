"""Rolling-origin backtest of the hotspot forecast against the naive rule and the oracle.

For each evaluated period t (every period after the first `history` ones, counted from the period of the
earliest event): the model ranks cells from events strictly before t (its parameters chosen by
`forecast.model.best_candidate` on the periods before t only), the naive rule ranks them by their count of all
earlier events, the oracle by period t's own counts. Each method takes its top N cells with a positive score;
ties go to the lower cell key, identically for all three. Hit rate = share of period t's events (all outcomes)
that fall in those cells.

Cells: every cell with an event anywhere in the file plus its ring of neighbours, numbered in key order. Only
positive scores are ranked, and a positive score needs an event before t in the cell or next to it, so the
cells any method can choose at t depend on nothing at or after t (nor does the square grid's centre: see
`square_grid_for`).

Aggregates: hit rate = total hits / total events over all evaluated periods (not a mean of monthly rates, so
a busy month weighs more). PAI = aggregate hit rate / (mean over periods of the area of the model's chosen
cells / the area of every cell that had at least one event anywhere in the file); the denominator is fixed
for the whole run and for all methods, so PAI compares grids of different cell sizes.

Events are counted as `Kind.CONFIRMED` when their outcome is confirmed and `Kind.OTHER_REPORT` otherwise.
The outcome is the one written in the file, i.e. known when the file was exported, possibly after t: a
look-ahead the production forecast does not have (it sees the outcomes known at its own time). It changes
little here (95% of the Chicago events are confirmed, and the selection may weigh unconfirmed reports fully),
but it is a caveat.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from forecast.cells import CellIndex, Grid, SquareGrid
from forecast.events import OUTCOME_CODES, EventArrays, Outcome
from forecast.model import (
    SCORE_DECIMALS,
    FloatArray,
    ForecastParams,
    Kind,
    best_candidate,
    candidate_grid,
    count_events,
    hits_by_period,
    scores_by_period,
    top_cells,
)

#: 1970-01-01 was a Thursday; shifting by 3 days makes weeks start on Monday (ISO weeks).
_WEEK_SHIFT_DAYS = 3


class Period(StrEnum):
    MONTH = "month"
    WEEK = "week"


PERIODS_PER_YEAR = {Period.MONTH: 12, Period.WEEK: 52}


def period_numbers(day: NDArray[np.datetime64], period: Period) -> NDArray[np.int64]:
    """Months or Monday-to-Sunday weeks since the epoch, per event."""
    if period is Period.MONTH:
        return day.astype("datetime64[M]").astype(np.int64)
    return (day.astype("datetime64[D]").astype(np.int64) + _WEEK_SHIFT_DAYS) // 7


def period_label(number: int, period: Period) -> str:
    """`2012-01` for a month, the ISO week `2012-W01` for a week."""
    if period is Period.MONTH:
        return f"{1970 + number // 12}-{number % 12 + 1:02d}"
    monday = date(1970, 1, 1) + timedelta(days=number * 7 - _WEEK_SHIFT_DAYS)
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Panel:
    """Events counted per kind, period and cell: `counts[kind, p, cell]`, p = 0 is period `first_period`."""

    cells: CellIndex
    counts: FloatArray
    first_period: int
    period: Period

    @property
    def periods(self) -> int:
        return int(self.counts.shape[1])


def build_panel(events: EventArrays, grid: Grid, period: Period) -> Panel:
    """Count the events into cells of `grid` (plus the ring around them) and periods."""
    if len(events) == 0:
        raise ValueError("no valid events to backtest")
    keys = grid.cell_keys(events.lat, events.lon)
    cells = CellIndex.covering(grid, keys)
    numbers = period_numbers(events.day, period)
    first = int(numbers.min())
    kinds = np.where(events.outcome == OUTCOME_CODES[Outcome.CONFIRMED], Kind.CONFIRMED, Kind.OTHER_REPORT)
    counts = count_events(
        cells.positions(keys), numbers - first, kinds, cells=len(cells), periods=int(numbers.max()) - first + 1
    )
    return Panel(cells=cells, counts=counts, first_period=first, period=period)


def square_grid_for(events: EventArrays, cell_m: float, period: Period, history: int) -> SquareGrid:
    """A square grid centred on the bounding box of the history periods' events (nothing later moves it)."""
    numbers = period_numbers(events.day, period)
    early = numbers < numbers.min() + history
    lat, lon = events.lat[early], events.lon[early]
    return SquareGrid(cell_m, (float(lat.min()) + float(lat.max())) / 2, (float(lon.min()) + float(lon.max())) / 2)


@dataclass(frozen=True)
class PeriodResult:
    """One evaluated period: events, hits of each method, the model's cells (keys, best first) and params."""

    label: str
    events: int
    model_hits: int
    naive_hits: int
    oracle_hits: int
    model_area_km2: float
    model_cells: tuple[int, ...]
    params: ForecastParams

    def line(self) -> str:
        share = 1.0 / self.events if self.events else 0.0
        return (
            f"{self.label} events={self.events} model={self.model_hits * share:.4f} "
            f"naive={self.naive_hits * share:.4f} oracle={self.oracle_hits * share:.4f} "
            f"half_life_periods={self.params.half_life_periods:g} "
            f"neighbour_weight={self.params.neighbour_weight:g} other_weight={self.params.kind_weights[1]:g}"
        )


@dataclass(frozen=True)
class BacktestResult:
    periods: tuple[PeriodResult, ...]
    top: int
    #: PAI denominator: the area of every cell with at least one event in the file.
    event_area_km2: float

    def _rate(self, hits: int) -> float:
        events = sum(result.events for result in self.periods)
        return hits / events if events else 0.0

    @property
    def model_hit_rate(self) -> float:
        return self._rate(sum(result.model_hits for result in self.periods))

    @property
    def naive_hit_rate(self) -> float:
        return self._rate(sum(result.naive_hits for result in self.periods))

    @property
    def oracle_hit_rate(self) -> float:
        return self._rate(sum(result.oracle_hits for result in self.periods))

    @property
    def ratio(self) -> float:
        return self.model_hit_rate / self.naive_hit_rate if self.naive_hit_rate else float("nan")

    @property
    def pai(self) -> float:
        if not self.periods or not self.event_area_km2:
            return float("nan")
        area_share = np.mean([result.model_area_km2 for result in self.periods]) / self.event_area_km2
        return self.model_hit_rate / float(area_share) if area_share else float("nan")

    def summary_line(self) -> str:
        return (
            f"hit_rate model={self.model_hit_rate:.4f} naive={self.naive_hit_rate:.4f} "
            f"oracle={self.oracle_hit_rate:.4f} ratio={self.ratio:.2f} pai={self.pai:.1f}"
        )


def _ranked(scores: FloatArray, chosen: NDArray[np.bool_], keys: NDArray[np.int64]) -> tuple[int, ...]:
    cells = np.flatnonzero(chosen)
    order = np.lexsort((cells, -np.round(scores[cells], SCORE_DECIMALS)))
    return tuple(int(key) for key in keys[cells[order]])


def model_scores(
    panel: Panel, options: Sequence[ForecastParams], *, history: int, top: int, validation_periods: int
) -> Iterator[tuple[int, ForecastParams, FloatArray]]:
    """For each evaluated period t: t, the parameters chosen on the periods before t, and the scores for t."""
    # Hits of every candidate in every period, each period forecast from the periods before it; the choice for
    # period t then reads only the columns before t.
    counts, neighbours = panel.counts, panel.cells.neighbours
    candidate_hits = np.stack([hits_by_period(counts, neighbours, params, top) for params in options])
    scores_of: dict[int, FloatArray] = {}  # only the candidates actually picked, usually a handful
    for t in range(history, panel.periods):
        pick = best_candidate(candidate_hits, t, validation_periods)
        if pick not in scores_of:
            scores_of[pick] = scores_by_period(counts, neighbours, options[pick])
        yield t, options[pick], scores_of[pick][t]


def run_backtest(
    events: EventArrays,
    grid: Grid,
    *,
    period: Period = Period.MONTH,
    history: int = 12,
    top: int = 50,
    validation_periods: int = 12,
    candidates: Sequence[ForecastParams] | None = None,
) -> BacktestResult:
    """The rolling-origin backtest described in the module docstring."""
    if history < 1 or top < 1:
        raise ValueError("history and top must be at least 1")
    panel = build_panel(events, grid, period)
    options = tuple(candidates) if candidates is not None else candidate_grid(PERIODS_PER_YEAR[period])
    total = panel.counts.sum(axis=0)
    naive_chosen = top_cells(np.cumsum(total, axis=0) - total, top)  # counts strictly before each period
    oracle_chosen = top_cells(total, top)
    results = []
    for t, params, scores in model_scores(
        panel, options, history=history, top=top, validation_periods=validation_periods
    ):
        chosen = top_cells(scores, top)
        results.append(
            PeriodResult(
                label=period_label(panel.first_period + t, period),
                events=int(total[t].sum()),
                model_hits=int(total[t][chosen].sum()),
                naive_hits=int(total[t][naive_chosen[t]].sum()),
                oracle_hits=int(total[t][oracle_chosen[t]].sum()),
                model_area_km2=float(panel.cells.area_km2[chosen].sum()),
                model_cells=_ranked(scores, chosen, panel.cells.keys),
                params=params,
            )
        )
    event_area = float(panel.cells.area_km2[total.sum(axis=0) > 0].sum())
    return BacktestResult(periods=tuple(results), top=top, event_area_km2=event_area)
