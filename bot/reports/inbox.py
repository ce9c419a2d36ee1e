"""The update inbox: every Telegram update is written down before the webhook answers 200.

Telegram forgets an update once we answer 200, and PTB's queue lives in one process's memory, so an
update is stored first; the handler claims it when it starts (a claim also drops a redelivered
update, and a second process's copy). An update a crashed process stored but never started is
"stranded": any web process feeds it again. At most once, never lost before it starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from bot.reports.models import ProcessedUpdate


async def record_update(body: dict[str, Any], now: datetime) -> bool:
    """Store an update from Telegram; False when this update id was stored before (a redelivery)."""
    try:
        await ProcessedUpdate.create(update_id=int(body["update_id"]), body=body, received_at=now)
    except IntegrityError:
        return False
    return True


async def claim_update(update_id: int, now: datetime) -> bool:
    """Start handling an update; False when it was started already (here or by another process).

    The stored body goes: a started update is never fed again. Updates that never passed through the
    inbox (long polling) are claimed by creating their row."""
    if await ProcessedUpdate.filter(update_id=update_id, started_at__isnull=True).update(started_at=now, body=None):
        return True
    try:
        await ProcessedUpdate.create(update_id=update_id, received_at=now, started_at=now)
    except IntegrityError:
        return False
    return True


async def stranded_updates(now: datetime, after_s: int) -> list[dict[str, Any]]:
    """Bodies of updates stored more than `after_s` ago and never started, oldest first."""
    stranded = ProcessedUpdate.filter(
        started_at__isnull=True, body__isnull=False, received_at__lt=now - timedelta(seconds=after_s)
    )
    return [row.body for row in await stranded.order_by("update_id") if row.body is not None]


async def forget_old_updates(now: datetime, keep_h: int = 48) -> int:
    """Telegram redelivers for at most a day; older ids need not be remembered."""
    return await ProcessedUpdate.filter(received_at__lt=now - timedelta(hours=keep_h)).delete()
