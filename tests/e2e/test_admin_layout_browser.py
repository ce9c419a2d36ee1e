"""The admin on a phone and an office screen (issue 16, acceptance 3): no horizontal scroll at 390 px on the queue
and a report page; the navigation fits one line at 1366 px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.admin.accounts import Role
from bot.runtime import WebRuntime
from tests.admin_client import PASSWORD, make_staff
from tests.e2e.test_admin_browser import page
from tests.factories import add_photo, make_report, make_resident

pytestmark = [pytest.mark.browser]
__all__ = ["page"]  # the shared browser fixture

PHONE_WIDTH_PX = 390
OFFICE_WIDTH_PX = 1366


async def log_in(page: Any, base: str, language: str) -> None:
    await make_staff("layout", Role.ADMIN, language=language, display_name="王芳")
    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=username]", "layout")
    await page.fill("input[name=password]", PASSWORD)
    await page.press("input[name=password]", "Enter")
    await page.wait_for_url(re.compile(r".*/admin$"))


async def scroll_width(page: Any) -> int:
    return int(await page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
async def test_the_queue_and_a_report_have_no_horizontal_scroll_at_390_px(
    product: WebRuntime, page: Any, language: str, tmp_path: Path
) -> None:
    reporter = await make_resident(9501, first_name="Mei")
    report = await make_report(reporter, description="An e-bike charging in the stairwell " * 8)
    await add_photo(report, product.settings)
    for _ in range(3):
        await add_photo(await make_report(reporter), product.settings)
    base = product.settings.local_base_url()
    await page.set_viewport_size({"width": PHONE_WIDTH_PX, "height": 844})
    await log_in(page, base, language)
    for path in ("/admin/queue", f"/admin/reports/{report.id}", "/admin"):
        await page.goto(base + path)
        await page.screenshot(path=str(tmp_path / "shot.png"), full_page=True)
        assert await scroll_width(page) <= PHONE_WIDTH_PX, path


@pytest.mark.parametrize("language", ["en", "zh_CN"])
async def test_the_navigation_fits_one_line_at_1366_px(product: WebRuntime, page: Any, language: str) -> None:
    base = product.settings.local_base_url()
    await page.set_viewport_size({"width": OFFICE_WIDTH_PX, "height": 900})
    await log_in(page, base, language)  # an admin: every entry of the menu
    await page.goto(f"{base}/admin/queue")
    tops = await page.evaluate(
        "Array.from(document.querySelectorAll('header.top .brand, header.top .nav > *, header.top .who > *'))"
        ".filter(e => e.offsetParent !== null).map(e => Math.round(e.getBoundingClientRect().top))"
    )
    header = await page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
    assert len(tops) > 5 and header < 60, (tops, header)
    assert await scroll_width(page) <= OFFICE_WIDTH_PX
