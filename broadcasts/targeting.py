"""Who a broadcast reaches: the target kinds, their JSON form, and the recipient query.

Every target is narrowed to reachable residents: not marked as having blocked the bot (Telegram
answered 403, cleared when they write again) and not stopped with /stop.

A resident's location for the radius target is the one they shared in /subscribe (Subscriber.lat/
lon); the kernel stores no other resident location. A resident subscribed by radius r is reached
when their place is within R + r of the broadcast's point (the two circles touch); a resident who
subscribed to the area containing their place counts with r = 0.

A grid target (a warning to a cell, street or district of the city's grid, or to the whole city) reaches the
residents subscribed in that scope: those whose place lies in it (Subscriber.cell / street / area, placed on
the grid), and those who follow the scope or a unit inside it (`units`, resolved from the grid when the
broadcast is made: broadcasts/grid_scope.py). For the whole city: everyone with a place or an area followed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from bot.reports.geo import distance_m
from bot.reports.models import Report, Resident
from broadcasts.models import AreaSubscription, Subscriber, TopicSubscription

#: SQLite allows 32766 bound parameters per statement, PostgreSQL 32767: stay far below both.
ID_CHUNK = 5000


class TargetKind(StrEnum):
    EVERYONE = "everyone"
    AREAS = "areas"  #: residents subscribed to any of `areas`
    RADIUS = "radius"  #: residents whose subscription place is near (lat, lon)
    ACTIVE_REPORTERS = "active_reporters"  #: filed a report in the last `days` days
    TOPIC = "topic"  #: subscribed to `topic`
    GRID = "grid"  #: subscribed in the grid scope `scope` (a cell, street or district key, or "city")


#: The scope of a city-wide grid target.
CITY_SCOPE = "city"


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    areas: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    radius_m: int | None = None
    days: int | None = None
    topic: str | None = None
    scope: str | None = None
    units: tuple[str, ...] = ()  #: grid target: the scope and the drawn units inside it (area subscriptions)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.kind is TargetKind.AREAS:
            data["areas"] = list(self.areas)
        elif self.kind is TargetKind.RADIUS:
            data.update(lat=self.lat, lon=self.lon, radius_m=self.radius_m)
        elif self.kind is TargetKind.ACTIVE_REPORTERS:
            data["days"] = self.days
        elif self.kind is TargetKind.TOPIC:
            data["topic"] = self.topic
        elif self.kind is TargetKind.GRID:
            data.update(scope=self.scope, units=list(self.units))
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        return cls(
            kind=TargetKind(data.get("kind", TargetKind.EVERYONE)),
            areas=tuple(data.get("areas") or ()),
            lat=data.get("lat"),
            lon=data.get("lon"),
            radius_m=data.get("radius_m"),
            days=data.get("days"),
            topic=data.get("topic"),
            scope=data.get("scope"),
            units=tuple(data.get("units") or ()),
        )


EVERYONE = Target(TargetKind.EVERYONE)


@dataclass(frozen=True)
class Recipient:
    resident_id: int
    chat_id: int
    language: str


@dataclass
class _Selection:
    """Reachable residents, narrowed by a subquery or by an explicit id list (radius)."""

    query: QuerySet[Resident]
    ids: list[int] | None = field(default=None)

    def chunks(self) -> Iterator[QuerySet[Resident]]:
        if self.ids is None:
            yield self.query
            return
        for start in range(0, len(self.ids), ID_CHUNK):
            yield self.query.filter(id__in=self.ids[start : start + ID_CHUNK])


def reachable() -> QuerySet[Resident]:
    stopped = Subscriber.filter(stopped=True).values("resident_id")
    return Resident.filter(blocked_bot=False).exclude(id__in=Subquery(stopped))


async def _select(target: Target, now: datetime) -> _Selection:
    base = reachable()
    if target.kind is TargetKind.AREAS:
        subscribed = AreaSubscription.filter(area_key__in=list(target.areas)).values("resident_id")
        return _Selection(base.filter(id__in=Subquery(subscribed)))
    if target.kind is TargetKind.TOPIC:
        subscribed = TopicSubscription.filter(topic=target.topic or "").values("resident_id")
        return _Selection(base.filter(id__in=Subquery(subscribed)))
    if target.kind is TargetKind.ACTIVE_REPORTERS:
        since = now - timedelta(days=target.days or 0)
        reporters = Report.filter(created_at__gte=since).values("reporter_id")
        return _Selection(base.filter(id__in=Subquery(reporters)))
    if target.kind is TargetKind.RADIUS:
        return _Selection(base, await _near(target))
    if target.kind is TargetKind.GRID:
        return _Selection(base.filter(_in_scope(target.scope or "", target.units)))
    return _Selection(base)


def _in_scope(scope: str, units: tuple[str, ...]) -> Q:
    """Placed in the scope, or following it (or a unit inside it)."""
    if scope == CITY_SCOPE:
        placed = Subscriber.filter(lat__isnull=False)
        followed = AreaSubscription.all()
    else:
        placed = Subscriber.filter(Q(cell=scope) | Q(street=scope) | Q(area=scope))
        followed = AreaSubscription.filter(area_key__in=sorted({scope, *units}))
    return Q(id__in=Subquery(placed.values("resident_id"))) | Q(id__in=Subquery(followed.values("resident_id")))


async def _near(target: Target) -> list[int]:
    """Residents whose subscription circle touches the target circle (computed here: no PostGIS)."""
    if target.lat is None or target.lon is None or target.radius_m is None:
        return []
    rows = await Subscriber.filter(lat__isnull=False, lon__isnull=False).values_list(
        "resident_id", "lat", "lon", "radius_m"
    )
    return sorted(
        resident_id
        for resident_id, lat, lon, own_radius_m in rows
        if distance_m(target.lat, target.lon, lat, lon) <= target.radius_m + (own_radius_m or 0)
    )


async def count_recipients(target: Target, now: datetime) -> int:
    selection = await _select(target, now)
    return sum([await chunk.count() for chunk in selection.chunks()])


async def recipients(target: Target, now: datetime) -> list[Recipient]:
    """Every reachable recipient of `target`, ordered by resident id."""
    selection = await _select(target, now)
    found: list[Recipient] = []
    for chunk in selection.chunks():
        rows = await chunk.order_by("id").values_list("id", "chat_id", "language")
        found.extend(Recipient(int(rid), int(chat_id), str(language)) for rid, chat_id, language in rows)
    return found
