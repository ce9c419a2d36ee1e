"""One real browser (headless Chromium) through the admin: log in, open the queue, reject with a reason."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.admin.accounts import Role
from bot.reports.lifecycle import Status
from bot.reports.models import Report, StatusChange
from bot.runtime import WebRuntime
from tests.admin_client import PASSWORD, make_staff
from tests.moderation.factories import make_report, make_resident

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
        yield await context.new_page()
        await browser.close()


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
    reject = page.locator(f"form[action='/admin/reports/{report.id}/reject']")
    await reject.locator("input[name=text]").fill("A parked bicycle is not a safety hazard.")
    await reject.locator("button[type=submit]").click()
    await page.wait_for_selector("text=Report rejected")

    assert (await Report.get(id=report.id)).status == Status.REJECTED
    change = await StatusChange.get(report_id=report.id, to_status=Status.REJECTED)
    assert change.reason == "A parked bicycle is not a safety hazard." and change.actor.startswith("staff:")
