"""Residents' broadcast preferences: areas, a place with a radius, topics, /stop, and the /subscribe state.

Everything is in the database (Subscriber and the subscription rows), so any web process continues
a /subscribe conversation. A resident keeps ONE place (the last location shared in /subscribe): in
area mode it also adds the area containing it, in radius mode it sets the radius around it.
Residents with no row at all receive general broadcasts (everyone, the education day) until /stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.city.grid import Grid
from bot.reports.geo import ServiceArea, check_position
from broadcasts.models import AreaSubscription, Subscriber, TopicSubscription
from broadcasts.texts import Topic

#: A /subscribe waiting for a location is forgotten after this long (like an intake draft).
AWAIT_TTL = timedelta(minutes=30)
ALL = "all"
NEARBY = "nearby"
AREA_PREFIX = "area:"
TOPIC_PREFIX = "topic:"


class Awaiting(StrEnum):
    AREA = "area"  #: the next location picks the area containing it
    RADIUS = "radius"  #: the next location is the centre of `awaiting_radius_m`


class LocationResult(StrEnum):
    AREA_ADDED = "area_added"
    RADIUS_SET = "radius_set"
    OUTSIDE_AREAS = "outside_areas"  #: no configured area contains it (area mode)
    BAD_POSITION = "bad_position"  #: out of range, 0,0, or outside the service area


@dataclass(frozen=True)
class Summary:
    areas: list[str]
    radius_m: int | None
    topics: list[str]
    stopped: bool

    @property
    def empty(self) -> bool:
        return not self.areas and not self.radius_m and not self.topics


async def subscriber_of(resident_id: int) -> Subscriber:
    subscriber, _ = await Subscriber.get_or_create(resident_id=resident_id)
    return subscriber


async def start(resident_id: int) -> bool:
    """/subscribe: broadcasts on again; True when the resident had stopped them."""
    subscriber = await subscriber_of(resident_id)
    was_stopped = subscriber.stopped
    if was_stopped:
        subscriber.stopped = False
        await subscriber.save(update_fields=["stopped", "updated_at"])
    return was_stopped


async def stop(resident_id: int) -> None:
    """/stop: no broadcasts at all (updates on the resident's own reports are not broadcasts)."""
    await subscriber_of(resident_id)
    await Subscriber.filter(resident_id=resident_id).update(stopped=True, awaiting=None)


async def await_location(resident_id: int, radius_m: int, now: datetime) -> None:
    """The resident chose "my area" (radius 0) or a radius: the next location they share is for this."""
    await subscriber_of(resident_id)
    mode = Awaiting.RADIUS if radius_m > 0 else Awaiting.AREA
    await Subscriber.filter(resident_id=resident_id).update(
        awaiting=mode, awaiting_radius_m=radius_m or None, awaiting_since=now
    )


async def awaiting_location(resident_id: int, now: datetime) -> Subscriber | None:
    subscriber = await Subscriber.get_or_none(resident_id=resident_id, awaiting__isnull=False)
    if subscriber is None or subscriber.awaiting_since is None or subscriber.awaiting_since < now - AWAIT_TTL:
        return None
    return subscriber


async def take_location(
    subscriber: Subscriber, lat: float, lon: float, *, grid: Grid, service_area: ServiceArea, now: datetime
) -> tuple[LocationResult, str | None]:
    """Use a shared location for the pending choice; returns the result and the area key (area mode).

    The place is put on the grid (district, street, cell) for warnings to a grid scope."""
    if check_position(lat, lon, service_area) is not None:
        return LocationResult.BAD_POSITION, None
    if subscriber.awaiting == Awaiting.AREA:
        area_key = grid.districts.area_for(lat, lon)
        if area_key is None:
            return LocationResult.OUTSIDE_AREAS, None
        await AreaSubscription.get_or_create(
            resident_id=subscriber.resident_id,
            area_key=area_key,
            defaults={"created_at": now},
        )
        result = LocationResult.AREA_ADDED
    else:
        subscriber.radius_m = subscriber.awaiting_radius_m
        area_key, result = None, LocationResult.RADIUS_SET
    subscriber.lat, subscriber.lon = lat, lon
    where = grid.locate(lat, lon)
    subscriber.area, subscriber.street, subscriber.cell = where.district, where.street, where.cell
    subscriber.awaiting, subscriber.awaiting_radius_m, subscriber.awaiting_since = None, None, None
    await subscriber.save()
    return result, area_key


async def toggle_topic(resident_id: int, topic: str, now: datetime) -> bool | None:
    """Follow or unfollow a topic; returns whether it is followed now (None for an unknown topic)."""
    if topic not in set(Topic):
        return None
    deleted = await TopicSubscription.filter(resident_id=resident_id, topic=topic).delete()
    if deleted:
        return False
    await TopicSubscription.get_or_create(resident_id=resident_id, topic=topic, defaults={"created_at": now})
    return True


async def topics_of(resident_id: int) -> set[str]:
    topics = await TopicSubscription.filter(resident_id=resident_id).values_list("topic", flat=True)
    return {str(topic) for topic in topics}


async def summary(resident_id: int) -> Summary:
    subscriber = await Subscriber.get_or_none(resident_id=resident_id)
    areas = (
        await AreaSubscription.filter(resident_id=resident_id).order_by("area_key").values_list("area_key", flat=True)
    )
    followed = await topics_of(resident_id)
    topics = [topic.value for topic in Topic if topic in followed]
    radius_m = subscriber.radius_m if subscriber and subscriber.lat is not None else None
    return Summary([str(a) for a in areas], radius_m or None, topics, bool(subscriber and subscriber.stopped))


async def unsubscribe(resident_id: int, what: str) -> bool:
    """Drop one subscription ("area:<key>", "topic:<topic>", "nearby") or all of them ("all")."""
    removed = 0
    if what in (ALL, NEARBY):
        removed += await Subscriber.filter(resident_id=resident_id, lat__isnull=False).update(
            lat=None, lon=None, radius_m=None, area=None, street=None, cell=None
        )
    if what == ALL:
        removed += await AreaSubscription.filter(resident_id=resident_id).delete()
        removed += await TopicSubscription.filter(resident_id=resident_id).delete()
    elif what.startswith(AREA_PREFIX):
        removed += await AreaSubscription.filter(resident_id=resident_id, area_key=what[len(AREA_PREFIX) :]).delete()
    elif what.startswith(TOPIC_PREFIX):
        removed += await TopicSubscription.filter(resident_id=resident_id, topic=what[len(TOPIC_PREFIX) :]).delete()
    return removed > 0
