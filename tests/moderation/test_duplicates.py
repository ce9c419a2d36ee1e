"""A report's duplicates (moderation/duplicates.py): the queue's column and the report page count the same links."""

from __future__ import annotations

import re

from bot.admin.accounts import Role
from bot.reports.models import DuplicateFlag, Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import make_report, make_resident


def queue_column(page: str, report_id: int) -> str:
    row = page[page.index(f'<tr data-href="/admin/reports/{report_id}') :]
    row = row[: row.index("</tr>")]
    return str(re.findall(r'<td data-label="Duplicates">([^<]*)</td>', row)[0])


async def test_the_queue_column_and_the_report_page_agree(
    product: WebRuntime, client: AdminClient, clock: FrozenClock
) -> None:
    """Flagged either way round, merged, and one both flagged and merged (counted once): 4 on both pages."""
    reporter = await make_resident(7601)
    report, later, earlier, both = [await make_report(reporter) for _ in range(4)]
    merged = await make_report(reporter, status=Status.DUPLICATE)
    await Report.filter(id__in=[merged.id, both.id]).update(duplicate_of_id=report.id)
    for a, b in ((later, report), (report, earlier), (both, report)):
        await DuplicateFlag.create(
            report=a, similar_to=b, kind="photo", phash_distance=4, distance_m=10.0, created_at=clock.now
        )
    await make_staff("dups", Role.OFFICIAL, language="en")
    assert await client.login("dups") == 200
    _, queue = await client.get("/admin/queue?status=open")
    _, page = await client.get(f"/admin/reports/{report.id}")
    listed = page[page.index('class="card report-duplicates"') : page.index("Open reports of the same kind nearby")]
    linked = set(re.findall(r'<td><a href="/admin/reports/(\d+)">', listed))
    assert linked == {str(later.id), str(earlier.id), str(merged.id), str(both.id)}
    assert queue_column(queue, report.id) == "4" and "4 duplicates" in page
