"""One real browser (headless Chromium) through the admin: log in, open the queue, reject with a reason."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.admin.accounts import Role
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from moderation.models import PhotoRedaction
from tests.admin_client import PASSWORD, make_staff
from tests.factories import add_photo, make_report, make_resident

CHROMIUM = Path("/usr/bin/chromium")
EXECUTABLE = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(EXECUTABLE is None, reason="no Chromium installed"),
]


def csp_refusals(page: Any) -> list[str]:
    """Collect what the Content-Security-Policy blocks on `page`: a page that relies on any of it is broken."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=EXECUTABLE,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context = await browser.new_context(locale="en-US")
        new_page = await context.new_page()
        refused = csp_refusals(new_page)
        yield new_page
        await browser.close()
        assert refused == [], refused


async def test_moderator_rejects_a_report_with_a_reason(product: WebRuntime, page: Any) -> None:
    """Log in, open the queue, open the report, reject it with a written reason."""
    report = await make_report(await make_resident(9001), description="Bicycle on the pavement")
    await make_staff("browser-mod", Role.MODERATOR, language="en", areas=["huangpu"])
    base = product.settings.local_base_url()

    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=username]", "browser-mod")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.goto(f"{base}/admin/queue")
    await page.click(f"a[href='/admin/reports/{report.id}'] >> nth=-1")
    await page.wait_for_url(f"**/admin/reports/{report.id}")
    await page.click("text=Reject in my own words")
    reject = page.locator(f"form[action='/admin/reports/{report.id}/reject']:has(input[name=text])")
    await reject.locator("input[name=text]").fill("A parked bicycle is not a safety hazard.")
    await reject.locator("input[name=text]").press("Enter")
    await page.wait_for_selector(f"text=Report #{report.id} rejected")

    assert (await Report.get(id=report.id)).status == Status.REJECTED
    change = await StatusChange.get(report_id=report.id, to_status=Status.REJECTED)
    assert change.reason == "A parked bicycle is not a safety hazard." and change.actor.startswith("staff:")


async def test_an_admin_drags_a_box_on_a_photo_to_redact_it(product: WebRuntime, page: Any) -> None:
    """The drag fills the form with full-photo pixels (the photo is shown at half size), and Redact applies it."""
    report = await make_report(await make_resident(9011))
    photo = await add_photo(report, product.settings)  # 640 x 480, shown 320 px wide below
    await make_staff("browser-admin", Role.ADMIN, language="en")
    base = product.settings.local_base_url()
    await page.set_viewport_size({"width": 1000, "height": 1200})
    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=username]", "browser-admin")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.goto(f"{base}/admin/reports/{report.id}")
    await page.click("text=Edit the description or hide part of a photo")
    image = page.locator(".redact-area img")
    await image.evaluate("img => { img.style.width = '320px'; }")
    await image.scroll_into_view_if_needed()
    box = await image.bounding_box()
    await page.mouse.move(box["x"] + 50, box["y"] + 25)
    await page.mouse.down()
    await page.mouse.move(box["x"] + 150, box["y"] + 75, steps=5)
    await page.mouse.up()
    form = page.locator(f"form#redact-{photo.id}")
    fields = [await form.locator(f"input[name={name}]").input_value() for name in ("x", "y", "w", "h")]
    assert fields == ["100", "50", "200", "100"]
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector("text=Photo redacted")
    redaction = await PhotoRedaction.get(photo_id=photo.id)
    assert redaction.box == {"x": 100, "y": 50, "w": 200, "h": 100}
