"""A real browser (headless Chromium) through the inspection list: the ranked cells, assigning one to an agency
with a due date, recording what the inspection found."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.admin.accounts import Role
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from forecast.backtest import Period
from hotspots import forecasting
from hotspots.models import Inspection, InspectionState
from tests.admin_client import PASSWORD, make_staff
from tests.conftest import FrozenClock
from tests.e2e.test_admin_browser import EXECUTABLE, page
from tests.factories import DEMO_GRID, HUANGPU, JINGAN, make_agency, make_report, make_resident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(EXECUTABLE is None, reason="no Chromium installed"),
]
__all__ = ["page"]  # the shared browser fixture


async def forecast_two_cells(clock: FrozenClock) -> None:
    """Last week: two accepted reports in huangpu-0402, a rejected one in jingan-0302; this week's forecast."""
    resident = await make_resident(7)
    for status, position in ((Status.ACCEPTED, HUANGPU), (Status.ACCEPTED, HUANGPU), (Status.REJECTED, JINGAN)):
        report = await make_report(resident, status=status, position=position)
        await Report.filter(id=report.id).update(created_at=clock() - timedelta(days=3))
    result = await forecasting.compute(DEMO_GRID, Period.WEEK, clock(), ZoneInfo("Asia/Shanghai"), top=50)
    await forecasting.write(result, clock())


async def test_an_official_assigns_the_top_cell_and_records_the_result(
    product: WebRuntime, page: Any, clock: FrozenClock
) -> None:
    await forecast_two_cells(clock)
    agency = await make_agency("jingan-fire")
    await make_staff("browser-official", Role.OFFICIAL, language="en")
    base = product.settings.local_base_url()
    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=username]", "browser-official")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.goto(f"{base}/admin/inspections")

    rows = page.locator("#inspection-list tr[data-cell]")
    assert await rows.evaluate_all("rows => rows.map(r => r.dataset.cell)") == ["huangpu-0402", "jingan-0302"]
    top = page.locator("tr[data-cell='huangpu-0402']")
    assert "confirmed hazards lately" in await top.locator("td.why").inner_text()
    await top.locator("select[name=agency_id]").select_option(str(agency.id))
    await top.locator("input[name=due_on]").fill("2026-11-26")
    await top.locator("input[name=note]").fill("check the stairwells")
    await top.locator("form.assign button[type=submit]").click()
    await page.wait_for_selector("text=is assigned to Agency jingan-fire, due 2026-11-26")

    inspection = await Inspection.get(cell="huangpu-0402")
    assert (inspection.agency_id, inspection.due_on.isoformat(), inspection.note) == (
        agency.id,
        "2026-11-26",
        "check the stairwells",
    )
    top = page.locator("tr[data-cell='huangpu-0402']")
    await top.locator("input[name=note]").fill("two e-bikes charging on the landing")
    await top.locator("button[value=found]").click()
    await page.wait_for_selector("text=the next forecast counts it")
    inspection = await Inspection.get(id=inspection.id)
    assert inspection.state == InspectionState.FOUND and inspection.result_note == "two e-bikes charging on the landing"


async def test_the_forecast_is_a_layer_on_the_map(product: WebRuntime, page: Any, clock: FrozenClock) -> None:
    """The risk feature's map draws the cells this week's forecast ranks, once the layer is switched on."""
    await forecast_two_cells(clock)
    await make_staff("map-official", Role.OFFICIAL, language="en")
    base = product.settings.local_base_url()
    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=username]", "map-official")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.goto(f"{base}/admin/map")
    await page.wait_for_selector("path.risk-cell")
    assert await page.locator("path.risk-forecast").count() == 0  # off until asked for
    await page.locator(".leaflet-control-layers label", has_text="Forecast").locator("input").check()
    await page.wait_for_selector("path.risk-forecast")
    assert await page.locator("path.risk-forecast").count() == 2  # the two cells with any history
