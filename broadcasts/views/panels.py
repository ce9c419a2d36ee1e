"""Broadcasts' panels on the kernel's pages: the start page's "home" slot (what is about to go out)."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from broadcasts.models import Broadcast, BroadcastStatus

SHOWN = 5
UNDER_WAY = (BroadcastStatus.SCHEDULED, BroadcastStatus.RUNNING, BroadcastStatus.PAUSED)


async def home(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """Slot "home": the broadcasts scheduled, sending, paused or waiting for quiet hours to end, soonest first."""
    under_way = Broadcast.filter(status__in=[str(status) for status in UNDER_WAY])
    total = await under_way.count()
    shown = await under_way.order_by("scheduled_at", "id").limit(SHOWN)
    return {"total": total, "broadcasts": shown, "now": services.clock()}
