"""SLA clocks: when a report is due, first for moderation, then for resolution.

The due dates are written by `lifecycle.transition`, inside the status change's own transaction, so
the queue sorts on stored columns and no change is ever left unstamped; the agency's "need more time" moves
the resolution deadline through `deadlines.extend_resolution_due`, which records each move.
Invariant: `moderation_due_at` is set only while a report awaits moderation and `resolution_due_at`
from acceptance on, so "the current due time" is the first non-null of the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.reports.models import Report
from bot.reports.statuses import AWAITING_MODERATION, AWAITING_RESOLUTION, Status


@dataclass(frozen=True)
class SlaRules:
    moderation_due: timedelta = timedelta(hours=24)
    resolution_due: timedelta = timedelta(days=7)
    per_category: dict[str, tuple[timedelta, timedelta]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> SlaRules:
        moderation, resolution = timedelta(hours=settings.moderation_due_h), timedelta(days=settings.resolution_due_d)
        per_category = {
            category: (
                timedelta(hours=override.get("moderation_due_h", settings.moderation_due_h)),
                timedelta(days=override.get("resolution_due_d", settings.resolution_due_d)),
            )
            for category, override in settings.category_sla.items()
        }
        return cls(moderation, resolution, per_category)

    def for_category(self, category: str) -> tuple[timedelta, timedelta]:
        return self.per_category.get(category, (self.moderation_due, self.resolution_due))


def due_fields(category: str, came_from: Status | None, to: Status, since: datetime, rules: SlaRules) -> dict[str, Any]:
    """The SLA columns a change sets (pure): clocks start, pause or stop with the status."""
    moderation, resolution = rules.for_category(category)
    if to in AWAITING_MODERATION:
        return {"moderation_due_at": since + moderation, "overdue": False}
    if to is Status.NEEDS_INFO:  # the clock waits for the reporter, not for us
        return {"moderation_due_at": None, "overdue": False}
    if to in AWAITING_RESOLUTION:
        if came_from in AWAITING_RESOLUTION:
            return {"moderation_due_at": None}  # a hand-over between agencies keeps the clock running
        return {"moderation_due_at": None, "resolution_due_at": since + resolution, "overdue": False}
    return {"moderation_due_at": None, "overdue": False}  # fixed or closed: nothing is due


def current_due(report: Report) -> datetime | None:
    return report.moderation_due_at or report.resolution_due_at
