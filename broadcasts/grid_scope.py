"""Warnings to a grid scope that another feature asked for with `broadcast.requested` (bot/events.py).

The payload names the scope (a cell, street or district key of the city's grid, or "city"), the texts per
language, a title for the officials' list, who asked and why. The broadcast is created scheduled for now under
a key derived from the event, so the reaction running twice makes one broadcast; it then goes through the
broadcasts' own state machine and delivery like any letter. Its target reaches the residents subscribed in the
scope (broadcasts/targeting.py): their place is re-placed on the current grid first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from bot.admin.models import StaffUser
from bot.city.grid import Grid
from broadcasts.message import MAX_TEXT_CHARS, Button, ButtonKind, unix_lines
from broadcasts.models import Broadcast, BroadcastStatus, Subscriber
from broadcasts.states import BROADCASTS, WORKER
from broadcasts.targeting import CITY_SCOPE, Target, TargetKind

PLACE_BATCH = 2000


@dataclass(frozen=True)
class WarningRequest:
    scope: str
    texts: dict[str, str]
    title: str
    requested_by: int | None
    origin: str
    urgent: bool = False  #: sent during quiet hours too (the payload's "urgent")

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> WarningRequest | None:
        """The request, or None when the payload breaks the contract (no scope, no text)."""
        texts = payload.get("texts")
        scope = payload.get("scope")
        if not isinstance(scope, str) or not scope or not isinstance(texts, dict):
            return None
        clean = {
            str(locale): unix_lines(str(text)).strip()[:MAX_TEXT_CHARS]
            for locale, text in texts.items()
            if str(text).strip()
        }
        if not clean:
            return None
        by = payload.get("requested_by")
        return cls(
            scope=scope,
            texts=clean,
            title=str(payload.get("title") or scope)[:128],
            requested_by=by if isinstance(by, int) else None,
            origin=str(payload.get("origin") or "")[:100],
            urgent=payload.get("urgent") is True,
        )


def _inside(grid: Grid, key: str) -> set[str]:
    found, todo = set(), [key]
    while todo:
        children = grid.children(todo.pop())
        found.update(children)
        todo.extend(children)
    return found


def grid_target(scope: str, grid: Grid) -> Target | None:
    """The target for a scope of `grid`; None when the grid has no such unit."""
    if scope == CITY_SCOPE:
        return Target(TargetKind.GRID, scope=CITY_SCOPE)
    if grid.level(scope) is None:
        return None
    return Target(TargetKind.GRID, scope=scope, units=tuple(sorted({scope, *_inside(grid, scope)})))


async def place_subscribers(grid: Grid) -> int:
    """Put every subscriber's place on `grid` again (it may have changed since they shared it); how many moved."""
    moved, last_id = 0, 0
    while True:
        rows = (
            await Subscriber.filter(id__gt=last_id, lat__isnull=False, lon__isnull=False)
            .order_by("id")
            .limit(PLACE_BATCH)
        )
        if not rows:
            return moved
        places = grid.locate_many([row.lat or 0.0 for row in rows], [row.lon or 0.0 for row in rows])
        changed = []
        for row, where in zip(rows, places, strict=True):
            if (row.area, row.street, row.cell) != (where.district, where.street, where.cell):
                row.area, row.street, row.cell = where.district, where.street, where.cell
                changed.append(row)
        if changed:
            await Subscriber.bulk_update(changed, fields=["area", "street", "cell"])
        moved += len(changed)
        last_id = rows[-1].id


async def create_requested(key: str, request: WarningRequest, target: Target, now: datetime) -> Broadcast:
    """The broadcast for one request, scheduled now (the existing one when the request was handled before)."""
    existing = await Broadcast.get_or_none(key=key)
    if existing is not None:
        return existing
    staff_id = (
        request.requested_by if request.requested_by and await StaffUser.exists(id=request.requested_by) else None
    )
    try:
        broadcast = await Broadcast.create(
            key=key,
            title=request.title,
            texts=request.texts,
            buttons=[Button(ButtonKind.REPORT).to_json()],
            target=target.to_json(),
            status=BroadcastStatus.SCHEDULED,
            scheduled_at=now,
            urgent=request.urgent,
            created_by_id=staff_id,
            created_at=now,
        )
    except IntegrityError:  # the same request handled concurrently
        return await Broadcast.get(key=key)
    actor = f"staff:{staff_id}" if staff_id else WORKER
    await BROADCASTS.born(broadcast, actor=actor, now=now, why=request.origin or "broadcast.requested")
    return broadcast
