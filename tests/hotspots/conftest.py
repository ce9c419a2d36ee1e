"""The hotspot pages' fixtures: a logged-in official over real HTTP, a forecast for this week."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.admin.accounts import Role
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from forecast.backtest import Period
from hotspots import forecasting
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import DEMO_GRID, HUANGPU, JINGAN, make_report, make_resident

RunWorker = Callable[[], Awaitable[int]]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def official(product: WebRuntime) -> AsyncIterator[AdminClient]:
    client = AdminClient(product.settings.local_base_url())
    await make_staff("official1", Role.OFFICIAL, language="en")
    assert await client.login("official1") == 200
    yield client
    await client.close()


@pytest.fixture
async def this_weeks_forecast(product: WebRuntime, clock: FrozenClock) -> None:
    """Huangpu's cell huangpu-0402 had two accepted reports last week and one is open; Jing'an's jingan-0302
    one rejected report: the forecast ranks huangpu-0402 first."""
    resident = await make_resident(5)
    for days, status, position in (
        (3, Status.ACCEPTED, HUANGPU),
        (4, Status.DISPATCHED, HUANGPU),
        (4, Status.REJECTED, JINGAN),
    ):
        report = await make_report(resident, status=status, position=position)
        await Report.filter(id=report.id).update(created_at=clock() - timedelta(days=days))
    for period in Period:
        result = await forecasting.compute(DEMO_GRID, period, clock(), SHANGHAI, top=50)
        await forecasting.write(result, clock())
