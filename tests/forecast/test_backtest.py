"""Backtest arithmetic on hand-made data, the tie rule, and the model's parts (answers worked out by hand)."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.backtest import Period, period_label, period_numbers, run_backtest
from forecast.cells import SquareGrid
from forecast.events import EventArrays
from forecast.model import ForecastParams, Kind, forecast_next, scores_by_period, top_cells

#: 1 km cells centred on the equator's zero meridian; cell (column, 0) spans 0.009° of longitude per km.
GRID = SquareGrid(1000, 0.0, 0.0)
CELL_A, CELL_B, CELL_C = 0, 5, 10  # columns, all in row 0, far from each other (no neighbours)


def events_at(rows: list[tuple[str, int, int]]) -> EventArrays:
    """(day, column, count): `count` confirmed events in the middle of cell (column, 0) on `day`."""
    days, lons = [], []
    for day, column, count in rows:
        days += [day] * count
        lons += [(column + 0.5) * 0.009] * count
    size = len(days)
    return EventArrays(
        day=np.array(days, dtype="datetime64[D]"),
        lat=np.full(size, 0.0045),
        lon=np.array(lons),
        outcome=np.zeros(size, dtype=np.int8),
        category=np.zeros(size, dtype=np.int32),
        category_names=("hand-made",),
        bad_rows=(),
    )


HAND_MADE = events_at(
    [
        ("2020-01-10", CELL_A, 4),
        ("2020-02-10", CELL_B, 3),
        ("2020-03-10", CELL_B, 2),
        ("2020-03-11", CELL_A, 1),
        ("2020-03-12", CELL_C, 1),
        ("2020-04-10", CELL_A, 2),
        ("2020-04-11", CELL_C, 2),
    ]
)


def test_hit_rates_ratio_and_pai_on_a_hand_made_city() -> None:
    # Model: half-life one month, nothing else. History: January and February; evaluated: March and April.
    # March (4 events). Naive counts A=4, B=3 -> A (1 hit). Model: A = 4*0.5, B = 3*1 (over the same total
    #   weight) -> B (2 hits). Oracle: B had 2 -> 2 hits.
    # April (4 events). Naive: A=5, B=5, a tie -> the lower key, A (2 hits). Model: A = 4*0.25 + 1 = 2,
    #   B = 3*0.5 + 2 = 3.5, C = 1 -> B (0 hits). Oracle: A=2, C=2, a tie -> A (2 hits).
    # Totals over 8 events: model 2 (0.25), naive 3 (0.375), oracle 4 (0.5); ratio 0.25/0.375 = 0.667.
    # PAI: one 1 km² cell per period out of the 3 km² of cells that ever had an event: 0.25 / (1/3) = 0.75.
    result = run_backtest(HAND_MADE, GRID, history=2, top=1, candidates=(ForecastParams(half_life_periods=1.0),))
    assert [p.label for p in result.periods] == ["2020-03", "2020-04"]
    assert [(p.events, p.model_hits, p.naive_hits, p.oracle_hits) for p in result.periods] == [
        (4, 2, 1, 2),
        (4, 0, 2, 2),
    ]
    assert [p.model_cells for p in result.periods] == [(GRID.key_of(CELL_B, 0),)] * 2
    assert result.event_area_km2 == pytest.approx(3.0)
    assert result.pai == pytest.approx(0.75)
    assert result.summary_line() == "hit_rate model=0.2500 naive=0.3750 oracle=0.5000 ratio=0.67 pai=0.8"
    assert result.periods[0].line().startswith("2020-03 events=4 model=0.5000 naive=0.2500 oracle=0.5000")


def test_top_cells_breaks_ties_by_cell_and_never_picks_a_zero_score() -> None:
    scores = np.array([[0.0, 2.0, 2.0, 1.0], [0.0, 0.0, 3.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    assert top_cells(scores, 2).tolist() == [
        [False, True, True, False],
        [False, False, True, False],
        [True, True, False, False],
    ]
    assert top_cells(scores[0], 3).tolist() == [False, True, True, True]
    # The same counts summed in another order must still tie.
    assert top_cells(np.array([0.3, 0.1 + 0.2]), 1).tolist() == [True, False]


def test_forecast_parts_add_up_and_are_calibrated_to_confirmed_and_incidents() -> None:
    # Two neighbouring cells, two periods. Cell 0: 2 confirmed in period 0, 2 other reports in period 1.
    # Cell 1: 3 confirmed in period 1. Half-life 1 period: weights 0.5 and 1, total weight 1.5.
    counts = np.zeros((3, 2, 2))
    counts[Kind.CONFIRMED, 0, 0] = 2
    counts[Kind.OTHER_REPORT, 1, 0] = 2
    counts[Kind.CONFIRMED, 1, 1] = 3
    neighbours = np.array([[1, -1], [0, -1]])
    params = ForecastParams(half_life_periods=1.0, neighbour_weight=0.1, kind_weights=(1.0, 0.5, 1.0))
    forecast = forecast_next(counts, neighbours, params)
    # Unscaled: cell 0 = 2*0.5/1.5 + 0.5*2/1.5 + 0.1*2 = 1.5333; cell 1 = 3/1.5 + 0.1*(4/3) = 2.1333.
    # Confirmed + incidents per period, decayed the same way: (2*0.5 + 3)/1.5 = 2.6667 -> scale 2.6667/3.6667.
    scale = (8 / 3) / (23 / 15 + 32 / 15)
    assert forecast.expected.tolist() == pytest.approx([23 / 15 * scale, 32 / 15 * scale])
    assert forecast.expected.sum() == pytest.approx(8 / 3)
    assert np.sum(list(forecast.parts.values()), axis=0) == pytest.approx(forecast.expected)
    assert forecast.parts["neighbours"].tolist() == pytest.approx([0.2 * scale, 0.4 / 3 * scale])
    assert list(forecast.why(0)) == ["recent_confirmed", "recent_other_report", "neighbours"]
    assert list(forecast.why(1)) == ["recent_confirmed", "neighbours"]
    # The production forecast and the backtest's last row rank the same way.
    last_row = scores_by_period(counts, neighbours, params)[-1]
    assert np.argsort(-last_row).tolist() == np.argsort(-forecast.expected).tolist()


def test_periods_are_calendar_months_or_iso_weeks() -> None:
    days = np.array(["2014-12-28", "2014-12-29", "2015-01-04", "2015-01-05"], dtype="datetime64[D]")
    weeks = period_numbers(days, Period.WEEK)
    assert [period_label(int(w), Period.WEEK) for w in weeks] == ["2014-W52", "2015-W01", "2015-W01", "2015-W02"]
    months = period_numbers(days, Period.MONTH)
    assert [period_label(int(m), Period.MONTH) for m in months] == ["2014-12", "2014-12", "2015-01", "2015-01"]
