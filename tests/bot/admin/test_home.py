"""The start page per role (bot/admin/views.home and the features' "home" panels): what needs the reader now."""

from __future__ import annotations

from datetime import timedelta

from bot.admin.accounts import Role
from bot.reports.models import Report
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import JINGAN, make_broadcast, make_report, make_resident


async def test_a_moderator_sees_their_own_queue_and_how_much_is_late(client: AdminClient) -> None:
    reporter = await make_resident(7901)
    late, _fine = await make_report(reporter), await make_report(reporter)
    await make_report(reporter, position=JINGAN, area="jingan")  # another moderator's area
    await Report.filter(id=late.id).update(overdue=True)
    await make_staff("mod", Role.MODERATOR, language="en", areas=["huangpu"])
    assert await client.login("mod") == 200
    _, page = await client.get("/admin")
    assert "2 reports wait in your queue." in page and "1 is past its deadline." in page
    assert 'href="/admin/queue/next"' in page  # start deciding at once
    assert "Held rewards" not in page and "Broadcasts under way" not in page  # officials' matters


async def test_an_empty_queue_says_so(client: AdminClient) -> None:
    await make_staff("mod", Role.MODERATOR, language="en")
    assert await client.login("mod") == 200
    _, page = await client.get("/admin")
    assert "Your queue is empty." in page and 'href="/admin/queue/next"' not in page


async def test_an_official_sees_overdue_work_and_the_scheduled_broadcasts(
    client: AdminClient, clock: FrozenClock
) -> None:
    accepted = await make_report(await make_resident(7902))
    await Report.filter(id=accepted.id).update(status="accepted", overdue=True)
    broadcast = await make_broadcast(clock(), at=clock() + timedelta(days=1))
    await make_staff("boss", Role.OFFICIAL, language="en")
    assert await client.login("boss") == 200
    _, page = await client.get("/admin")
    assert "1 accepted report has no agency yet." in page and "1 open report is past its deadline." in page
    assert "Broadcasts under way" in page and f'href="/admin/broadcasts/{broadcast.id}"' in page
    assert "0 rewards are held" not in page and "No reward is held." in page
