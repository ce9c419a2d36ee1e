"""The report's timeline in words (moderation/views/timeline.py): names and readable actions, never raw tags."""

from __future__ import annotations

import re

from bot.admin.accounts import Role
from tests.admin_client import AdminClient, make_staff
from tests.factories import make_report, make_resident


def timeline_rows(page: str) -> list[str]:
    table = page[page.index('class="stack timeline"') :]
    table = table[: table.index("</table>")]
    return [re.sub(r"<[^>]+>", " ", row) for row in table.split("<tr>")[2:]]


async def test_an_acceptance_shows_the_moderators_name_and_the_action_in_words(client: AdminClient) -> None:
    report = await make_report(await make_resident(7801, first_name="Mei"))
    await make_staff("alice", Role.MODERATOR, language="en", display_name="Alice Wang")
    assert await client.login("alice") == 200
    await client.get(f"/admin/reports/{report.id}")
    await client.post(f"/admin/reports/{report.id}/ask", {"question": "Which floor is it on?"})
    await client.post(f"/admin/reports/{report.id}/accept", {"severity": "high"})
    _, page = await client.get(f"/admin/reports/{report.id}")
    rows = timeline_rows(page)
    assert any("the reporter" in row and "awaiting review" in row for row in rows), rows
    accepted = [row for row in rows if "Alice Wang" in row and "→ accepted" in row]
    assert accepted and "severity: high" in accepted[0], rows
    assert any("Alice Wang" in row and "Which floor is it on?" in row for row in rows), rows
    assert "staff:" not in page and "report:accept" not in page and "resident:7801" not in page


async def test_the_timeline_is_in_the_readers_language(client: AdminClient) -> None:
    report = await make_report(await make_resident(7802))
    await make_staff("wang", Role.MODERATOR, language="zh_CN", display_name="王芳")
    assert await client.login("wang") == 200
    await client.get(f"/admin/reports/{report.id}")
    await client.post(f"/admin/reports/{report.id}/reject", {"template": "not_hazard"})
    _, page = await client.get(f"/admin/reports/{report.id}")
    rows = timeline_rows(page)
    assert any("王芳" in row and "待审核 → 未通过" in row and "这不属于安全隐患。" in row for row in rows), rows
    assert "report:reject" not in page
