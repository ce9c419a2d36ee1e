"""The hotspot forecast: per cell, the expected number of hazards in the next period, and the parts of it.

Input everywhere is `counts`, shape (kinds, periods, cells): how many events of each `Kind` each cell had in
each past period (oldest first), and `neighbours`, shape (cells, max_neighbours), the dense numbers of each
cell's neighbours padded with -1 (`forecast.cells.CellIndex.neighbours`).

The forecast for the period after the last one is a sum of named, non-negative parts:

* **recent** (one part per kind): the cell's own exponentially decayed rate of weighted events per period. A
  period k periods before the forecast one weighs 0.5 ** (k / `half_life_periods`); the kinds weigh
  `kind_weights` (a confirmed hazard or an incident counts fully, an unconfirmed report less).
* **neighbours**: `neighbour_weight` times the sum of the neighbouring cells' recent rates (hazards cluster
  across cell borders; a cell next to a hotspot is riskier than an isolated one).
* **latest**: `latest_weight` times the weighted events of the latest period alone (a near-repeat term: a burst
  last period raises the odds of more this period beyond what the decay gives).
* **season**: `season_weight` times the cell's mean weighted events in the same period of earlier years (that
  period and its two neighbours, so that one odd week or month does not dominate).

The sum is scaled by one positive factor so that, over all cells, it equals the recent citywide rate of
confirmed hazards plus incidents: the forecast is in expected events per period and the parts keep adding up
to it. One factor for every cell, so it never changes the ranking.

Parameter values are not tuned by hand. `select_params` picks, from `candidate_grid`, the candidate with the most
hits in the `validation_periods` periods just before the forecast one, each of them forecast only from the
periods before it (a nested rolling origin): the choice for period t sees nothing from t or later, and the
production forecast runs the same procedure on its own history.

What is in the default grid was decided by looking at the Chicago backtest (`bench/forecast.py --ablation`, all
of 2012-2014 and also 2012-2013 and 2014 apart, so 2014 is not a pristine hold-out; the random-events guard is
the check against overfitting). The ranges themselves (see the constants) come from reasoning. Ratio to naive,
on the default grid / mean over six placements of the grid:

    recency, half-life chosen   1.177 / 1.144   (a fixed 3-month half-life: 1.183 / 1.150)
    + neighbours                1.174 / 1.153
    + outcome weights           1.172 / 1.155   <- the default grid, 42 candidates
    + season                    1.175 / 1.160   three times the candidates, within noise: not in the default
    + latest                    1.184 / 1.155   same
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from forecast.cells import NO_NEIGHBOUR

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class Kind(IntEnum):
    """The first axis of `counts`."""

    CONFIRMED = 0  # a hazard an official confirmed (or a completed request)
    OTHER_REPORT = 1  # a resident's report not confirmed: open, duplicate or rejected
    INCIDENT = 2  # an incident from another system (fire brigade, 110/119/12345, inspection found a hazard)


KINDS = len(Kind)
#: The kinds the forecast is calibrated to: what an inspection should find.
TARGET_KINDS = (Kind.CONFIRMED, Kind.INCIDENT)
#: The default grid `select_params` chooses from (see `candidate_grid`). Half-lives from a month to a year, and
#: all history (`inf`: the naive rule itself, so that where recency has no skill the model falls back to it).
HALF_LIFE_MONTHS = (1.0, 2.0, 3.0, 4.0, 6.0, 12.0, float("inf"))
#: No smoothing, or 2% or 5% of each neighbour's rate: eight neighbours then add 16-40% of a typical cell's own
#: rate, a mild smoothing (a heavier one blurs a hotspot into the cells around it).
NEIGHBOUR_WEIGHTS = (0.0, 0.02, 0.05)
#: An unconfirmed report counts fully or half: duplicates repeat a hazard already counted, open and rejected ones
#: may not be hazards at all.
OTHER_REPORT_WEIGHTS = (1.0, 0.5)
#: Scores equal to this many decimals are tied (see `top_cells`).
SCORE_DECIMALS = 9
#: Same period in earlier years: that period and one on each side.
SEASON_WINDOW_PERIODS = 1


@dataclass(frozen=True)
class ForecastParams:
    """Every parameter of the forecast, in the units of the periods the counts are in."""

    #: Periods after which an event weighs half as much; `inf` counts every past event equally (the naive rule).
    half_life_periods: float = 3.0
    #: Share of each neighbouring cell's recent rate added to a cell (per neighbour, 0..1).
    neighbour_weight: float = 0.0
    #: Extra weight of the latest period's events (per event, on top of the decayed rate).
    latest_weight: float = 0.0
    #: Weight of the same period in earlier years (per event per period, like the recent rate).
    season_weight: float = 0.0
    #: Periods in a year (12 for months, 52 for weeks): the lag of the season part.
    periods_per_year: int = 12
    #: Weight of one event of each `Kind` (confirmed, other report, incident).
    kind_weights: tuple[float, float, float] = (1.0, 1.0, 1.0)

    def __post_init__(self) -> None:
        if not self.half_life_periods > 0:
            raise ValueError("half_life_periods must be positive")
        weights = (self.neighbour_weight, self.latest_weight, self.season_weight, *self.kind_weights)
        if min(weights) < 0:
            raise ValueError("weights must be non-negative")
        if self.periods_per_year < 1:
            raise ValueError("periods_per_year must be at least 1")


@dataclass(frozen=True)
class Forecast:
    """Per cell, the expected events next period and its parts (same order as the cells; parts sum to it)."""

    expected: FloatArray
    parts: dict[str, FloatArray]
    params: ForecastParams

    def why(self, cell: int) -> dict[str, float]:
        """One cell's parts, largest first, for a "why this cell" explanation (zero parts left out)."""
        shares = {name: float(values[cell]) for name, values in self.parts.items() if values[cell] > 0}
        return dict(sorted(shares.items(), key=lambda item: -item[1]))


def _check_shapes(counts: FloatArray, neighbours: IntArray) -> None:
    if counts.ndim != 3 or counts.shape[0] != KINDS:
        raise ValueError(f"counts must have shape ({KINDS}, periods, cells)")
    if neighbours.ndim != 2 or neighbours.shape[0] != counts.shape[2]:
        raise ValueError("neighbours must have one row per cell")


def recent_rates_by_period(counts: FloatArray, half_life_periods: float) -> FloatArray:
    """Row s (0..periods): per kind and cell, the decayed rate per period over periods before s (0 for s=0).

    Shape (periods + 1, kinds, cells). Built by the recursion D[s+1] = r·D[s] + counts[s], so row s can only
    ever see periods before s.
    """
    factor = 0.5 ** (1.0 / half_life_periods)
    kinds, periods, cells = counts.shape
    rates = np.zeros((periods + 1, kinds, cells))
    decayed = np.zeros((kinds, cells))
    total_weight = 0.0
    for period in range(periods):
        decayed = factor * decayed + counts[:, period, :]
        total_weight = factor * total_weight + 1.0
        rates[period + 1] = decayed / total_weight
    return rates


def _season_by_period(weighted: FloatArray, periods_per_year: int) -> FloatArray:
    """Row s: per cell, the mean weighted events in periods s - y·periods_per_year ± window before s."""
    periods, cells = weighted.shape
    season = np.zeros((periods + 1, cells))
    for period in range(periods + 1):
        lags = [
            period - years * periods_per_year + shift
            for years in range(1, period // periods_per_year + 1)
            for shift in range(-SEASON_WINDOW_PERIODS, SEASON_WINDOW_PERIODS + 1)
        ]
        past = [lag for lag in lags if 0 <= lag < period]
        if past:
            season[period] = weighted[past].mean(axis=0)
    return season


def _neighbour_sum(values: FloatArray, neighbours: IntArray) -> FloatArray:
    """Sum over each cell's neighbours of `values` (last axis = cells); padding (-1) adds zero."""
    padded = np.concatenate([values, np.zeros((*values.shape[:-1], 1))], axis=-1)
    index = np.where(neighbours == NO_NEIGHBOUR, values.shape[-1], neighbours)
    return np.asarray(padded[..., index].sum(axis=-1), dtype=np.float64)


def parts_by_period(counts: FloatArray, neighbours: IntArray, params: ForecastParams) -> dict[str, FloatArray]:
    """Every part for forecasting each period s = 0..periods from the periods before s (unscaled).

    Each value has shape (periods + 1, cells); the last row is the forecast for the period after the data.
    """
    _check_shapes(counts, neighbours)
    kind_weights = np.asarray(params.kind_weights, dtype=np.float64)
    rates = recent_rates_by_period(counts, params.half_life_periods) * kind_weights[None, :, None]
    parts = {f"recent_{kind.name.lower()}": rates[:, kind, :] for kind in Kind}
    recent = rates.sum(axis=1)
    if params.neighbour_weight:
        parts["neighbours"] = params.neighbour_weight * _neighbour_sum(recent, neighbours)
    weighted = np.tensordot(kind_weights, counts, axes=1)  # (periods, cells)
    if params.latest_weight:
        latest = np.zeros_like(recent)
        latest[1:] = weighted
        parts["latest"] = params.latest_weight * latest
    if params.season_weight:
        parts["season"] = params.season_weight * _season_by_period(weighted, params.periods_per_year)
    return parts


def scores_by_period(counts: FloatArray, neighbours: IntArray, params: ForecastParams) -> FloatArray:
    """Shape (periods + 1, cells): row s ranks the cells for period s using only periods before s."""
    return np.asarray(sum(parts_by_period(counts, neighbours, params).values()), dtype=np.float64)


def forecast_next(counts: FloatArray, neighbours: IntArray, params: ForecastParams) -> Forecast:
    """The forecast for the period right after the last one in `counts` (the production entry point)."""
    parts = {name: values[-1] for name, values in parts_by_period(counts, neighbours, params).items()}
    total = np.asarray(sum(parts.values()), dtype=np.float64)
    target = recent_rates_by_period(counts, params.half_life_periods)[-1][list(TARGET_KINDS)].sum()
    scale = float(target / total.sum()) if total.sum() > 0 else 1.0
    return Forecast(
        expected=total * scale,
        parts={name: values * scale for name, values in parts.items()},
        params=params,
    )


def top_cells(scores: FloatArray, top: int) -> NDArray[np.bool_]:
    """Per row, which cells are in the top `top` by score; ties go to the lower cell number (= lower cell key).

    Only cells with a positive score are ever chosen, so a row may choose fewer than `top`. Works on one row
    (cells,) or many (periods, cells) at once; the tie rule is the same for every method. Scores are first
    rounded to `SCORE_DECIMALS`: sums of the same counts in another order differ in the last bit, and such
    noise must not break a tie.
    """
    rows = np.round(np.atleast_2d(scores), SCORE_DECIMALS)
    cells = rows.shape[1]
    if top <= 0 or cells == 0:
        return np.zeros(scores.shape, dtype=np.bool_)
    kth = min(top, cells) - 1
    threshold = -np.partition(-rows, kth, axis=1)[:, kth : kth + 1]
    above = rows > threshold
    tied = rows == threshold
    room = top - above.sum(axis=1, keepdims=True)
    chosen = above | (tied & (np.cumsum(tied, axis=1) <= room))
    chosen &= rows > 0
    return np.asarray(chosen.reshape(scores.shape), dtype=np.bool_)


def candidate_grid(
    periods_per_year: int = 12,
    *,
    half_life_months: Sequence[float] = HALF_LIFE_MONTHS,
    neighbour_weights: Sequence[float] = NEIGHBOUR_WEIGHTS,
    other_weights: Sequence[float] = OTHER_REPORT_WEIGHTS,
    season_weights: Sequence[float] = (0.0,),
    latest_weights: Sequence[float] = (0.0,),
) -> tuple[ForecastParams, ...]:
    """Every combination of the given values, simplest first, so that of candidates with equal hits
    `best_candidate` keeps the simplest: the longest half-life (all history first), no neighbour weight,
    unconfirmed reports weighing fully, no season, no latest term.

    Half-lives are given in months and converted to periods of the given length (at least one period).
    """
    months_longest_first = sorted(half_life_months, reverse=True)
    half_lives = list(
        dict.fromkeys(max(1.0, round(months * periods_per_year / 12, 1)) for months in months_longest_first)
    )
    combinations = itertools.product(
        sorted(latest_weights),
        sorted(season_weights),
        sorted(other_weights, reverse=True),
        sorted(neighbour_weights),
        half_lives,
    )
    return tuple(
        ForecastParams(
            half_life_periods=half_life,
            neighbour_weight=neighbour,
            latest_weight=latest,
            season_weight=season,
            periods_per_year=periods_per_year,
            kind_weights=(1.0, other, 1.0),
        )
        for latest, season, other, neighbour, half_life in combinations
    )


def count_events(
    cell_numbers: IntArray,
    period_numbers: IntArray,
    kinds: IntArray,
    *,
    cells: int,
    periods: int,
    weights: FloatArray | None = None,
) -> FloatArray:
    """`counts` (kinds, periods, cells) from one row per event, or per (cell, period, kind) group with its
    count in `weights` (e.g. a SQL GROUP BY). Cells are dense numbers (`CellIndex.positions`), periods 0-based."""
    counts = np.zeros((KINDS, periods, cells))
    np.add.at(counts, (kinds, period_numbers, cell_numbers), 1.0 if weights is None else weights)
    return counts


def hits_by_period(
    counts: FloatArray,
    neighbours: IntArray,
    params: ForecastParams,
    top: int,
    target_kinds: Sequence[Kind] = tuple(Kind),
) -> FloatArray:
    """Per period s, the events of s (of `target_kinds`) in the top `top` cells forecast from periods before s."""
    chosen = top_cells(scores_by_period(counts, neighbours, params)[:-1], top)
    target = counts[list(target_kinds)].sum(axis=0)
    return np.asarray((target * chosen).sum(axis=1), dtype=np.float64)


def best_candidate(candidate_hits: FloatArray, before: int, validation_periods: int) -> int:
    """Index of the candidate (row) with the most hits in the periods [before - validation_periods, before).

    Only columns before `before` are read; the first period is skipped (nothing precedes it). Ties go to the
    first candidate.
    """
    start = max(1, before - validation_periods)
    window = candidate_hits[:, start:before].sum(axis=1)
    return int(np.argmax(window)) if window.size else 0


def select_params(
    counts: FloatArray,
    neighbours: IntArray,
    *,
    top: int,
    validation_periods: int = 12,
    candidates: Sequence[ForecastParams] | None = None,
    target_kinds: Sequence[Kind] = tuple(Kind),
) -> ForecastParams:
    """The candidate that would have caught the most `target_kinds` events in the last `validation_periods`
    periods, each forecast from the periods before it.

    Production: `select_params(counts, neighbours, top=N, candidates=candidate_grid(periods_per_year),
    target_kinds=TARGET_KINDS)`, then `forecast_next(counts, neighbours, params)`.
    """
    options = tuple(candidates) if candidates is not None else candidate_grid()
    hits = np.stack([hits_by_period(counts, neighbours, params, top, target_kinds) for params in options])
    return options[best_candidate(hits, counts.shape[1], validation_periods)]
