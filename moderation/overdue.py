"""Overdue reports: marking the ones whose SLA clock ran out (the clocks themselves: bot/reports/sla.py).

Each flag is published as a `report.overdue` domain event in the same transaction, so other features (the
field crews' agency supervisors) escalate it too, without knowing about moderation.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.events import EventKind, publish
from bot.reports.models import Report
from bot.reports.statuses import AWAITING_MODERATION, AWAITING_RESOLUTION

SYSTEM_ACTOR = "system:sla"


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
        async with in_transaction():
            # The conditional update is the lock: of two racing runs, only one flips each flag.
            if not await Report.filter(id=report_id, overdue=False).update(overdue=True):
                continue
            report = await Report.get(id=report_id)
            await record(SYSTEM_ACTOR, EventTag.REPORT_ESCALATE, now=now, report=report)
            await _publish(report, now)
        flagged.append(report_id)
    return flagged


async def _publish(report: Report, now: datetime) -> None:
    stage = "moderation" if report.moderation_due_at is not None else "resolution"
    due = report.moderation_due_at or report.resolution_due_at
    due_text = due.isoformat() if due is not None else ""
    payload = {"report_id": report.id, "stage": stage, "due_at": due_text}
    await publish(
        f"report.overdue:{report.id}:{due_text}", EventKind.REPORT_OVERDUE, payload, actor=SYSTEM_ACTOR, now=now
    )
