"""The queue lists what a dashboard number counts: by agency, reopened, and the local days reports were filed."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.admin.accounts import Role
from bot.reports.models import Report
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient, make_staff
from tests.factories import make_report, make_resident


async def test_agency_reopened_and_filing_days_narrow_the_queue(product: WebRuntime, client: AdminClient) -> None:
    resident = await make_resident(7001)
    early, late, other = [await make_report(resident, description=f"hazard {n}") for n in range(3)]
    # 23:30 UTC on the 1st is already the 2nd in Shanghai: local days decide.
    await Report.filter(id=early.id).update(created_at=datetime(2026, 11, 1, 15, 0, tzinfo=UTC), agency="fire")
    await Report.filter(id=late.id).update(created_at=datetime(2026, 11, 1, 23, 30, tzinfo=UTC), agency="fire")
    await Report.filter(id=other.id).update(created_at=datetime(2026, 11, 2, 3, 0, tzinfo=UTC), reopen_count=1)
    await make_staff("official", Role.OFFICIAL, language="en")
    await client.login("official")

    def listed(page: str) -> set[int]:
        return {r.id for r in (early, late, other) if f'href="/admin/reports/{r.id}?' in page}

    _, by_agency = await client.get("/admin/queue?status=all&agency=fire")
    _, on_the_1st = await client.get("/admin/queue?status=all&since=2026-11-01&until=2026-11-01")
    _, on_the_2nd = await client.get("/admin/queue?status=all&since=2026-11-02&until=2026-11-02")
    _, reopened = await client.get("/admin/queue?status=all&reopened=1")
    assert listed(by_agency) == {early.id, late.id}
    assert listed(on_the_1st) == {early.id} and listed(on_the_2nd) == {late.id, other.id}
    assert listed(reopened) == {other.id}
