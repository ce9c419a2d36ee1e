"""Incidents an official records in the admin: the form as the domain sees it, and the recording itself.

Recording stores the incident (placed on the grid), publishes `incident.recorded` in the same transaction (the
outbox hands it to every feature that reacts: this one proposes the warning its kind calls for) and audits it.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.admin.audit import EventTag, record
from bot.city.grid import Grid, Level
from bot.city.models import Incident
from bot.city.placement import place
from bot.events import EventKind, publish
from bot.reports.geo import ServiceArea, check_position, parse_typed_position
from forecast.events import MAX_CATEGORY_CHARS, SEVERITY_RANGE, Outcome, parse_occurred_at
from hotspots.texts import (
    BAD_KIND,
    BAD_OCCURRED_AT,
    BAD_POSITION,
    BAD_SEVERITY,
    FUTURE_OCCURRED_AT,
    NEED_CATEGORY,
)

ADMIN_SOURCE = "admin"


@dataclass(frozen=True)
class IncidentInput:
    occurred_at: datetime  #: aware
    lat: float
    lon: float
    category: str
    kind: str | None
    severity: float | None
    description: str


@dataclass(frozen=True)
class FormRules:
    grid: Grid
    area: ServiceArea
    zone: ZoneInfo
    kinds: frozenset[str]  #: the escalation rules' kinds (an incident may also have none)


def parse_form(fields: Mapping[str, str], rules: FormRules, now: datetime) -> tuple[IncidentInput | None, list[str]]:
    """Validate the posted fields; every problem at once (English msgids, translated by the page)."""
    problems: list[str] = []
    occurred_at = _occurred_at(fields.get("occurred_at", ""), rules.zone, now, problems)
    position = _position(fields.get("position", ""), fields.get("cell", ""), rules, problems)
    category = fields.get("category", "").strip()
    if not category or len(category) > MAX_CATEGORY_CHARS:
        problems.append(NEED_CATEGORY)
    kind = fields.get("kind", "").strip() or None
    if kind is not None and kind not in rules.kinds:
        problems.append(BAD_KIND)
    severity = _severity(fields.get("severity", ""), problems)
    if problems or occurred_at is None or position is None:
        return None, problems
    description = fields.get("description", "").strip()[:2000]
    return IncidentInput(occurred_at, position[0], position[1], category, kind, severity, description), []


def _occurred_at(text: str, zone: ZoneInfo, now: datetime, problems: list[str]) -> datetime | None:
    if not text.strip():
        return now
    try:
        value = parse_occurred_at(text.strip())
    except ValueError:
        problems.append(BAD_OCCURRED_AT)
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
    if aware > now:
        problems.append(FUTURE_OCCURRED_AT)
        return None
    return aware


def _position(text: str, cell: str, rules: FormRules, problems: list[str]) -> tuple[float, float] | None:
    """Typed "lat, lon", or the centre of a grid cell chosen by its key."""
    position = parse_typed_position(text) if text.strip() else None
    if position is None and cell.strip() and rules.grid.level(cell.strip()) is Level.CELL:
        position = rules.grid.centre(cell.strip())
    if position is None or check_position(position[0], position[1], rules.area) is not None:
        problems.append(BAD_POSITION)
        return None
    return position


def _severity(text: str, problems: list[str]) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    low, high = SEVERITY_RANGE
    if not (math.isfinite(value) and low <= value <= high):
        problems.append(BAD_SEVERITY)
        return None
    return value


async def record_incident(given: IncidentInput, grid: Grid, *, staff_id: int, now: datetime) -> Incident:
    """Store, place, publish and audit an incident an official recorded."""
    actor = f"staff:{staff_id}"
    incident = Incident(
        event_id=f"{ADMIN_SOURCE}:{secrets.token_hex(8)}",
        source=ADMIN_SOURCE,
        occurred_at=given.occurred_at,
        lat=given.lat,
        lon=given.lon,
        category=given.category,
        outcome=Outcome.CONFIRMED.value,  # an official's own record of what happened
        severity=given.severity,
        kind=given.kind,
        description=given.description,
        recorded_by=actor,
    )
    place(incident, grid)
    async with in_transaction():
        await incident.save()
        await publish_recorded(incident.id, actor=actor, now=now)
        await record(
            actor, EventTag.INCIDENT_RECORD, now=now, incident=incident.id, kind=given.kind, cell=incident.cell
        )
    return incident


async def publish_recorded(incident_id: int, *, actor: str, now: datetime) -> None:
    """`incident.recorded` for one incident (call it in the transaction that stored the incident)."""
    await publish(
        f"{EventKind.INCIDENT_RECORDED}:{incident_id}",
        EventKind.INCIDENT_RECORDED,
        {"incident_id": incident_id},
        actor=actor,
        now=now,
    )
