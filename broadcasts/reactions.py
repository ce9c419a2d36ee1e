"""What broadcasts does when another part of the product publishes a domain event."""

from __future__ import annotations

import logging

from bot.events import DomainEvent, EventKind
from bot.features import EventReaction
from bot.services import Services
from broadcasts.grid_scope import WarningRequest, create_requested, grid_target, place_subscribers
from broadcasts.models import BroadcastStatus

log = logging.getLogger(__name__)
RUN_JOB = "broadcasts.run"


async def send_requested_warning(services: Services, event: DomainEvent) -> None:
    """`broadcast.requested`: a warning to the residents subscribed in a grid scope, sent at once (one broadcast
    per event however often this runs; a request that breaks the payload contract is logged and dropped)."""
    request = WarningRequest.from_payload(event.payload)
    target = grid_target(request.scope, services.grid) if request is not None else None
    if request is None or target is None:
        log.warning("broadcast.requested %s: no usable scope or text in its payload; nothing sent", event.key)
        return
    await place_subscribers(services.grid)
    broadcast = await create_requested(f"event:{event.id}", request, target, services.clock())
    if broadcast.status == BroadcastStatus.SCHEDULED:
        # The minute tick would start it too; a warning should not wait for it.
        await services.redis.enqueue_job(RUN_JOB, broadcast.id, 0, _job_id=f"{RUN_JOB}:{broadcast.id}:start")


EVENT_REACTIONS = (
    EventReaction(EventKind.BROADCAST_REQUESTED, "broadcasts.send_requested_warning", send_requested_warning),
)
