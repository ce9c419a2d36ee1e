"""Overdue reports: marking the ones whose SLA clock ran out (the clocks themselves: bot/reports/sla.py)."""

from __future__ import annotations

from datetime import datetime

from bot.admin.audit import EventTag, record
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
        # The conditional update is the lock: of two racing runs, only one flips each flag.
        if await Report.filter(id=report_id, overdue=False).update(overdue=True):
            flagged.append(report_id)
            await record(SYSTEM_ACTOR, EventTag.REPORT_ESCALATE, now=now, report=await Report.get(id=report_id))
    return flagged
