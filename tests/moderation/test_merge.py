"""Merging a duplicate into the original moves its people and tells each of them once (acceptance 2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.admin.accounts import Role
from bot.admin.audit import EventTag
from bot.admin.models import AuditEvent
from bot.reports.models import Report, ReportFollower
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient, make_staff
from tests.factories import follow, make_report, make_resident
from tests.fake_botapi import FakeBotAPI

Worker = Callable[[], Awaitable[int]]


async def merge_through_admin(client: AdminClient, duplicate: Report, original: Report) -> str:
    await make_staff("merger", Role.MODERATOR, language="en")
    await client.login("merger")
    await client.get(f"/admin/reports/{duplicate.id}")
    status, page = await client.post(f"/admin/reports/{duplicate.id}/merge", {"into": str(original.id)})
    assert status == 200
    return page


class TestMerge:
    async def test_reporter_and_followers_move_and_each_gets_one_dm(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """A's reporter and follower follow B afterwards; each hears it once, in their own language."""
        carol, alice, bob = await make_resident(2003), await make_resident(2001), await make_resident(2002, "zh_CN")
        original, duplicate = await make_report(carol), await make_report(alice)
        await follow(duplicate, bob)
        await merge_through_admin(client, duplicate, original)
        await run_worker()
        [to_alice], [to_bob] = fake_api.sent(2001), fake_api.sent(2002)
        assert f"#{original.id}" in to_alice["text"] and "merged" in to_alice["text"]
        assert f"#{original.id}" in to_bob["text"] and "合并" in to_bob["text"]
        assert fake_api.sent(2003) == []
        followers = await ReportFollower.filter(report_id=original.id).values("resident_id")
        assert {row["resident_id"] for row in followers} == {2001, 2002}

    async def test_the_first_reporter_stays_reporter_of_record(self, product: WebRuntime, client: AdminClient) -> None:
        """The duplicate is closed with a link; the original keeps its reporter."""
        carol, alice = await make_resident(2013), await make_resident(2011)
        original, duplicate = await make_report(carol), await make_report(alice)
        page = await merge_through_admin(client, duplicate, original)
        assert f"#{original.id}" in page
        stored = await Report.get(id=duplicate.id)
        assert (stored.status, stored.duplicate_of_id) == (Status.DUPLICATE, original.id)
        assert (await Report.get(id=original.id)).reporter_id == carol.id
        assert await AuditEvent.filter(action=EventTag.REPORT_MERGE, report_id=duplicate.id).exists()

    async def test_moved_people_hear_about_the_original_afterwards(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """Once moved, the duplicate's reporter gets the original's next update as a follower."""
        carol, alice = await make_resident(2023), await make_resident(2021)
        original, duplicate = await make_report(carol), await make_report(alice)
        await merge_through_admin(client, duplicate, original)
        await client.post(f"/admin/reports/{original.id}/accept", {"severity": "high"})
        await run_worker()
        [update] = [message["text"] for message in fake_api.sent(2021) if "merged" not in message["text"]]
        assert "which you follow" in update and "accepted" in update

    async def test_merging_into_a_duplicate_is_refused(self, product: WebRuntime, client: AdminClient) -> None:
        """The moderator is pointed at the real original; nothing changes."""
        owner = await make_resident(2031)
        first, second, third = [await make_report(owner) for _ in range(3)]
        await merge_through_admin(client, second, first)
        status, page = await client.post(f"/admin/reports/{third.id}/merge", {"into": str(second.id)})
        assert status == 200 and f"merge into #{first.id} instead" in page
        assert (await Report.get(id=third.id)).status == Status.SUBMITTED
