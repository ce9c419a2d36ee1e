"""When bulletins are due: the last full local week once Monday 09:00 has passed, the last month from the 1st."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from risk.bulletin import due_periods

SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = time(9, 0)


def periods_at(moment: datetime) -> dict[str, tuple[date, date]]:
    return {p.kind: (p.first_day, p.end_day) for p in due_periods(moment, SHANGHAI, 0, NINE)}


def test_monday_before_nine_still_means_the_week_before_last() -> None:
    at_8_59 = datetime(2026, 11, 23, 0, 59, tzinfo=UTC)  # Monday 08:59 in Shanghai
    assert periods_at(at_8_59)["week"] == (date(2026, 11, 9), date(2026, 11, 16))


def test_from_monday_nine_the_last_week_is_due() -> None:
    at_nine = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert periods_at(at_nine)["week"] == (date(2026, 11, 16), date(2026, 11, 23))
    on_sunday = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # Sunday 23:00 local: still that week's bulletin
    assert periods_at(on_sunday)["week"] == (date(2026, 11, 16), date(2026, 11, 23))


def test_the_monthly_edition_is_due_from_the_firsts_send_time() -> None:
    before = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 1 December, 08:00 local
    after = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert periods_at(before)["month"] == (date(2026, 10, 1), date(2026, 11, 1))
    assert periods_at(after)["month"] == (date(2026, 11, 1), date(2026, 12, 1))


def test_periods_begin_at_local_midnight() -> None:
    [week, _] = due_periods(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), SHANGHAI, 0, NINE)
    assert week.start == datetime(2026, 11, 15, 16, 0, tzinfo=UTC) and week.end == datetime(
        2026, 11, 22, 16, 0, tzinfo=UTC
    )
