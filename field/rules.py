"""The field's settings as one typed value the domain is passed (built from Settings by the transports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings

ALL = "*"


@dataclass(frozen=True)
class FieldRules:
    zone: ZoneInfo
    after_photo_categories: frozenset[str] = frozenset({ALL})
    grid_verify_categories: frozenset[str] = frozenset()
    verification_window: timedelta = timedelta(hours=72)
    reminder_before_due: timedelta = timedelta(hours=24)
    max_extension: timedelta = timedelta(days=60)
    patrol_idle: timedelta = timedelta(hours=2)
    question_ttl: timedelta = timedelta(minutes=30)  #: a crew member's unanswered question lapses (DRAFT_TTL_MIN)

    @classmethod
    def from_settings(cls, settings: Settings) -> FieldRules:
        return cls(
            zone=ZoneInfo(settings.local_timezone),
            after_photo_categories=frozenset(settings.after_photo_categories),
            grid_verify_categories=frozenset(settings.grid_verify_categories),
            verification_window=timedelta(hours=settings.verification_window_h),
            reminder_before_due=timedelta(hours=settings.crew_reminder_before_due_h),
            max_extension=timedelta(days=settings.max_due_extension_d),
            patrol_idle=timedelta(minutes=settings.patrol_idle_min),
            question_ttl=timedelta(minutes=settings.draft_ttl_min),
        )

    def needs_after_photo(self, category: str) -> bool:
        return ALL in self.after_photo_categories or category in self.after_photo_categories

    def needs_grid_check(self, category: str) -> bool:
        return ALL in self.grid_verify_categories or category in self.grid_verify_categories

    def local(self, moment: datetime) -> str:
        """How crews and supervisors read a time: local, with the zone's name."""
        return f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M} ({self.zone.key})"

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()
