"""The outbox: every `StatusChange` and every `DomainEvent` row is an entry until each feature has reacted.

`lifecycle.transition` writes a change (and `bot.events.publish` an event) in the caller's own transaction,
so an entry exists if and only if it committed. A relay (`bot.jobs.relay_changes`, in every worker) claims
unreacted entries for a lease and queues one reaction job per entry; the job runs each feature's reaction
that is not recorded as done yet, records it, and finally marks the entry reacted. Nothing is lost when
Redis is away (the claim is released, the next round retries) or a process dies (the lease runs out and
another relay claims the entry again); a reaction recorded as done never runs a second time.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from bot.events import DomainEvent, EventReactionDone
from bot.reports.models import ReactionDone, StatusChange

Entry = type[StatusChange] | type[DomainEvent]


def _claimable(now: datetime) -> Q:
    return Q(reacted_at__isnull=True) & (Q(react_claimed_until__isnull=True) | Q(react_claimed_until__lt=now))


async def claim_entries(model: Entry, now: datetime, lease: timedelta, limit: int) -> list[int]:
    """Claim up to `limit` unreacted entries (oldest first) for `lease`; another relay's live claim is skipped."""
    candidates = await model.filter(_claimable(now)).order_by("id").limit(limit).values("id")
    claimed = []
    for entry_id in (int(row["id"]) for row in candidates):
        # The conditional update is the lock: of two relays racing for an entry, one wins.
        if await model.filter(_claimable(now), id=entry_id).update(react_claimed_until=now + lease):
            claimed.append(entry_id)
    return claimed


async def release_entry(model: Entry, entry_id: int) -> None:
    """The reaction job could not be queued: let the next round claim the entry at once."""
    await model.filter(id=entry_id, reacted_at__isnull=True).update(react_claimed_until=None)


async def mark_entry_reacted(model: Entry, entry_id: int, now: datetime) -> None:
    await model.filter(id=entry_id).update(reacted_at=now, react_claimed_until=None)


async def claim_changes(now: datetime, lease: timedelta, limit: int) -> list[int]:
    return await claim_entries(StatusChange, now, lease, limit)


async def release_claim(change_id: int) -> None:
    await release_entry(StatusChange, change_id)


async def mark_reacted(change_id: int, now: datetime) -> None:
    await mark_entry_reacted(StatusChange, change_id, now)


async def reactions_done(change_id: int) -> set[str]:
    return {str(row["reaction"]) for row in await ReactionDone.filter(change_id=change_id).values("reaction")}


async def record_done(change_id: int, reaction: str, now: datetime) -> None:
    with suppress(IntegrityError):  # a concurrent run of the same job recorded it first
        await ReactionDone.create(change_id=change_id, reaction=reaction, done_at=now)


async def event_reactions_done(event_id: int) -> set[str]:
    return {str(row["reaction"]) for row in await EventReactionDone.filter(event_id=event_id).values("reaction")}


async def record_event_done(event_id: int, reaction: str, now: datetime) -> None:
    with suppress(IntegrityError):
        await EventReactionDone.create(event_id=event_id, reaction=reaction, done_at=now)
