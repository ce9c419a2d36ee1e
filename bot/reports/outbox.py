"""The status-change outbox: every `StatusChange` row is an entry until each feature has reacted to it.

`lifecycle.transition` writes the change in the report's own transaction, so a change exists if and
only if it committed. A relay (`bot.jobs.relay_changes`, in every worker) claims unreacted changes for
a lease and queues one reaction job per change; the job runs each feature's reaction that is not
recorded as done yet, records it, and finally marks the change reacted. Nothing is lost when Redis
is away (the claim is released, the next round retries) or a process dies (the lease runs out and
another relay claims the change again); a reaction recorded as done never runs a second time.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from bot.reports.models import ReactionDone, StatusChange


def _claimable(now: datetime) -> Q:
    return Q(reacted_at__isnull=True) & (Q(react_claimed_until__isnull=True) | Q(react_claimed_until__lt=now))


async def claim_changes(now: datetime, lease: timedelta, limit: int) -> list[int]:
    """Claim up to `limit` unreacted changes (oldest first) for `lease`; another relay's live claim is skipped."""
    candidates = await StatusChange.filter(_claimable(now)).order_by("id").limit(limit).values("id")
    claimed = []
    for change_id in (int(row["id"]) for row in candidates):
        # The conditional update is the lock: of two relays racing for a change, one wins.
        if await StatusChange.filter(_claimable(now), id=change_id).update(react_claimed_until=now + lease):
            claimed.append(change_id)
    return claimed


async def release_claim(change_id: int) -> None:
    """The reaction job could not be queued: let the next round claim the change at once."""
    await StatusChange.filter(id=change_id, reacted_at__isnull=True).update(react_claimed_until=None)


async def reactions_done(change_id: int) -> set[str]:
    return {str(row["reaction"]) for row in await ReactionDone.filter(change_id=change_id).values("reaction")}


async def record_done(change_id: int, reaction: str, now: datetime) -> None:
    with suppress(IntegrityError):  # a concurrent run of the same job recorded it first
        await ReactionDone.create(change_id=change_id, reaction=reaction, done_at=now)


async def mark_reacted(change_id: int, now: datetime) -> None:
    await StatusChange.filter(id=change_id).update(reacted_at=now, react_claimed_until=None)
