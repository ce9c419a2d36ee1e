"""What a sandbox starts with so a trial works at once: the demo agencies, seeded once and left as edited."""

from __future__ import annotations

from bot.city.models import Agency
from bot.config import Settings
from bot.runtime import WebRuntime, running_web
from moderation.routing import responsible_agency
from tests.conftest import FrozenClock


class TestDemoAgencies:
    async def test_a_new_sandbox_can_dispatch_every_demo_report(
        self, db: None, sandbox_settings: Settings, clock: FrozenClock, redis: object
    ) -> None:
        async with running_web(sandbox_settings, clock=clock):
            keys = {str(key) for key in await Agency.all().values_list("key", flat=True)}
            assert keys == {"huangpu_fire", "city_roads", "city_grid"}
            fire = await responsible_agency("ebike", "huangpu")
            anything = await responsible_agency("drowning", "xuhui")
        assert fire is not None and fire.key == "huangpu_fire"
        assert anything is not None and anything.key == "city_grid"

    async def test_a_restart_adds_nothing_and_keeps_edits(
        self, db: None, sandbox_settings: Settings, clock: FrozenClock, redis: object
    ) -> None:
        async with running_web(sandbox_settings, clock=clock):
            await Agency.filter(key="city_roads").update(name="Roads (renamed in the trial)")
        async with running_web(sandbox_settings, clock=clock):
            assert await Agency.all().count() == 3
            assert (await Agency.get(key="city_roads")).name == "Roads (renamed in the trial)"

    async def test_a_deployment_with_a_token_gets_no_demo_agencies(self, product: WebRuntime) -> None:
        assert not product.settings.sandbox_enabled
        assert not await Agency.exists()
