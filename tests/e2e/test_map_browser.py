"""The map in a real browser (Chinese): coloured cells and markers from seeded reports, a marker opens its
report, a cell opens its panel, and no request leaves 127.0.0.1 (Leaflet is ours, tiles are off)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlparse

import pytest

from bot.admin.accounts import Role
from bot.runtime import WebRuntime
from risk.levels import LEVEL_COLOURS, RiskLevel
from risk.models import CellRisk
from tests.admin_client import PASSWORD, make_staff
from tests.conftest import FrozenClock
from tests.e2e.test_admin_browser import CHROMIUM_ARGS, EXECUTABLE
from tests.factories import HUANGPU, JINGAN, make_report, make_resident

pytestmark = [pytest.mark.browser, pytest.mark.skipif(EXECUTABLE is None, reason="no Chromium installed")]


@pytest.fixture
async def zh_page() -> AsyncIterator[tuple[Any, list[str]]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=EXECUTABLE, headless=True, args=CHROMIUM_ARGS)
        context = await browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
        page = await context.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        yield page, requested
        await browser.close()


async def test_the_map_shows_levels_and_reports_and_opens_both(
    product: WebRuntime, zh_page: tuple[Any, list[str]], clock: FrozenClock
) -> None:
    page, requested = zh_page
    resident = await make_resident(9101, "zh_CN")
    in_huangpu = await make_report(resident, description="楼道充电")
    in_jingan = await make_report(resident, position=JINGAN, area="jingan")
    await CellRisk.create(cell="huangpu-0402", district="huangpu", level="red", score=30.0, computed_at=clock())
    await CellRisk.create(cell="jingan-0302", district="jingan", level="orange", score=14.0, computed_at=clock())
    await make_staff("map-official", Role.OFFICIAL, language="zh_CN")
    base = product.settings.local_base_url()
    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=username]", "map-official")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    centre_lat, centre_lon = (HUANGPU[0] + JINGAN[0]) / 2, (HUANGPU[1] + JINGAN[1]) / 2
    await page.goto(f"{base}/admin/map?lat={centre_lat}&lon={centre_lon}&zoom=15")

    red = page.locator("path.risk-cell-huangpu-0402")
    await red.wait_for()
    assert await red.get_attribute("fill") == LEVEL_COLOURS[RiskLevel.RED]
    assert await page.locator("path.risk-cell-jingan-0302").get_attribute("fill") == LEVEL_COLOURS[RiskLevel.ORANGE]
    assert await page.locator("path.risk-level-blue").count() > 10
    assert await page.locator(".risk-legend").inner_text() != ""
    assert "风险" in await page.locator(".risk-legend").inner_text()
    marker = page.locator(f"path.risk-report-{in_huangpu.id}")
    await marker.wait_for()
    assert await page.locator(f"path.risk-report-{in_jingan.id}").count() == 1

    await marker.click(force=True)
    await page.wait_for_url(f"**/admin/reports/{in_huangpu.id}")
    assert "楼道充电" in await page.content()

    await page.go_back()
    await page.locator("path.risk-cell-huangpu-0402").click(force=True)
    panel = page.locator("#risk-panel .risk-cell-panel[data-cell='huangpu-0402']")
    await panel.wait_for()
    text = await panel.inner_text()
    assert "黄浦区" in text and "重大风险" in text and "近12周" in text and "原因" not in text

    hosts = {urlparse(url).hostname for url in requested if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, sorted(set(requested))
