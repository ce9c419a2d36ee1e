"""Moderation's panels on the kernel's pages: the start page's "home" slot (what waits for the reader)."""

from __future__ import annotations

from typing import Any

from bot.admin.accounts import Role, has_role
from bot.admin.models import StaffUser
from bot.reports.statuses import Status
from bot.services import Services
from moderation.queue import QueueFilter, View, count_in_view


async def home(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """Slot "home", params `staff`: the reports waiting for their decision (and how many are late), those waiting
    for the reporter's answer, and for officials the accepted ones nobody has dispatched and the late open ones."""
    staff = params.get("staff")
    if not isinstance(staff, StaffUser):
        return None
    queue = await count_in_view(staff, QueueFilter(status=View.QUEUE))
    tiles = {
        "queue": queue,
        "queue_overdue": await count_in_view(staff, QueueFilter(status=View.QUEUE, overdue=True)) if queue else 0,
        "needs_info": await count_in_view(staff, QueueFilter(status=Status.NEEDS_INFO.value)),
    }
    if has_role(staff, Role.OFFICIAL):
        tiles["undispatched"] = await count_in_view(staff, QueueFilter(status=Status.ACCEPTED.value))
        tiles["open_overdue"] = await count_in_view(staff, QueueFilter(status=View.OPEN, overdue=True))
    return {"tiles": tiles}
