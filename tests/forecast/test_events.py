"""The events reader: good rows kept, every bad row named by its line and reason, plain and gzip files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from forecast.events import (
    REASON_TEXT,
    BadRow,
    Event,
    EventsFileError,
    Outcome,
    Reason,
    iter_batches,
    iter_rows,
    load_event_arrays,
)

# Line 1 is the header; line 16 is blank (skipped silently, but it still counts as a line).
MIXED_CSV = """\
event_id,occurred_at,lat,lon,category,outcome,severity
e1,2020-01-05,41.9,-87.7,Garbage in alley,confirmed,3
e2,2020-01-06T10:30:00,41.91,-87.71,Garbage in yard,duplicate,
e3,2020-01-07,,-87.7,Garbage,confirmed,
e4,2020-01-07,north,-87.7,Garbage,confirmed,
e5,2020-01-07,91.0,-87.7,Garbage,confirmed,
e6,2020-01-07,41.9,-181,Garbage,confirmed,
e7,2020-13-01,41.9,-87.7,Garbage,confirmed,
e8,,41.9,-87.7,Garbage,confirmed,
e1,2020-01-08,41.9,-87.7,Garbage,confirmed,
e9,2020-01-08,41.9,-87.7,Garbage,maybe,
e10,2020-01-08,41.9,-87.7,Garbage,confirmed,high
e11,2020-01-08,41.9,-87.7,Garbage,confirmed,11
,2020-01-08,41.9,-87.7,Garbage,confirmed,
e12,2020-01-08,41.9

e13,2020-01-09,41.92,-87.72,"Garbage, mixed",OPEN,
e14,2020-01-10,41.93,-87.73,Garbage,rejected,0
e5,2020-01-11,41.94,-87.74,Garbage,confirmed,10
e15,2020-01-12,nan,-87.7,Garbage,confirmed,
"""

EXPECTED_BAD = [
    (4, Reason.MISSING_COORDINATES),
    (5, Reason.BAD_COORDINATES),
    (6, Reason.LAT_OUT_OF_RANGE),
    (7, Reason.LON_OUT_OF_RANGE),
    (8, Reason.BAD_DATE),
    (9, Reason.MISSING_DATE),
    (10, Reason.DUPLICATE_EVENT_ID),
    (11, Reason.UNKNOWN_OUTCOME),
    (12, Reason.BAD_SEVERITY),
    (13, Reason.SEVERITY_OUT_OF_RANGE),
    (14, Reason.MISSING_EVENT_ID),
    (15, Reason.FIELD_COUNT),
    (20, Reason.BAD_COORDINATES),
]
# e5 was refused on line 6, so its id is still free on line 19.
EXPECTED_GOOD = [(2, "e1"), (3, "e2"), (17, "e13"), (18, "e14"), (19, "e5")]


@pytest.fixture(params=["plain", "gzip"])
def mixed_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "plain":
        path = tmp_path / "events.csv"
        path.write_text(MIXED_CSV, encoding="utf-8")
    else:
        path = tmp_path / "events.csv.gz"
        path.write_bytes(gzip.compress(MIXED_CSV.encode("utf-8")))
    return path


def test_every_bad_row_is_named_by_line_and_reason_and_good_rows_are_kept(mixed_file: Path) -> None:
    rows = list(iter_rows(mixed_file))
    bad = [(row.line, row.reason) for row in rows if isinstance(row, BadRow)]
    good = [(row.line, row.event_id) for row in rows if isinstance(row, Event)]
    assert bad == EXPECTED_BAD
    assert good == EXPECTED_GOOD


def test_good_rows_are_parsed_field_by_field(mixed_file: Path) -> None:
    events = {row.event_id: row for row in iter_rows(mixed_file) if isinstance(row, Event)}
    assert events["e1"].occurred_at.isoformat() == "2020-01-05T00:00:00"  # local wall-clock time, as written
    assert (events["e1"].lat, events["e1"].lon, events["e1"].severity) == (41.9, -87.7, 3.0)
    assert events["e2"].occurred_at.isoformat() == "2020-01-06T10:30:00"
    assert events["e2"].outcome is Outcome.DUPLICATE and events["e2"].severity is None
    assert events["e13"].outcome is Outcome.OPEN and events["e13"].category == "Garbage, mixed"
    assert events["e14"].outcome is Outcome.REJECTED and events["e14"].severity == 0.0


def test_bad_rows_carry_the_value_and_an_english_text(mixed_file: Path) -> None:
    bad = {row.line: row for row in iter_rows(mixed_file) if isinstance(row, BadRow)}
    assert bad[10].value == "e1"
    assert bad[11].value == "maybe"
    assert bad[8].message == "line 8: The occurred_at value is not an ISO 8601 date or date-time. ('2020-13-01')"
    assert set(REASON_TEXT) == set(Reason)


def test_batches_cover_every_row_once_and_resume_after_a_line(mixed_file: Path) -> None:
    batches = list(iter_batches(mixed_file, batch_rows=4))
    assert [len(b.events) + len(b.bad_rows) for b in batches] == [4, 4, 4, 4, 2]
    assert [b.last_line for b in batches] == [5, 9, 13, 18, 20]
    resumed = list(iter_batches(mixed_file, batch_rows=100, after_line=13))
    assert [row.line for row in resumed[0].bad_rows] == [14, 15, 20]
    # The ids of the skipped lines still count: e1 (line 2) stays taken, so nothing here is a new duplicate.
    assert [row.event_id for row in resumed[0].events] == ["e13", "e14", "e5"]


def test_arrays_hold_the_good_rows_and_the_bad_ones_apart(mixed_file: Path) -> None:
    arrays = load_event_arrays(mixed_file)
    assert len(arrays) == 5
    assert (
        arrays.day.tolist()
        == np.array(
            ["2020-01-05", "2020-01-06", "2020-01-09", "2020-01-10", "2020-01-11"], dtype="datetime64[D]"
        ).tolist()
    )
    assert arrays.outcome.tolist() == [0, 1, 2, 3, 0]
    assert [arrays.category_names[c] for c in arrays.category] == [
        "Garbage in alley",
        "Garbage in yard",
        "Garbage, mixed",
        "Garbage",
        "Garbage",
    ]
    assert len(arrays.bad_rows) == len(EXPECTED_BAD)


def test_a_file_without_severity_or_with_a_bom_and_odd_header_case_is_read(tmp_path: Path) -> None:
    path = tmp_path / "no_severity.csv"
    path.write_text("\ufeffEvent_ID,occurred_at,lat,lon,category,Outcome\nx1,2014-03-01,41.8,-87.6,Rats,confirmed\n")
    (event,) = iter_rows(path)
    assert isinstance(event, Event) and event.event_id == "x1" and event.severity is None


def test_a_missing_required_column_makes_the_file_unusable(tmp_path: Path) -> None:
    path = tmp_path / "no_lon.csv"
    path.write_text("event_id,occurred_at,lat,category,outcome\nx1,2014-03-01,41.8,Rats,confirmed\n")
    with pytest.raises(EventsFileError, match="lon"):
        list(iter_rows(path))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(EventsFileError, match="empty"):
        list(iter_rows(empty))


def test_an_optional_kind_column_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "kinds.csv"
    path.write_text(
        "event_id,occurred_at,lat,lon,category,outcome,severity,kind\n"
        "f1,2026-11-20T08:15:00,31.23,121.47,Fire,confirmed,6,Fire_Alarm\n"
        "f2,2026-11-20,31.23,121.47,Fire,confirmed,,\n"
        "f3,2026-11-20,31.23,121.47,Fire,confirmed,,fire alarm\n"
        f"f4,2026-11-20,31.23,121.47,Fire,confirmed,,{'k' * 25}\n"
    )
    rows = list(iter_rows(path))
    assert isinstance(rows[0], Event) and rows[0].kind == "fire_alarm" and rows[0].severity == 6.0
    assert isinstance(rows[1], Event) and rows[1].kind is None
    assert [(row.line, row.reason) for row in rows[2:] if isinstance(row, BadRow)] == [
        (4, Reason.BAD_KIND),
        (5, Reason.BAD_KIND),
    ]


def test_ids_and_categories_longer_than_the_incident_table_holds_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "event_id,occurred_at,lat,lon,category,outcome\n"
        f"{'x' * 129},2026-11-20,31.23,121.47,Fire,confirmed\n"
        f"y1,2026-11-20,31.23,121.47,{'c' * 65},confirmed\n"
        f"{'z' * 128},2026-11-20,31.23,121.47,{'c' * 64},confirmed\n"
    )
    rows = list(iter_rows(path))
    assert [row.reason for row in rows if isinstance(row, BadRow)] == [Reason.TOO_LONG, Reason.TOO_LONG]
    assert isinstance(rows[2], Event)
