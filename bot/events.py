"""Domain events: what one feature tells the others (a cell turned red, an incident was recorded, an
official asked for a warning broadcast), durably, through the same outbox as status changes.

`publish` writes the event in the caller's transaction, under a deterministic `key`: publishing the same
fact twice stores one event. A relay (bot.jobs) hands each event to every feature's `EventReaction` for its
kind, records each reaction as done, and marks the event reacted; see bot/reports/outbox.py.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction


class EventKind(StrEnum):
    """The kinds features publish; each documents its payload (JSON), which is a contract between features."""

    #: A cell's risk level changed. {"cell": key, "from": level | None, "to": level, "why": str,
    #: "change_id": the risk feature's level-change row, "district": key | None}
    CELL_LEVEL_CHANGED = "cell.level_changed"
    #: An incident was recorded (imported or entered by an official). {"incident_id": int}
    #: A bulk import publishes it only for incidents that may call for action now (an escalation kind, recent);
    #: whoever counts incidents reads the `Incident` table (bot/city/models.py).
    INCIDENT_RECORDED = "incident.recorded"
    #: An official asked for a warning broadcast to one grid scope, e.g. from a red cell or an incident's
    #: escalation. {"scope": grid key (cell / street / district) or "city", "texts": {locale: text},
    #: "title": str, "requested_by": staff id, "origin": str (what asked, e.g. "incident:17"), "urgent": bool}
    BROADCAST_REQUESTED = "broadcast.requested"
    #: A report's SLA clock ran out (and was flagged overdue). {"report_id": int, "stage": "moderation" |
    #: "resolution", "due_at": ISO 8601 time}; one event per report and deadline.
    REPORT_OVERDUE = "report.overdue"


class DomainEvent(Model):
    """One published fact, kept until every feature that reacts to its kind has."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=160, unique=True)  # e.g. "incident.recorded:17": one event per fact
    kind = fields.CharField(max_length=48, db_index=True)  # e.g. "incident.recorded"
    payload: dict[str, Any] = fields.JSONField(default=dict)
    actor = fields.CharField(max_length=64)  # "staff:<id>", "system:<job>"
    created_at = fields.DatetimeField()
    reacted_at = fields.DatetimeField(null=True, db_index=True)
    react_claimed_until = fields.DatetimeField(null=True)

    class Meta:
        table = "domain_event"
        app = "core"


class EventReactionDone(Model):
    """One feature's reaction that has run for one event: running the event's job again skips it."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[DomainEvent] = fields.ForeignKeyField(
        "core.DomainEvent", related_name="reactions_done", on_delete=fields.CASCADE
    )
    reaction = fields.CharField(max_length=64)
    done_at = fields.DatetimeField()

    event_id: int

    class Meta:
        table = "event_reaction_done"
        app = "core"
        unique_together = (("event", "reaction"),)


async def publish(key: str, kind: str, payload: dict[str, Any], *, actor: str, now: datetime) -> bool:
    """Store the event unless one with `key` exists; True if this call stored it.

    Call it inside the transaction that made the fact true, so the event exists iff the fact committed."""
    if await DomainEvent.exists(key=key):
        return False
    try:
        async with in_transaction():  # a savepoint: losing the race must not abort the caller's transaction
            await DomainEvent.create(key=key, kind=kind, payload=payload, actor=actor, created_at=now)
    except IntegrityError:  # a concurrent publisher of the same fact won
        return False
    return True
