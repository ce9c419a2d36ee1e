"""GET requests and servicerequestupdates: the query arguments of the spec (and its paging extension), checked.

Defaults follow GeoReport v2: the most recent 90 days, at most 1000 requests; a range may not span more than
90 days. `service_request_id` (a comma-separated list) overrides every other argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from opendata import errors
from opendata.errors import Open311Error

WINDOW = timedelta(days=90)
MAX_PAGE_SIZE = 1000
MAX_IDS = 1000
STATUSES = ("open", "closed")


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[int, ...]  #: when given, the other filters are ignored
    service_codes: tuple[str, ...]
    statuses: tuple[str, ...]
    window: Window
    page: int
    page_size: int


def _given(params: Mapping[str, str], name: str) -> str:
    """An empty argument means the same as a missing one (the spec's "optional arguments")."""
    return params.get(name, "").strip()


def parse_date(params: Mapping[str, str], name: str) -> datetime | None:
    text = _given(params, name)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Open311Error(400, errors.BAD_DATE, name=name) from None
    if moment.tzinfo is None:
        raise Open311Error(400, errors.BAD_DATE, name=name)
    return moment


def parse_window(params: Mapping[str, str], now: datetime) -> Window:
    start, end = parse_date(params, "start_date"), parse_date(params, "end_date")
    if start is None and end is None:
        return Window(now - WINDOW, now)
    if start is None:
        assert end is not None
        return Window(end - WINDOW, end)
    if end is None:
        end = min(start + WINDOW, max(now, start))
    if start > end:
        raise Open311Error(400, errors.RANGE_BACKWARDS)
    if end - start > WINDOW:
        raise Open311Error(400, errors.RANGE_TOO_LONG)
    return Window(start, end)


def parse_int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = _given(params, name)
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise Open311Error(400, errors.BAD_NUMBER, name=name, low=low, high=high)
    return int(text)


def _list(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in _given(params, name).split(",") if part.strip()))


def parse_request_query(params: Mapping[str, str], known_codes: set[str], now: datetime) -> RequestQuery:
    ids_text = _list(params, "service_request_id")
    if not all(part.isdigit() for part in ids_text) or len(ids_text) > MAX_IDS:
        raise Open311Error(400, errors.BAD_ID_LIST)
    codes = _list(params, "service_code")
    unknown = [code for code in codes if code not in known_codes]
    if unknown and not ids_text:
        raise Open311Error(404, errors.UNKNOWN_SERVICE, code=unknown[0])
    statuses = _list(params, "status")
    if any(status not in STATUSES for status in statuses):
        raise Open311Error(400, errors.BAD_STATUS)
    return RequestQuery(
        ids=tuple(int(part) for part in ids_text),
        service_codes=codes,
        statuses=statuses,
        window=parse_window(params, now),
        page=parse_int(params, "page", 1, 1, 1_000_000),
        page_size=parse_int(params, "page_size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


@dataclass(frozen=True)
class UpdatesQuery:
    window: Window
    page: int
    page_size: int


def parse_updates_query(params: Mapping[str, str], now: datetime) -> UpdatesQuery:
    return UpdatesQuery(
        window=parse_window(params, now),
        page=parse_int(params, "page", 1, 1, 1_000_000),
        page_size=parse_int(params, "page_size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )
