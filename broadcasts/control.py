"""A broadcast's life as officials steer it: draft, schedule, pause, resume, cancel, and its progress.

Status changes go through `broadcasts.states.BROADCASTS` (the table; the row locked while it moves), so an
official's click and a worker finishing at the same moment cannot overwrite each other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.functions import Count

from bot.storage import PhotoStorage, photo_keys
from broadcasts.compose import BroadcastSpec
from broadcasts.models import Broadcast, BroadcastStatus, Delivery, DeliveryState
from broadcasts.states import BROADCASTS, WORKER
from broadcasts.timing import QuietHours

#: The rate shown in the admin is measured over this window.
RATE_WINDOW_S = 30
#: The history's reason for an urgent send (the audit log has who).
URGENT_WHY = "urgent: sent during quiet hours too"


async def _store_photo(spec: BroadcastSpec, storage: PhotoStorage) -> str | None:
    if spec.photo_jpeg is None:
        return None
    key = photo_keys(hashlib.sha256(spec.photo_jpeg).hexdigest())[0]
    await storage.put(key, spec.photo_jpeg)
    return key


async def create_draft(spec: BroadcastSpec, storage: PhotoStorage, *, staff_id: int | None, now: datetime) -> Broadcast:
    broadcast = await Broadcast.create(
        title=spec.title,
        texts=spec.texts,
        buttons=[b.to_json() for b in spec.buttons],
        target=spec.target.to_json(),
        campaign_id=spec.campaign_id,
        photo_key=await _store_photo(spec, storage),
        status=BroadcastStatus.DRAFT,
        created_by_id=staff_id,
        created_at=now,
    )
    await BROADCASTS.born(broadcast, actor=f"staff:{staff_id}" if staff_id else WORKER, now=now)
    return broadcast


async def update_draft(broadcast: Broadcast, spec: BroadcastSpec, storage: PhotoStorage) -> bool:
    """Replace a draft's content; False when it is no longer a draft."""
    if broadcast.status != BroadcastStatus.DRAFT:
        return False
    new_key = await _store_photo(spec, storage)
    if new_key is not None or not spec.keep_photo:
        broadcast.photo_key, broadcast.photo_file_id = new_key, None
    broadcast.title, broadcast.texts, broadcast.campaign_id = spec.title, spec.texts, spec.campaign_id
    broadcast.buttons = [b.to_json() for b in spec.buttons]
    broadcast.target = spec.target.to_json()
    await broadcast.save()
    return True


async def schedule(broadcast_id: int, at: datetime, *, actor: str, now: datetime, urgent: bool = False) -> bool:
    """Draft -> scheduled for `at` (now or later); the worker's tick or an immediate job starts it. An `urgent` one
    is sent during quiet hours too."""
    why = URGENT_WHY if urgent else ""
    return await BROADCASTS.try_move(
        broadcast_id, BroadcastStatus.SCHEDULED, actor=actor, now=now, why=why, scheduled_at=at, urgent=urgent
    )


def quiet_start(broadcast: Broadcast, quiet: QuietHours, now: datetime) -> datetime | None:
    """When a scheduled or running broadcast that quiet hours hold back will start sending; None when nothing holds
    it back (not quiet then, urgent, or no longer under way)."""
    if broadcast.urgent or broadcast.status not in (BroadcastStatus.SCHEDULED, BroadcastStatus.RUNNING):
        return None
    due = max(broadcast.scheduled_at or now, now)
    starts = quiet.ends_at(due)
    return starts if starts > due else None


async def pause(broadcast_id: int, *, actor: str, now: datetime) -> bool:
    """Stop sending after the requests in flight; nothing is lost, resume continues."""
    return await BROADCASTS.try_move(broadcast_id, BroadcastStatus.PAUSED, actor=actor, now=now)


async def resume(broadcast_id: int, *, actor: str, now: datetime) -> bool:
    broadcast = await Broadcast.get_or_none(id=broadcast_id, status=BroadcastStatus.PAUSED)
    if broadcast is None:
        return False
    status = BroadcastStatus.RUNNING if broadcast.started_at else BroadcastStatus.SCHEDULED
    return await BROADCASTS.try_move(broadcast_id, status, actor=actor, now=now, heartbeat_at=None)


async def cancel(broadcast_id: int, *, actor: str, now: datetime) -> bool:
    """For good: pending deliveries stay pending and are never sent."""
    return await BROADCASTS.try_move(broadcast_id, BroadcastStatus.CANCELLED, actor=actor, now=now, finished_at=now)


async def runnable(now: datetime, stale_after: timedelta) -> list[int]:
    """Broadcasts a worker should pick up: due and scheduled, or running with no live worker.

    "No live worker" means no progress for `stale_after` (a worker killed mid-slice, a slice that
    ended waiting for quiet hours or for a dead worker's lease to run out).
    """
    not_waiting = Q(waiting_until__isnull=True) | Q(waiting_until__lte=now)
    due = Q(status=BroadcastStatus.SCHEDULED) & (Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=now))
    stale = Q(status=BroadcastStatus.RUNNING) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lte=now - stale_after))
    rows = await Broadcast.filter((due | stale) & not_waiting).order_by("id").values_list("id")
    return [int(row[0]) for row in rows]


@dataclass(frozen=True)
class Progress:
    status: str
    counts: dict[str, int]
    total: int
    finished: int
    rate_per_s: float
    eta_s: float | None
    waiting_until: datetime | None

    @property
    def percent(self) -> float:
        return 100.0 * self.finished / self.total if self.total else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "counts": self.counts,
            "total": self.total,
            "finished": self.finished,
            "percent": round(self.percent, 1),
            "rate_per_s": round(self.rate_per_s, 2),
            "eta_s": None if self.eta_s is None else round(self.eta_s),
            "waiting_until": self.waiting_until.isoformat() if self.waiting_until else None,
        }


async def progress(broadcast: Broadcast, now: datetime) -> Progress:
    rows = (
        await Delivery.filter(broadcast_id=broadcast.id)
        .annotate(n=Count("id"))
        .group_by("state")
        .values_list("state", "n")
    )
    counts = {state.value: 0 for state in DeliveryState}
    counts.update({str(state): int(n) for state, n in rows})
    total = sum(counts.values())
    finished = counts[DeliveryState.SENT] + counts[DeliveryState.BLOCKED] + counts[DeliveryState.FAILED]
    recent = await Delivery.filter(
        broadcast_id=broadcast.id, finished_at__gte=now - timedelta(seconds=RATE_WINDOW_S)
    ).count()
    running = broadcast.status == BroadcastStatus.RUNNING
    rate_per_s = recent / RATE_WINDOW_S if running else 0.0
    remaining = counts[DeliveryState.PENDING] + counts[DeliveryState.SENDING]
    eta_s = remaining / rate_per_s if rate_per_s > 0 else None
    return Progress(broadcast.status, counts, total, finished, rate_per_s, eta_s, broadcast.waiting_until)
