"""Deciding in the browser (issue 16, acceptance 2): a decision in two clicks from the queue and one from the previous
decision; three reports decided in a row with the keyboard alone; each decision opens the queue's next report."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.admin.accounts import Role
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from tests.admin_client import PASSWORD, make_staff
from tests.e2e.test_admin_browser import page
from tests.factories import add_photo, make_report, make_resident

pytestmark = [pytest.mark.browser]
__all__ = ["page"]  # the shared browser fixture


class Clicks:
    """The test's mouse: every click goes through it, so the test can count them."""

    def __init__(self, page: Any) -> None:
        self.page, self.count = page, 0

    async def click(self, selector: str) -> None:
        self.count += 1
        await self.page.click(selector)


async def waiting_reports(product: WebRuntime, n: int) -> list[Report]:
    reporter = await make_resident(9401)
    reports = [await make_report(reporter, description=f"Blocked fire exit {i}") for i in range(n)]
    for report in reports:
        await add_photo(report, product.settings)
    return reports


async def log_in(page: Any, base: str) -> None:
    await make_staff("decider", Role.MODERATOR, language="en")
    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=username]", "decider")
    await page.fill("input[name=password]", PASSWORD)
    await page.press("input[name=password]", "Enter")
    await page.wait_for_url(re.compile(r".*/admin$"))


async def on_report(page: Any, report: Report) -> None:
    await page.wait_for_url(re.compile(rf".*/admin/reports/{report.id}(\?.*)?$"))
    await page.wait_for_load_state("load")


async def test_a_mouse_decides_in_two_clicks_from_the_queue_and_one_after(product: WebRuntime, page: Any) -> None:
    first, second, third = await waiting_reports(product, 3)
    base = product.settings.local_base_url()
    await log_in(page, base)
    await page.goto(f"{base}/admin/queue")
    mouse = Clicks(page)

    await mouse.click(f"tr[data-href] a[href^='/admin/reports/{first.id}'] >> nth=-1")
    await on_report(page, first)
    await mouse.click(".decide-accept button[value=high]")
    await on_report(page, second)  # the decision opened the queue's next report
    assert mouse.count == 2
    assert (await Report.get(id=first.id)).status == Status.ACCEPTED

    await mouse.click(".decide-reject button[value=not_hazard]")
    await on_report(page, third)
    assert mouse.count == 3  # one click for the second decision
    change = await StatusChange.get(report_id=second.id, to_status=Status.REJECTED)
    assert "not a safety hazard" in change.reason
    assert (await Report.get(id=first.id)).severity == "high"


async def test_three_reports_are_decided_in_a_row_with_the_keyboard_alone(product: WebRuntime, page: Any) -> None:
    first, second, third = await waiting_reports(product, 3)
    base = product.settings.local_base_url()
    await log_in(page, base)
    await page.goto(f"{base}/admin/queue")

    await page.keyboard.press("Enter")  # opens the selected (first) row
    await on_report(page, first)
    await page.keyboard.press("4")  # accept as critical
    await on_report(page, second)
    await page.keyboard.press("r")
    await page.keyboard.press("2")  # reject: unclear
    await on_report(page, third)
    await page.keyboard.press("1")  # accept as low
    await page.wait_for_url(re.compile(r".*/admin/queue(\?.*)?$"))  # the queue is empty: back to it
    assert "Nothing else waits in this queue." in await page.inner_text("main")

    decided = {r.id: (r.status, r.severity) for r in await Report.filter(id__in=[first.id, second.id, third.id])}
    assert decided == {
        first.id: (Status.ACCEPTED, "critical"),
        second.id: (Status.REJECTED, None),
        third.id: (Status.ACCEPTED, "low"),
    }


async def test_next_and_previous_keys_walk_the_queue_without_deciding(product: WebRuntime, page: Any) -> None:
    first, second, _third = await waiting_reports(product, 3)
    base = product.settings.local_base_url()
    await log_in(page, base)
    await page.goto(f"{base}/admin/reports/{first.id}")
    await page.keyboard.press("j")
    await on_report(page, second)
    await page.keyboard.press("k")
    await on_report(page, first)
    assert {r.status for r in await Report.filter(id__in=[first.id, second.id])} == {Status.SUBMITTED}


async def test_the_merge_key_merges_into_the_proposed_duplicate(product: WebRuntime, page: Any) -> None:
    original, copy = await waiting_reports(product, 2)
    base = product.settings.local_base_url()
    await log_in(page, base)
    await page.goto(f"{base}/admin/reports/{copy.id}")
    await page.keyboard.press("m")  # focuses the merge field, filled with the nearby report
    assert await page.input_value(".decide-merge input[name=into]") == str(original.id)
    await page.keyboard.press("Enter")
    await on_report(page, original)  # the queue's report left after the merge
    assert (await Report.get(id=copy.id)).duplicate_of_id == original.id
