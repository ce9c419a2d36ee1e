"""A draft's row: created, changed and ended safely against a concurrent or repeated step.

Every change is one UPDATE guarded by the version the step read (`last_update_id`, the update that last
changed the draft) and sets the version to the current update: two steps racing for one draft (two
processes, a lease lost to a stalled process) cannot both win, and a replayed update finds its own id
there and changes nothing again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from bot.reports.models import Draft, Photo, Resident


@dataclass(frozen=True)
class Turn:
    """One input from a resident: the update it came in (None: not from an update) and when."""

    update_id: int | None
    now: datetime


class DraftChangedError(Exception):
    """Another step changed (or ended) the draft since this one read it."""


async def save_draft(draft: Draft, turn: Turn, **changes: Any) -> None:
    """Write `changes` (and the activity time) if the draft is still as this step read it."""
    changes.update(touched_at=turn.now, last_update_id=turn.update_id)
    if not await Draft.filter(id=draft.id, last_update_id=draft.last_update_id).update(**changes):
        raise DraftChangedError
    for name, value in changes.items():
        setattr(draft, name, value)


async def end_draft(draft: Draft) -> bool:
    """Delete the draft and its unfiled photo rows if it is still as read; False when someone else ended or
    changed it first. Stored files are content-addressed and may be shared: they stay."""
    try:
        async with in_transaction():
            # The photos first: deleting the draft first would orphan them (their link is ON DELETE SET NULL).
            await Photo.filter(draft_id=draft.id, report_id=None).delete()
            await delete_draft_as_read(draft)
    except DraftChangedError:
        return False
    return True


async def delete_draft_as_read(draft: Draft) -> None:
    """Inside a transaction: delete the draft if no other step changed it, else raise (rolling it back)."""
    if not await Draft.filter(id=draft.id, last_update_id=draft.last_update_id).delete():
        raise DraftChangedError


async def replace_draft(resident: Resident, old: Draft | None, turn: Turn, **fields: Any) -> Draft:
    """A new draft for the resident in place of `old` (if any), versioned by this update."""
    async with in_transaction():
        if old is not None:
            await Photo.filter(draft_id=old.id, report_id=None).delete()
            await Draft.filter(id=old.id).delete()
        return await Draft.create(
            resident=resident, touched_at=turn.now, last_update_id=turn.update_id, step=fields.pop("step"), **fields
        )


def is_expired(draft: Draft, now: datetime, ttl: timedelta) -> bool:
    return draft.touched_at < now - ttl


async def expire_drafts(now: datetime, ttl: timedelta) -> list[tuple[int, str]]:
    """End drafts untouched for `ttl`; return (chat_id, language) of each resident to tell."""
    stale = await Draft.filter(touched_at__lt=now - ttl).prefetch_related("resident")
    told: list[tuple[int, str]] = []
    for draft in stale:
        if await end_draft(draft):  # the resident may have just moved it on: then it is not stale
            told.append((draft.resident.chat_id, draft.resident.language))
    return told
