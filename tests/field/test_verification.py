"""Verification of a fix: the window passing with no objection verifies it, "still there" reopens it, only the
reporter or grid staff of the place may answer, and an official's own "fixed" is verified the same way."""

from __future__ import annotations

from arq.jobs import Job

from bot.admin.accounts import Role
from bot.reports.lifecycle import transition
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import MAX_REOPENS, Status
from bot.runtime import WebRuntime
from field.models import Verification
from rewards.models import RewardGrant
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import SLA, make_pool, make_report
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser
from tests.field.conftest import GRID_TG, MODERATORS, REPORTER, Worker, alerted, fixed_by_crew, grid_member, question_to
from tests.field.test_loop import pay_only_once_fixed


async def lapse(product: WebRuntime, run_worker: Worker) -> None:
    await product.services.redis.enqueue_job("field.lapse_verifications", _job_id=f"lapse:{product.services.clock()}")
    await run_worker()
    await run_worker()  # the changes the job made are relayed on the next round


async def test_with_no_objection_in_the_window_the_fix_is_verified_and_rewarded(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    await pay_only_once_fixed(product)
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    clock.advance(hours=71)
    await lapse(product, run_worker)
    assert (await Report.get(id=report.id)).status == Status.FIXED
    clock.advance(hours=2)
    await lapse(product, run_worker)
    assert (await Report.get(id=report.id)).status == Status.VERIFIED_FIXED
    assert (await Verification.get(report_id=report.id)).outcome == "lapsed"
    assert await RewardGrant.exists(report_id=report.id)
    late = await FakeUser(fake_api, REPORTER).press_forged(question_to(fake_api, REPORTER), f"fv:n:{report.id}")
    assert alerted(late) and "is not waiting for a confirmation (it is fixed and confirmed now)" in late["text"]


async def test_still_there_reopens_the_report_for_the_moderators(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
) -> None:
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    [reply] = await FakeUser(fake_api, REPORTER).press(question_to(fake_api, REPORTER), f"fv:n:{report.id}")
    assert reply["text"] == f"Thank you. Report #{report.id} is reopened and goes back to the moderators."
    stored = await Report.get(id=report.id)
    assert (stored.status, stored.reopen_count) == (Status.REOPENED, 1)
    assert (await Verification.get(report_id=report.id)).outcome == "objected"


async def test_at_the_reopen_limit_still_there_tells_the_moderators(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
) -> None:
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    await Report.filter(id=report.id).update(reopen_count=MAX_REOPENS)
    [reply] = await FakeUser(fake_api, REPORTER).press(question_to(fake_api, REPORTER), f"fv:n:{report.id}")
    assert "reopened too often" in reply["text"] and (await Report.get(id=report.id)).status == Status.FIXED
    await run_worker()
    assert any(f"Report #{report.id}" in m["text"] and "still there" in m["text"] for m in fake_api.sent(MODERATORS))


async def test_only_the_reporter_or_grid_staff_of_the_place_may_answer(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker
) -> None:
    await grid_member("far", GRID_TG + 1, areas=["jingan"])
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    question = question_to(fake_api, REPORTER)
    for stranger in (6006, GRID_TG + 1):
        answer = await FakeUser(fake_api, stranger).press_forged(question, f"fv:y:{report.id}")
        assert alerted(answer) and "Only the reporter, or grid staff of this place" in answer["text"]
    nearby = await grid_member("near", GRID_TG, areas=["huangpu"])
    await FakeUser(fake_api, GRID_TG).press_forged(question, f"fv:y:{report.id}")
    assert await StatusChange.exists(report_id=report.id, to_status=Status.VERIFIED_FIXED, actor=f"staff:{nearby.id}")


async def test_an_officials_own_fixed_is_verified_by_the_reporter_too(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient, clock: FrozenClock
) -> None:
    """No crew, no after photo: the reporter is asked in words, and says yes."""
    await make_pool()
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    await transition(report, Status.REOPENED, actor="staff:1", sla=SLA, now=clock.advance(hours=1))
    await transition(report, Status.IN_PROGRESS, actor="staff:1", sla=SLA, now=clock.advance(hours=1))
    clock.advance(hours=1)
    await make_staff("chen", Role.OFFICIAL, language="en")
    await client.login("chen")
    await client.get(f"/admin/reports/{report.id}")
    await client.post(f"/admin/reports/{report.id}/status", {"to": "fixed"})
    await run_worker()
    [_photo_question] = fake_api.sent(REPORTER, "sendPhoto")  # the crew's earlier fix, with its photos
    [words] = [m for m in fake_api.sent(REPORTER) if m.get("reply_markup") and "Is it fixed?" in m["text"]]
    assert "Left:" not in words["text"]
    await FakeUser(fake_api, REPORTER).press(words, f"fv:y:{report.id}")
    assert (await Report.get(id=report.id)).status == Status.VERIFIED_FIXED
    assert [v.outcome for v in await Verification.filter(report_id=report.id).order_by("id")] == [
        "superseded",
        "confirmed",
    ]


async def test_a_partner_systems_report_is_verified_by_the_window_with_nobody_to_ask(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, clock: FrozenClock
) -> None:
    """Filed through the open API (no resident): an official's "fixed" asks nobody and the window verifies it."""
    report = await make_report(None, status=Status.IN_PROGRESS)
    await transition(report, Status.FIXED, actor="staff:1", sla=SLA, now=clock.advance(hours=1))
    await run_worker()
    verification = await Verification.get(report_id=report.id)
    asked = await Job(f"field:ask-reporter:{verification.id}", product.services.redis).result_info()
    assert asked is not None and (asked.success, asked.result) == (True, "no resident")
    clock.advance(hours=73)
    await lapse(product, run_worker)
    assert (await Report.get(id=report.id)).status == Status.VERIFIED_FIXED
