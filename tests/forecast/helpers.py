"""Forecast test data: seeded synthetic events (hotspots that persist and drift) and the shared Chicago file."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from forecast.events import OUTCOME_CODES, EventArrays, Outcome

REPO_ROOT = Path(__file__).resolve().parents[2]
CHICAGO_NAME = "chicago_311_sanitation_2011_2014.events.csv.gz"
CITY_LAT = (41.80, 41.95)
CITY_LON = (-87.80, -87.60)
OUTCOME_BY_CODE = {code: outcome for outcome, code in OUTCOME_CODES.items()}


def clustered_events(seed: int, first_month: str = "2020-01", months: int = 24, per_month: int = 300) -> EventArrays:
    """Half the events near 15 hotspots whose weights drift from month to month, half spread evenly."""
    rng = np.random.default_rng(seed)
    hot_lat = rng.uniform(*CITY_LAT, 15)
    hot_lon = rng.uniform(*CITY_LON, 15)
    weights = rng.gamma(2.0, 1.0, 15)
    days, lats, lons = [], [], []
    start = np.datetime64(first_month, "M")
    for month in range(months):
        weights = weights * rng.lognormal(0.0, 0.4, 15)
        first = (start + month).astype("datetime64[D]").astype(np.int64)
        last = (start + month + 1).astype("datetime64[D]").astype(np.int64)
        count = int(rng.poisson(per_month))
        near = rng.random(count) < 0.5
        hotspot = rng.choice(15, size=count, p=weights / weights.sum())
        lats.append(np.where(near, hot_lat[hotspot] + rng.normal(0, 0.003, count), rng.uniform(*CITY_LAT, count)))
        lons.append(np.where(near, hot_lon[hotspot] + rng.normal(0, 0.004, count), rng.uniform(*CITY_LON, count)))
        days.append(rng.integers(first, last, count))
    count = sum(part.size for part in days)
    return EventArrays(
        day=np.concatenate(days).astype("datetime64[D]"),
        lat=np.concatenate(lats),
        lon=np.concatenate(lons),
        outcome=rng.choice(np.array([0, 1, 2], dtype=np.int8), size=count, p=[0.9, 0.07, 0.03]),
        category=np.zeros(count, dtype=np.int32),
        category_names=("synthetic",),
        bad_rows=(),
    )


def concatenate(first: EventArrays, second: EventArrays) -> EventArrays:
    return EventArrays(
        day=np.concatenate([first.day, second.day]),
        lat=np.concatenate([first.lat, second.lat]),
        lon=np.concatenate([first.lon, second.lon]),
        outcome=np.concatenate([first.outcome, second.outcome]),
        category=np.concatenate([first.category, second.category]),
        category_names=first.category_names,
        bad_rows=(),
    )


def write_events_csv(path: Path, events: EventArrays) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["event_id", "occurred_at", "lat", "lon", "category", "outcome", "severity"])
        for i in range(len(events)):
            outcome: Outcome = OUTCOME_BY_CODE[int(events.outcome[i])]
            writer.writerow([f"ev-{i}", str(events.day[i]), events.lat[i], events.lon[i], "x", outcome.value, ""])
    return path


def chicago_events_file() -> Path | None:
    """The shared Chicago file next to the main checkout or next to the worktrees' directory, if present."""
    for base in (REPO_ROOT.parent, REPO_ROOT.parents[1]):
        candidate = base / "shared" / "data" / CHICAGO_NAME
        if candidate.exists():
            return candidate
    return None
