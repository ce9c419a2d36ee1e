"""The public status page in a real browser (headless Chromium), in Chinese and in English, under a CSP that
forbids inline script: the figures, the map drawn from /status/map.json by the static script, a lookup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from bot.reports.lifecycle import transition
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from tests.e2e.test_admin_browser import CHROMIUM_ARGS, EXECUTABLE
from tests.factories import FILED_AT, SLA, STAFF
from tests.opendata.helpers import report_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(EXECUTABLE is None, reason="no Chromium installed"),
]
#: What the trust work puts on every page: no inline script may run.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=EXECUTABLE, headless=True, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def open_status(browser: Any, url: str, locale: str) -> tuple[Any, list[str]]:
    context = await browser.new_context(locale=locale)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    async def with_csp(route: Any) -> None:
        response = await route.fetch()
        await route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})

    await page.route("**/status**", with_csp)
    await page.goto(url)
    return page, problems


@pytest.mark.parametrize(
    ("locale", "lang", "heading", "fixed_label", "private_text"),
    [
        ("zh-CN", "zh_CN", "城市隐患状况", "已整改", "本网格内有 1 条不公开类别的举报"),
        ("en-US", "en", "City hazard status", "Fixed", "1 reports of a private kind in this cell"),
    ],
)
async def test_the_status_page_in_a_browser(
    product: WebRuntime, browser: Any, locale: str, lang: str, heading: str, fixed_label: str, private_text: str
) -> None:
    fixed = await report_at(Status.ACCEPTED, days_ago=2)
    await transition(fixed, Status.FIXED, actor=STAFF, sla=SLA, now=FILED_AT, public_note="OK")
    await report_at(Status.ACCEPTED, category="ebike")
    base = product.settings.local_base_url()

    page, problems = await open_status(browser, f"{base}/status?lang={lang}", locale)
    assert await page.locator("h1").inner_text() == heading
    assert await page.locator('tr[data-district="huangpu"] td.open').inner_text() == "1"  # the private one
    await page.locator("#map[data-loaded]").wait_for(state="attached")  # a selector: the CSP forbids eval
    assert await page.locator("#map").get_attribute("data-loaded") == "2"  # a point and a cell count
    assert await page.locator(".leaflet-interactive").count() == 2
    await click_until_popup(page, "path.private-cell")
    assert await page.locator(".leaflet-popup-content").inner_text() == private_text

    await page.fill("input[name=report]", str(fixed.id))
    await page.click("#lookup button[type=submit]")
    await page.wait_for_selector("ol.timeline li")
    assert f"#{fixed.id}" in await page.locator("#lookup h3").inner_text()
    assert fixed_label in await page.locator("ol.timeline").inner_text()
    assert problems == []


async def click_until_popup(page: Any, selector: str) -> None:
    """Click a map shape until its popup opens: a click during the map's opening zoom can land beside the shape
    as it moves (seen on a busy runner)."""
    for _ in range(10):
        await page.locator(selector).click()
        try:
            await page.locator(".leaflet-popup-content").wait_for(timeout=2_000)
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError(f"no popup after clicking {selector} ten times")
