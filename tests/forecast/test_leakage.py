"""The ranking for period t is the same whatever happens at or after t (scramble the future, same ranking)."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.backtest import BacktestResult, Period, run_backtest, square_grid_for
from forecast.cells import Grid, H3Grid
from forecast.events import EventArrays, load_event_arrays
from forecast.model import candidate_grid, hits_by_period, parts_by_period
from tests.forecast.helpers import chicago_events_file, clustered_events, concatenate

T_MONTH = "2021-03"  # month 14 of the synthetic city (history: 12 months)
T_DAY = np.datetime64(f"{T_MONTH}-01")
CHICAGO = chicago_events_file()


def futures(events: EventArrays, t_day: np.datetime64, seed: int) -> list[EventArrays]:
    """The same past with four futures from `t_day` on: the real one, it shuffled in space, another city's,
    and the real one plus a flood of events in one spot."""
    rng = np.random.default_rng(seed)
    past, future = events.subset(events.day < t_day), events.subset(events.day >= t_day)
    shuffled = EventArrays(
        day=future.day,
        lat=rng.permutation(future.lat),
        lon=rng.permutation(future.lon),
        outcome=rng.permutation(future.outcome),
        category=future.category,
        category_names=future.category_names,
        bad_rows=(),
    )
    first_month = str(t_day.astype("datetime64[M]"))
    other = clustered_events(seed + 1, first_month=first_month, months=8, per_month=900)
    # 3,000 events in one spot on the first day of t: a leaking ranking would put that cell first.
    flood = EventArrays(
        day=np.full(3000, t_day),
        lat=np.full(3000, float(future.lat[0]) + 0.01),
        lon=np.full(3000, float(future.lon[0]) - 0.01),
        outcome=np.zeros(3000, dtype=np.int8),
        category=np.zeros(3000, dtype=np.int32),
        category_names=events.category_names,
        bad_rows=(),
    )
    return [events, concatenate(past, shuffled), concatenate(past, other), concatenate(events, flood)]


def period(result: BacktestResult, label: str) -> tuple[tuple[int, ...], object]:
    (found,) = [p for p in result.periods if p.label == label]
    return found.model_cells, found.params


def assert_same_rankings_up_to(variants: list[EventArrays], grid: Grid, label: str, top: int) -> None:
    results = [run_backtest(v, grid, history=12, top=top) for v in variants]
    reference = results[0]
    for result in results[1:]:
        assert period(result, label) == period(reference, label)
        earlier = [p.model_cells for p in result.periods if p.label < label]
        assert earlier == [p.model_cells for p in reference.periods if p.label < label]
    # The futures really differ: period t's events (and what the oracle catches) are not the same.
    at_t = [next(p for p in r.periods if p.label == label) for r in results]
    assert len({(p.events, p.oracle_hits) for p in at_t}) == len(variants)


@pytest.mark.parametrize("grid_name", ["square", "h3"])
def test_scrambling_the_future_leaves_the_ranking_for_t_unchanged(grid_name: str) -> None:
    variants = futures(clustered_events(7), T_DAY, seed=11)
    square = [square_grid_for(v, 500, Period.MONTH, 12) for v in variants]
    assert len(set(square)) == 1  # the grid itself is drawn from the history only
    grid: Grid = square[0] if grid_name == "square" else H3Grid(8)
    assert_same_rankings_up_to(variants, grid, T_MONTH, top=20)


def test_model_rows_and_candidate_hits_before_t_ignore_later_counts() -> None:
    rng = np.random.default_rng(3)
    counts = rng.poisson(rng.gamma(1.0, 1.0, (1, 1, 60)), size=(3, 30, 60)).astype(np.float64)
    neighbours = np.array([[(c - 1) % 60, (c + 1) % 60] for c in range(60)])
    t = 18
    scrambled = counts.copy()
    scrambled[:, t:] = rng.permutation(rng.poisson(5.0, size=(3, 30 - t, 60)).astype(np.float64), axis=2)
    for params in candidate_grid(12, season_weights=(0.0, 0.2), latest_weights=(0.0, 0.5)):
        for name, rows in parts_by_period(counts, neighbours, params).items():
            assert parts_by_period(scrambled, neighbours, params)[name][: t + 1] == pytest.approx(rows[: t + 1])
        assert hits_by_period(scrambled, neighbours, params, 5)[:t].tolist() == (
            hits_by_period(counts, neighbours, params, 5)[:t].tolist()
        )


@pytest.mark.skipif(CHICAGO is None, reason="the shared Chicago events file is not on this machine")
def test_chicago_ranking_for_june_2013_ignores_a_scrambled_future() -> None:
    assert CHICAGO is not None
    events = load_event_arrays(CHICAGO)
    variants = futures(events, np.datetime64("2013-06-01"), seed=5)
    grid = square_grid_for(events, 500, Period.MONTH, 12)
    assert_same_rankings_up_to(variants, grid, "2013-06", top=50)
