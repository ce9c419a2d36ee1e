"""Local time for broadcasts: quiet hours (when nothing is sent) and the monthly education day's schedule.

Everything takes an aware `now` (UTC in the database) and converts to the configured zone, so a
server in any timezone behaves the same and tests move time with a FrozenClock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """[start, end) in local time; start > end wraps midnight (22:00-08:00), start == end disables it."""

    start: time
    end: time
    zone: ZoneInfo

    def active(self, now: datetime) -> bool:
        local = now.astimezone(self.zone).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_at(self, now: datetime) -> datetime:
        """The first moment at or after `now` outside quiet hours (`now` itself when not quiet)."""
        if not self.active(now):
            return now
        local = now.astimezone(self.zone)
        end = datetime.combine(local.date(), self.end, tzinfo=self.zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=self.zone)
        return end.astimezone(UTC)


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class EducationSchedule:
    """The education day: `day` of every month at `at` local time, with catch-up until that day ends."""

    day: int
    at: time
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if not 1 <= self.day <= 28:
            raise ValueError("the education day must exist in every month (1..28)")

    def due_month(self, now: datetime) -> str | None:
        """The month key ("2026-12") whose message is due at `now`, or None.

        Due from the send time until local midnight, so a worker that was down at 10:00 still sends
        that day. The broadcast key made from it keeps the send to once per month.
        """
        local = now.astimezone(self.zone)
        if local.day != self.day or local.time() < self.at:
            return None
        return month_key(local.year, local.month)

    def next_send(self, now: datetime) -> datetime:
        """When the next education-day message goes out (for the admin calendar)."""
        local = now.astimezone(self.zone)
        year, month = local.year, local.month
        for _ in range(13):
            candidate = datetime.combine(date(year, month, self.day), self.at, tzinfo=self.zone)
            if candidate >= local:
                return candidate.astimezone(UTC)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise AssertionError("unreachable: the day exists in every month")


def local_datetime(value: str, zone: ZoneInfo) -> datetime:
    """Parse an <input type=datetime-local> value ("2026-12-05T10:00") as local time, return UTC."""
    naive = datetime.fromisoformat(value)
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=zone).astimezone(UTC)
