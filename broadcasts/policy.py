"""Broadcast policies built from Settings: quiet hours, the education-day schedule, delivery knobs."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.config import Settings
from broadcasts.delivery import DeliveryPolicy
from broadcasts.timing import EducationSchedule, QuietHours


def local_zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.local_timezone)


def quiet_hours(settings: Settings) -> QuietHours:
    return QuietHours(settings.quiet_hours_start, settings.quiet_hours_end, local_zone(settings))


def education_schedule(settings: Settings) -> EducationSchedule:
    return EducationSchedule(settings.education_day_of_month, settings.education_send_time, local_zone(settings))


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        quiet=quiet_hours(settings),
        default_locale=settings.default_locale,
        concurrency=settings.broadcast_concurrency,
        lease_s=settings.broadcast_lease_s,
        max_attempts=settings.broadcast_max_attempts,
        slice_s=settings.broadcast_slice_s,
    )
