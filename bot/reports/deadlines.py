"""Moving a report's resolution deadline: the agency needs more time, and says until when and why.

The SLA clocks are otherwise written only by `lifecycle.transition`; this is the one other writer of
`resolution_due_at`, and every move is a `DueExtension` row, so the original deadline is never lost and
officials can count extensions against the SLA.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from bot.reports.models import DueExtension, Report
from bot.reports.statuses import AWAITING_RESOLUTION, Status


class ExtensionError(ValueError):
    """The deadline cannot be moved (the report is not being worked on, or the date is not later)."""


async def extend_resolution_due(
    report: Report, to_due_at: datetime, *, actor: str, reason: str, now: datetime
) -> DueExtension:
    """Move the report's resolution deadline to `to_due_at` (later than both now and the current deadline)."""
    async with in_transaction():
        stored = await Report.select_for_update().get(id=report.id)
        current = stored.resolution_due_at
        if Status(stored.status) not in AWAITING_RESOLUTION or current is None:
            raise ExtensionError(f"report {report.id} is not awaiting resolution")
        if to_due_at <= max(now, current):
            raise ExtensionError(f"report {report.id}: {to_due_at} is not later than {max(now, current)}")
        extension = await DueExtension.create(
            report_id=report.id, from_due_at=current, to_due_at=to_due_at, actor=actor, reason=reason, created_at=now
        )
        # A new deadline: not overdue until it passes too (the extension itself is what officials count).
        await Report.filter(id=report.id).update(resolution_due_at=to_due_at, overdue=False, updated_at=now)
    report.resolution_due_at, report.overdue = to_due_at, False
    return extension


async def original_due(report: Report) -> datetime | None:
    """The deadline before any extension (the SLA's own), or the current one when it was never moved."""
    first = await DueExtension.filter(report_id=report.id).order_by("created_at", "id").first()
    return first.from_due_at if first is not None else report.resolution_due_at
