"""Who each target reaches, and who no target ever reaches (blocked, stopped)."""

from __future__ import annotations

import math
from datetime import timedelta

from bot.reports.models import Report, Resident
from broadcasts.models import AreaSubscription, Subscriber, TopicSubscription
from broadcasts.targeting import EVERYONE, Target, TargetKind, count_recipients, recipients
from tests.conftest import FrozenClock
from tests.factories import make_residents

CENTRE = (31.2304, 121.4737)
M_PER_DEGREE_LAT = 111_195.0


def north_of_centre(metres: float) -> tuple[float, float]:
    return CENTRE[0] + metres / M_PER_DEGREE_LAT, CENTRE[1]


async def reached(target: Target, clock: FrozenClock) -> set[int]:
    return {r.resident_id for r in await recipients(target, clock())}


class TestReachable:
    async def test_blocked_and_stopped_residents_are_never_reached(self, orm: None, clock: FrozenClock) -> None:
        ids = await make_residents(50_001, 4)
        await Resident.filter(id=ids[0]).update(blocked_bot=True)
        await Subscriber.create(resident_id=ids[1], stopped=True)
        await Subscriber.create(resident_id=ids[2], stopped=False)
        assert await reached(EVERYONE, clock) == {ids[2], ids[3]}
        assert await count_recipients(EVERYONE, clock()) == 2

    async def test_each_recipient_carries_chat_and_language(self, orm: None, clock: FrozenClock) -> None:
        await make_residents(50_101, 2, languages=("en", "zh_CN"))
        found = await recipients(EVERYONE, clock())
        assert [(r.chat_id, r.language) for r in found] == [(50_101, "en"), (50_102, "zh_CN")]


class TestTargets:
    async def test_areas(self, orm: None, clock: FrozenClock) -> None:
        ids = await make_residents(51_001, 3)
        for resident_id, area in zip(ids, ("huangpu", "xuhui", "jingan"), strict=True):
            await AreaSubscription.create(resident_id=resident_id, area_key=area, created_at=clock())
        assert await reached(Target(TargetKind.AREAS, areas=("huangpu", "jingan")), clock) == {ids[0], ids[2]}

    async def test_radius_counts_the_residents_own_circle(self, orm: None, clock: FrozenClock) -> None:
        """Within R of the point, or within R + their own radius: the two circles touch."""
        ids = await make_residents(52_001, 4)
        for resident_id, (distance_m, own_radius_m) in zip(
            ids, ((1000, 0), (5000, 3000), (5000, 0), (9000, 1000)), strict=True
        ):
            lat, lon = north_of_centre(distance_m)
            await Subscriber.create(resident_id=resident_id, lat=lat, lon=lon, radius_m=own_radius_m)
        target = Target(TargetKind.RADIUS, lat=CENTRE[0], lon=CENTRE[1], radius_m=2500)
        assert await reached(target, clock) == {ids[0], ids[1]}
        assert math.isclose(await count_recipients(target, clock()), 2)

    async def test_reporters_active_in_the_last_days(self, orm: None, clock: FrozenClock) -> None:
        ids = await make_residents(53_001, 3)
        for resident_id, age in zip(ids[:2], (timedelta(days=2), timedelta(days=40)), strict=True):
            report = await Report.create(
                reporter_id=resident_id,
                status="submitted",
                category="ebike",
                lat=CENTRE[0],
                lon=CENTRE[1],
                location_source="shared",
                language="en",
            )
            await Report.filter(id=report.id).update(created_at=clock() - age)
        assert await reached(Target(TargetKind.ACTIVE_REPORTERS, days=30), clock) == {ids[0]}

    async def test_topic(self, orm: None, clock: FrozenClock) -> None:
        ids = await make_residents(54_001, 2)
        await TopicSubscription.create(resident_id=ids[1], topic="water", created_at=clock())
        assert await reached(Target(TargetKind.TOPIC, topic="water"), clock) == {ids[1]}

    def test_targets_round_trip_through_json(self) -> None:
        target = Target(TargetKind.RADIUS, lat=31.2, lon=121.5, radius_m=800)
        assert Target.from_json(target.to_json()) == target
