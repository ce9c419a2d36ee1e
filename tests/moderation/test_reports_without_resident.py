"""Moderation with a report a partner system filed (no resident): no DM, no fix check, a page that says so."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.admin.accounts import Role
from bot.reports.models import ReportFollower
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from moderation.merge import merge
from moderation.models import FixedCheck
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import SLA, follow, make_report, make_resident
from tests.fake_botapi import FakeBotAPI

Worker = Callable[[], Awaitable[int]]


async def test_accepting_a_partner_report_tells_its_followers_only(
    product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
) -> None:
    report = await make_report(None)
    await follow(report, await make_resident(3101, "en"))
    await make_staff("official", Role.OFFICIAL, language="en")
    await client.login("official")
    status, _ = await client.post(f"/admin/reports/{report.id}/accept", {"severity": "medium"})
    assert status == 200
    await run_worker()
    assert [int(m["chat_id"]) for m in fake_api.sent()] == [3101]


async def test_the_report_page_says_a_partner_filed_it(product: WebRuntime, client: AdminClient) -> None:
    report = await make_report(None)
    await make_staff("mod", Role.MODERATOR, language="en")
    await client.login("mod")
    status, page = await client.get(f"/admin/reports/{report.id}")
    assert status == 200 and "a partner system (open API)" in page and "None: a partner system filed it." in page


async def test_no_fixed_check_is_opened_for_a_partner_report(
    product: WebRuntime, run_worker: Worker, clock: FrozenClock, fake_api: FakeBotAPI
) -> None:
    await make_report(None, status=Status.FIXED, now=clock.now)
    clock.advance(days=14, hours=1)
    await product.services.redis.enqueue_job("moderation.ask_fixed_checks")
    await run_worker()
    assert not await FixedCheck.exists() and fake_api.sent() == []


async def test_merging_a_partner_report_moves_only_its_followers(product: WebRuntime, clock: FrozenClock) -> None:
    original = await make_report(await make_resident(3201))
    duplicate = await make_report(None, now=clock.now + timedelta(minutes=5))
    await follow(duplicate, await make_resident(3202))
    staff = await make_staff("mod2", Role.MODERATOR)
    result = await merge(duplicate, original, staff, sla=SLA, now=clock.now)
    assert result.moved_resident_ids == [3202]
    followers = await ReportFollower.filter(report_id=original.id).values("resident_id")
    assert followers == [{"resident_id": 3202}]
