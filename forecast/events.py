"""Read the generic events CSV (`event_id, occurred_at, lat, lon, category, outcome, severity`), plain or gzip.

An optional `kind` column names an escalation kind (e.g. `fire_alarm`, `fire`, `casualty`): the product's
importer proposes warnings for recent incidents of such kinds; the backtest ignores it.

Rows are streamed: `iter_rows` yields one `Event` or `BadRow` per data row, `iter_batches` groups them for an
importer, and only `load_event_arrays` (for the backtest) keeps the whole file, as numpy arrays rather than
Python objects. Every bad row is reported with its 1-based physical line number (the header is line 1) and a
`Reason` code; the English text for each code is in `REASON_TEXT`, marked for translation (the admin shows it
in the reader's language; the command line prints the English).

A file whose header lacks a required column is unusable as a whole: `EventsFileError`.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, TextIO

import numpy as np
from numpy.typing import NDArray

REQUIRED_COLUMNS = ("event_id", "occurred_at", "lat", "lon", "category", "outcome")
OPTIONAL_COLUMNS = ("severity", "kind")
#: The format names no scale for severity; 0..10 covers every scale we know of (1-4 levels, 1-5, 0-10).
SEVERITY_RANGE = (0.0, 10.0)
DEFAULT_BATCH_ROWS = 5_000
GZIP_MAGIC = b"\x1f\x8b"
#: What the product's incident table holds (longer values are refused, not cut: an id cut short is another id).
MAX_EVENT_ID_CHARS = 128
MAX_CATEGORY_CHARS = 64
MAX_KIND_CHARS = 24


def N_(message: str) -> str:  # noqa: N802 - gettext's marker: extracted for translation, translated when shown
    return message


class Outcome(StrEnum):
    """What became of the event; `confirmed` is a real hazard or incident, the others may not be."""

    CONFIRMED = "confirmed"
    DUPLICATE = "duplicate"
    OPEN = "open"
    REJECTED = "rejected"


#: Stable small integers for numpy arrays (never reorder: stored codes would change meaning).
OUTCOME_CODES: dict[Outcome, int] = {
    Outcome.CONFIRMED: 0,
    Outcome.DUPLICATE: 1,
    Outcome.OPEN: 2,
    Outcome.REJECTED: 3,
}


class Reason(StrEnum):
    """Why a row was skipped: a stable code; its English text is `REASON_TEXT[reason]`."""

    FIELD_COUNT = "field_count"
    MISSING_EVENT_ID = "missing_event_id"
    DUPLICATE_EVENT_ID = "duplicate_event_id"
    MISSING_COORDINATES = "missing_coordinates"
    BAD_COORDINATES = "bad_coordinates"
    LAT_OUT_OF_RANGE = "lat_out_of_range"
    LON_OUT_OF_RANGE = "lon_out_of_range"
    MISSING_DATE = "missing_date"
    BAD_DATE = "bad_date"
    UNKNOWN_OUTCOME = "unknown_outcome"
    BAD_SEVERITY = "bad_severity"
    SEVERITY_OUT_OF_RANGE = "severity_out_of_range"
    TOO_LONG = "too_long"
    BAD_KIND = "bad_kind"
    FUTURE_DATE = "future_date"  #: found by the importer, which knows what "now" is


#: English source strings, one per reason (the code is what callers store and compare).
REASON_TEXT: dict[Reason, str] = {
    Reason.FIELD_COUNT: N_("The row does not have as many fields as the header."),
    Reason.MISSING_EVENT_ID: N_("The event_id is empty."),
    Reason.DUPLICATE_EVENT_ID: N_("This event_id already appeared earlier in the file."),
    Reason.MISSING_COORDINATES: N_("The latitude or longitude is empty."),
    Reason.BAD_COORDINATES: N_("The latitude or longitude is not a number."),
    Reason.LAT_OUT_OF_RANGE: N_("The latitude is outside -90..90."),
    Reason.LON_OUT_OF_RANGE: N_("The longitude is outside -180..180."),
    Reason.MISSING_DATE: N_("The occurred_at date is empty."),
    Reason.BAD_DATE: N_("The occurred_at value is not an ISO 8601 date or date-time."),
    Reason.UNKNOWN_OUTCOME: N_("The outcome is not one of confirmed, duplicate, open, rejected."),
    Reason.BAD_SEVERITY: N_("The severity is not a number."),
    Reason.SEVERITY_OUT_OF_RANGE: N_("The severity is outside 0..10."),
    Reason.TOO_LONG: N_("The event_id (at most 128 characters) or the category (at most 64) is too long."),
    Reason.BAD_KIND: N_("The kind is not a key of at most 24 lower-case letters, digits and underscores."),
    Reason.FUTURE_DATE: N_("The occurred_at date is in the future."),
}


class EventsFileError(ValueError):
    """The file as a whole cannot be read as an events file (no header, a required column missing)."""


class Event(NamedTuple):
    """One valid row. `occurred_at` is the city's local wall-clock time as written (a date means midnight).

    A NamedTuple, not a frozen dataclass: as immutable, and made twice as fast (an import makes a million)."""

    line: int
    event_id: str
    occurred_at: datetime
    lat: float
    lon: float
    category: str
    outcome: Outcome
    severity: float | None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class BadRow:
    """One skipped row: its line number, the reason code and the offending value (for the report)."""

    line: int
    reason: Reason
    value: str = ""

    @property
    def message(self) -> str:
        """English text for logs and the command line; translated front ends should use `reason` instead."""
        text = REASON_TEXT[self.reason]
        return f"line {self.line}: {text}" + (f" ({self.value!r})" if self.value else "")


@dataclass(slots=True)
class EventBatch:
    """Up to `batch_rows` consecutive data rows, good and bad, and the last line they cover (to resume after)."""

    events: list[Event] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    last_line: int = 0


@contextmanager
def open_text(path: Path | str) -> Iterator[TextIO]:
    """Open a plain or gzip-compressed UTF-8 file (a BOM is ignored) as text; gzip is recognised by content."""
    with Path(path).open("rb") as raw:
        if raw.peek(2)[:2] == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw) as unzipped, io.TextIOWrapper(unzipped, "utf-8-sig", newline="") as text:
                yield text
        else:
            with io.TextIOWrapper(raw, "utf-8-sig", newline="") as text:
                yield text


def parse_occurred_at(text: str) -> datetime:
    """ISO 8601 date or date-time; raises ValueError otherwise. A time zone, if given, is kept."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
    return datetime.fromisoformat(text)


def _parse_coordinates(lat_text: str, lon_text: str) -> tuple[float, float] | Reason:
    if not lat_text or not lon_text:
        return Reason.MISSING_COORDINATES
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return Reason.BAD_COORDINATES
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return Reason.BAD_COORDINATES
    if not -90.0 <= lat <= 90.0:
        return Reason.LAT_OUT_OF_RANGE
    if not -180.0 <= lon <= 180.0:
        return Reason.LON_OUT_OF_RANGE
    return lat, lon


def _parse_severity(text: str) -> float | Reason | None:
    if not text:
        return None
    try:
        severity = float(text)
    except ValueError:
        return Reason.BAD_SEVERITY
    if not math.isfinite(severity):
        return Reason.BAD_SEVERITY
    low, high = SEVERITY_RANGE
    return severity if low <= severity <= high else Reason.SEVERITY_OUT_OF_RANGE


_OUTCOMES = {outcome.value: outcome for outcome in Outcome}
_KIND_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def _check_kind(text: str) -> str | Reason | None:
    if not text:
        return None
    kind = text.lower()
    return kind if len(kind) <= MAX_KIND_CHARS and _KIND_CHARS.issuperset(kind) else Reason.BAD_KIND


class _RowParser:
    """Turns the fields of one row into an Event or a BadRow; remembers event ids to catch duplicates.

    Written for speed (an import reads a million rows): column positions are looked up once, not per row.
    """

    def __init__(self, header: list[str]) -> None:
        names = [name.strip().lower() for name in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            raise EventsFileError(f"missing column(s): {', '.join(missing)}")
        self.width = len(names)
        self.required = tuple(names.index(name) for name in REQUIRED_COLUMNS)
        self.severity_at = names.index("severity") if "severity" in names else None
        self.kind_at = names.index("kind") if "kind" in names else None
        self.seen_ids: set[str] = set()

    def parse(self, line: int, row: list[str]) -> Event | BadRow:
        if len(row) != self.width:
            return BadRow(line, Reason.FIELD_COUNT, str(len(row)))
        id_at, date_at, lat_at, lon_at, category_at, outcome_at = self.required
        event_id, category = row[id_at].strip(), row[category_at].strip()
        if not event_id:
            return BadRow(line, Reason.MISSING_EVENT_ID)
        if event_id in self.seen_ids:
            return BadRow(line, Reason.DUPLICATE_EVENT_ID, event_id)
        if len(event_id) > MAX_EVENT_ID_CHARS or len(category) > MAX_CATEGORY_CHARS:
            return BadRow(line, Reason.TOO_LONG, event_id[:40])
        lat_text, lon_text = row[lat_at].strip(), row[lon_at].strip()
        coordinates = _parse_coordinates(lat_text, lon_text)
        if isinstance(coordinates, Reason):
            return BadRow(line, coordinates, f"{lat_text},{lon_text}")
        occurred_text = row[date_at].strip()
        if not occurred_text:
            return BadRow(line, Reason.MISSING_DATE)
        try:
            occurred_at = parse_occurred_at(occurred_text)
        except ValueError:
            return BadRow(line, Reason.BAD_DATE, occurred_text)
        outcome = _OUTCOMES.get(row[outcome_at].strip().lower())
        if outcome is None:
            return BadRow(line, Reason.UNKNOWN_OUTCOME, row[outcome_at].strip())
        return self._finish(line, row, event_id, occurred_at, coordinates, category, outcome)

    def _finish(
        self,
        line: int,
        row: list[str],
        event_id: str,
        occurred_at: datetime,
        coordinates: tuple[float, float],
        category: str,
        outcome: Outcome,
    ) -> Event | BadRow:
        severity_text = row[self.severity_at].strip() if self.severity_at is not None else ""
        severity = _parse_severity(severity_text)
        if isinstance(severity, Reason):
            return BadRow(line, severity, severity_text)
        kind_text = row[self.kind_at].strip() if self.kind_at is not None else ""
        kind = _check_kind(kind_text)
        if isinstance(kind, Reason):
            return BadRow(line, kind, kind_text[:40])
        # Only a row that is kept claims its id: a bad first row must not make a later good row a "duplicate".
        self.seen_ids.add(event_id)
        return Event(line, event_id, occurred_at, coordinates[0], coordinates[1], category, outcome, severity, kind)


def iter_rows(path: Path | str, *, after_line: int = 0) -> Iterator[Event | BadRow]:
    """Every data row in file order as an Event or a BadRow; blank lines are skipped silently.

    `after_line` resumes an interrupted import: rows up to that line are still read (so that their ids count
    for duplicate detection) but not yielded.
    """
    with open_text(path) as text:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            raise EventsFileError("the file is empty (no header)")
        parser = _RowParser(header)
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            # line_num is the physical line where the record ends: right for every row without quoted newlines.
            parsed = parser.parse(reader.line_num, row)
            if parsed.line > after_line:
                yield parsed


def iter_batches(
    path: Path | str, *, batch_rows: int = DEFAULT_BATCH_ROWS, after_line: int = 0
) -> Iterator[EventBatch]:
    """`iter_rows` grouped into batches of at most `batch_rows` rows (good and bad), for a batched importer."""
    batch = EventBatch()
    for parsed in iter_rows(path, after_line=after_line):
        if isinstance(parsed, Event):
            batch.events.append(parsed)
        else:
            batch.bad_rows.append(parsed)
        batch.last_line = parsed.line
        if len(batch.events) + len(batch.bad_rows) >= batch_rows:
            yield batch
            batch = EventBatch()
    if batch.events or batch.bad_rows:
        yield batch


@dataclass(frozen=True)
class EventArrays:
    """A whole file's valid events as parallel numpy arrays (what the backtest needs), plus the bad rows.

    `day` is the local calendar day (datetime64[D]); `outcome` holds `OUTCOME_CODES`; `category` indexes
    `category_names`.
    """

    day: NDArray[np.datetime64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    outcome: NDArray[np.int8]
    category: NDArray[np.int32]
    category_names: tuple[str, ...]
    bad_rows: tuple[BadRow, ...]

    def __len__(self) -> int:
        return int(self.day.size)

    def subset(self, keep: NDArray[np.bool_]) -> EventArrays:
        """The events where `keep` is true (same categories; the bad rows stay with the file they came from)."""
        return EventArrays(
            day=self.day[keep],
            lat=self.lat[keep],
            lon=self.lon[keep],
            outcome=self.outcome[keep],
            category=self.category[keep],
            category_names=self.category_names,
            bad_rows=self.bad_rows,
        )


def load_event_arrays(path: Path | str) -> EventArrays:
    """Read a whole events file into compact arrays (typed arrays while streaming, not one object per row)."""
    days, lats, lons = array("q"), array("d"), array("d")
    outcomes, categories = array("b"), array("l")
    category_codes: dict[str, int] = {}
    bad_rows: list[BadRow] = []
    for parsed in iter_rows(path):
        if isinstance(parsed, BadRow):
            bad_rows.append(parsed)
            continue
        days.append(parsed.occurred_at.date().toordinal())
        lats.append(parsed.lat)
        lons.append(parsed.lon)
        outcomes.append(OUTCOME_CODES[parsed.outcome])
        categories.append(category_codes.setdefault(parsed.category, len(category_codes)))
    epoch_ordinal = date(1970, 1, 1).toordinal()
    return EventArrays(
        day=(np.frombuffer(days, dtype=np.int64) - epoch_ordinal).astype("datetime64[D]"),
        lat=np.frombuffer(lats, dtype=np.float64).copy(),
        lon=np.frombuffer(lons, dtype=np.float64).copy(),
        outcome=np.frombuffer(outcomes, dtype=np.int8).copy(),
        category=np.asarray(categories, dtype=np.int32),
        category_names=tuple(category_codes),
        bad_rows=tuple(bad_rows),
    )
