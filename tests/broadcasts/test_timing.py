"""Quiet hours and the education day's schedule in local time (pure functions, Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from broadcasts.timing import EducationSchedule, QuietHours, local_datetime

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET = QuietHours(time(22, 0), time(8, 0), SHANGHAI)
EDU = EducationSchedule(5, time(10, 0), SHANGHAI)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


class TestQuietHours:
    @pytest.mark.parametrize(
        ("hour", "minute", "quiet"),
        [(21, 59, False), (22, 0, True), (23, 30, True), (0, 0, True), (7, 59, True), (8, 0, False), (10, 0, False)],
    )
    def test_wrapping_window(self, hour: int, minute: int, quiet: bool) -> None:
        """22:00-08:00 local is quiet, start included, end excluded."""
        assert QUIET.active(local(2026, 11, 23, hour, minute)) is quiet

    def test_ends_at_the_next_morning(self) -> None:
        """From 23:00 sending resumes at 08:00 local the next day."""
        assert QUIET.ends_at(local(2026, 11, 23, 23, 0)) == local(2026, 11, 24, 8, 0)

    def test_ends_at_the_same_morning_after_midnight(self) -> None:
        assert QUIET.ends_at(local(2026, 11, 24, 3, 0)) == local(2026, 11, 24, 8, 0)

    def test_equal_start_and_end_disable_it(self) -> None:
        assert not QuietHours(time(0, 0), time(0, 0), SHANGHAI).active(local(2026, 11, 23, 3, 0))

    def test_a_daytime_window(self) -> None:
        """A window that does not wrap midnight (12:00-14:00)."""
        lunch = QuietHours(time(12, 0), time(14, 0), SHANGHAI)
        assert lunch.active(local(2026, 11, 23, 13, 0)) and not lunch.active(local(2026, 11, 23, 14, 0))


class TestEducationSchedule:
    def test_due_from_ten_on_the_fifth(self) -> None:
        """On the 5th from 10:00 local the month's key is due, all that day."""
        assert EDU.due_month(local(2026, 12, 5, 10, 0)) == "2026-12"
        assert EDU.due_month(local(2026, 12, 5, 23, 59)) == "2026-12"

    @pytest.mark.parametrize("moment", [(2026, 12, 5, 9, 59), (2026, 12, 4, 10, 0), (2026, 12, 6, 10, 0)])
    def test_not_due_otherwise(self, moment: tuple[int, int, int, int, int]) -> None:
        assert EDU.due_month(local(*moment)) is None

    def test_the_fifth_in_shanghai_is_still_the_fourth_in_utc(self) -> None:
        """02:00 UTC on the 5th is 10:00 in Shanghai: due, whatever the server's zone."""
        assert EDU.due_month(datetime(2026, 12, 5, 2, 0, tzinfo=UTC)) == "2026-12"

    def test_next_send_rolls_over_the_year(self) -> None:
        assert EDU.next_send(local(2026, 12, 5, 10, 1)) == local(2027, 1, 5, 10, 0)

    def test_days_missing_from_some_months_are_refused(self) -> None:
        with pytest.raises(ValueError, match="every month"):
            EducationSchedule(31, time(10, 0), SHANGHAI)


def test_datetime_local_input_is_read_in_the_local_zone() -> None:
    assert local_datetime("2026-12-05T10:00", SHANGHAI) == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
