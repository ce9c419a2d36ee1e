"""SLA clocks: when a report is due (moderation, then resolution), and marking the ones that ran out.

Due dates are stamped by a lifecycle listener at every change, so the queue sorts on stored columns.
Invariant: `moderation_due_at` is set only while a report awaits moderation and `resolution_due_at`
from acceptance on, so "the current due time" is the first non-null of the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.admin.audit import EventTag, record
from bot.config import Settings
from bot.reports.lifecycle import AWAITING_MODERATION, AWAITING_RESOLUTION, Status
from bot.reports.models import Report, StatusChange

SYSTEM_ACTOR = "system:sla"


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


def due_fields(report: Report, change: StatusChange, rules: SlaRules) -> dict[str, Any]:
    """The SLA columns a change sets (pure): clocks start, pause or stop with the status."""
    to, since = Status(change.to_status), change.changed_at
    moderation, resolution = rules.for_category(report.category)
    came_from = Status(change.from_status) if change.from_status else None
    if to in AWAITING_MODERATION:
        return {"moderation_due_at": since + moderation, "overdue": False}
    if to is Status.NEEDS_INFO:  # the clock waits for the reporter, not for us
        return {"moderation_due_at": None, "overdue": False}
    if to in AWAITING_RESOLUTION:
        if came_from in AWAITING_RESOLUTION:
            return {"moderation_due_at": None}  # a hand-over between agencies keeps the clock running
        return {"moderation_due_at": None, "resolution_due_at": since + resolution, "overdue": False}
    return {"moderation_due_at": None, "overdue": False}  # fixed or closed: nothing is due


async def stamp(report: Report, change: StatusChange, rules: SlaRules) -> None:
    """Lifecycle listener: write the due dates for the report's new status."""
    fields = due_fields(report, change, rules)
    await Report.filter(id=report.id).update(**fields)
    for name, value in fields.items():
        setattr(report, name, value)


def current_due(report: Report) -> datetime | None:
    return report.moderation_due_at or report.resolution_due_at


async def mark_overdue(now: datetime) -> list[int]:
    """Flag reports whose clock ran out; returns only the ones flagged by this call (idempotent)."""
    late_moderation = Report.filter(status__in=AWAITING_MODERATION, moderation_due_at__lt=now, overdue=False)
    late_resolution = Report.filter(status__in=AWAITING_RESOLUTION, resolution_due_at__lt=now, overdue=False)
    candidates = [
        *await late_moderation.values("id"),
        *await late_resolution.values("id"),
    ]
    flagged: list[int] = []
    for report_id in sorted({int(row["id"]) for row in candidates}):
        # The conditional update is the lock: of two racing runs, only one flips each flag.
        if await Report.filter(id=report_id, overdue=False).update(overdue=True):
            flagged.append(report_id)
            await record(SYSTEM_ACTOR, EventTag.REPORT_ESCALATE, now=now, report=await Report.get(id=report_id))
    return flagged
