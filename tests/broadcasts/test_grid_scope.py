"""Warnings to a grid scope: who a grid target reaches, subscribers placed on the grid, one broadcast per
broadcast.requested event however often the reaction runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.city.grid import Grid
from bot.config import Settings
from bot.events import DomainEvent, EventKind, publish
from bot.reports.geo import ServiceArea
from bot.services import Services, running_services
from broadcasts.grid_scope import grid_target, place_subscribers
from broadcasts.models import AreaSubscription, Broadcast, BroadcastStatus, Subscriber
from broadcasts.reactions import send_requested_warning
from broadcasts.subscriptions import Awaiting, await_location, awaiting_location, take_location
from broadcasts.targeting import Target, TargetKind, recipients
from tests.conftest import FrozenClock
from tests.factories import DEMO_GRID, HUANGPU, JINGAN, make_residents

IN_WAITAN = (31.215, 121.465)  # huangpu-0201, street huangpu-waitan


async def reached(target: Target, clock: FrozenClock) -> set[int]:
    return {r.resident_id for r in await recipients(target, clock())}


async def placed_at(resident_id: int, position: tuple[float, float]) -> None:
    await Subscriber.create(resident_id=resident_id, lat=position[0], lon=position[1], radius_m=0)


class TestTargets:
    async def test_a_street_reaches_places_in_it_and_followers_of_its_cells(
        self, orm: None, clock: FrozenClock
    ) -> None:
        ids = await make_residents(80_001, 4)
        await placed_at(ids[0], IN_WAITAN)
        await placed_at(ids[1], HUANGPU)  # huangpu-yuyuan: the same district, another street
        await AreaSubscription.create(resident_id=ids[2], area_key="huangpu-0101", created_at=clock())  # a Waitan cell
        await AreaSubscription.create(resident_id=ids[3], area_key="huangpu", created_at=clock())  # the district
        await place_subscribers(DEMO_GRID)
        street = grid_target("huangpu-waitan", DEMO_GRID)
        assert street is not None and await reached(street, clock) == {ids[0], ids[2]}
        district = grid_target("huangpu", DEMO_GRID)
        assert district is not None and await reached(district, clock) == set(ids)

    async def test_a_cell_reaches_the_places_in_it(self, orm: None, clock: FrozenClock) -> None:
        ids = await make_residents(80_101, 2)
        await placed_at(ids[0], IN_WAITAN)
        await placed_at(ids[1], JINGAN)
        await place_subscribers(DEMO_GRID)
        cell = grid_target("huangpu-0201", DEMO_GRID)
        assert cell is not None and await reached(cell, clock) == {ids[0]}

    async def test_the_city_reaches_every_subscriber_with_a_place_or_an_area(
        self, orm: None, clock: FrozenClock
    ) -> None:
        ids = await make_residents(80_201, 4)
        await placed_at(ids[0], JINGAN)
        await AreaSubscription.create(resident_id=ids[1], area_key="xuhui", created_at=clock())
        await Subscriber.create(resident_id=ids[2], stopped=True, lat=JINGAN[0], lon=JINGAN[1])
        city = grid_target("city", DEMO_GRID)
        assert city is not None and await reached(city, clock) == {ids[0], ids[1]}  # ids[3] never subscribed

    def test_an_unknown_scope_has_no_target_and_targets_round_trip(self) -> None:
        assert grid_target("atlantis", DEMO_GRID) is None
        street = grid_target("huangpu-waitan", DEMO_GRID)
        assert street is not None and "huangpu-0101" in street.units and "huangpu-0301" not in street.units
        assert Target.from_json(street.to_json()) == street and street.kind is TargetKind.GRID


class TestPlaces:
    async def test_a_place_shared_in_subscribe_is_put_on_the_grid(self, orm: None, clock: FrozenClock) -> None:
        [resident_id] = await make_residents(80_301, 1)
        await await_location(resident_id, 0, clock())
        waiting = await awaiting_location(resident_id, clock())
        assert waiting is not None and waiting.awaiting == Awaiting.AREA
        await take_location(waiting, *JINGAN, grid=DEMO_GRID, service_area=ServiceArea(None), now=clock())
        subscriber = await Subscriber.get(resident_id=resident_id)
        assert (subscriber.area, subscriber.street, subscriber.cell) == ("jingan", "jingan-nanjingxilu", "jingan-0302")

    async def test_places_move_when_the_grid_changes(self, orm: None) -> None:
        ids = await make_residents(80_401, 2)
        await placed_at(ids[0], JINGAN)
        await placed_at(ids[1], HUANGPU)
        assert await place_subscribers(DEMO_GRID) == 2
        assert await place_subscribers(DEMO_GRID) == 0
        assert await place_subscribers(Grid([], h3_resolution=9)) == 2
        assert (await Subscriber.get(resident_id=ids[0])).cell.startswith("h3:")  # type: ignore[union-attr]


@pytest.fixture
async def services(orm: None, settings: Settings, clock: FrozenClock) -> AsyncIterator[Services]:
    async with running_services(settings, (), clock=clock) as built:
        yield built


PAYLOAD = {
    "scope": "jingan",
    "texts": {"zh_CN": "静安区火灾警示", "en": "Fire warning for Jing'an"},
    "title": "Fire: Jing'an",
    "requested_by": 12345,  # no such staff member: the broadcast is the system's
    "origin": "incident:7",
    "urgent": True,
}


class TestTheReaction:
    async def test_one_broadcast_per_event_scheduled_now_however_often_it_runs(
        self, services: Services, clock: FrozenClock
    ) -> None:
        await publish("broadcast.requested:warning:1", EventKind.BROADCAST_REQUESTED, PAYLOAD, actor="x", now=clock())
        event = await DomainEvent.get(key="broadcast.requested:warning:1")
        await send_requested_warning(services, event)
        clock.advance(seconds=30)
        await send_requested_warning(services, event)
        [broadcast] = await Broadcast.all()
        assert (broadcast.key, broadcast.status, broadcast.scheduled_at) == (
            f"event:{event.id}",
            BroadcastStatus.SCHEDULED,
            clock() - timedelta(seconds=30),
        )
        assert broadcast.texts == PAYLOAD["texts"] and broadcast.title == "Fire: Jing'an"
        assert (broadcast.target["kind"], broadcast.target["scope"]) == ("grid", "jingan")
        assert {"jingan", "jingan-nanjingxilu", "jingan-0302"} <= set(broadcast.target["units"])

    @pytest.mark.parametrize("broken", [{"scope": "jingan"}, {"texts": {"en": "x"}}, {**PAYLOAD, "scope": "moon"}])
    async def test_a_request_breaking_the_contract_sends_nothing(
        self, services: Services, clock: FrozenClock, broken: dict[str, object]
    ) -> None:
        await publish("broadcast.requested:bad", EventKind.BROADCAST_REQUESTED, broken, actor="x", now=clock())
        await send_requested_warning(services, await DomainEvent.get(key="broadcast.requested:bad"))
        assert not await Broadcast.exists()
