"""Routing accepted reports to the responsible agency (category x area), automatically or by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.admin.accounts import Role
from bot.city.models import Agency
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from moderation.routing import AgencyForm, read_seed, responsible_agency, save_agency, seed_agencies
from tests.admin_client import AdminClient, make_staff
from tests.factories import make_report, make_resident
from tests.fake_botapi import FakeBotAPI

Worker = Callable[[], Awaitable[int]]
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def agency(
    key: str, *, categories: tuple[str, ...] = (), areas: tuple[str, ...] = (), chat: int | None = None
) -> Agency:
    return await save_agency(
        AgencyForm(key, key.title(), categories=categories, areas=areas, telegram_chat_id=chat),
        actor="staff:1",
        now=NOW,
    )


class TestResponsibleAgency:
    async def test_the_most_specific_agency_wins(self, orm: None) -> None:
        await agency("city")
        await agency("fire", categories=("ebike",))
        await agency("huangpu_fire", categories=("ebike",), areas=("huangpu",))
        assert (await responsible_agency("ebike", "huangpu")).key == "huangpu_fire"  # type: ignore[union-attr]
        assert (await responsible_agency("ebike", "jingan")).key == "fire"  # type: ignore[union-attr]
        assert (await responsible_agency("traffic", "jingan")).key == "city"  # type: ignore[union-attr]

    async def test_inactive_agencies_are_skipped(self, orm: None) -> None:
        await save_agency(AgencyForm("old", "Old", active=False), actor="staff:1", now=NOW)
        assert await responsible_agency("ebike", "huangpu") is None

    async def test_seed_file_is_upserted(self, orm: None, tmp_path: Path) -> None:
        """Starting twice with the same seed file changes nothing the second time."""
        seed = tmp_path / "agencies.json"
        seed.write_text('[{"key": "fire", "name": "Fire brigade", "name_zh": "消防", "categories": ["ebike"]}]')
        assert [form.key for form in read_seed(seed)] == ["fire"]
        await seed_agencies(seed, now=NOW)
        await seed_agencies(seed, now=NOW)
        [stored] = await Agency.all()
        assert (stored.name_zh, stored.categories) == ("消防", ["ebike"])


class TestDispatch:
    async def test_accepting_dispatches_automatically_and_tells_the_reporter(
        self, product: WebRuntime, client: AdminClient, fake_api: FakeBotAPI, run_worker: Worker
    ) -> None:
        """With a responsible agency, acceptance is followed by dispatch (the agency's crew card: tests/field)."""
        await agency("huangpu_fire", categories=("ebike",), areas=("huangpu",), chat=-2001)
        report = await make_report(await make_resident(6001))
        await make_staff("mod", Role.MODERATOR, language="en")
        await client.login("mod")
        status, page = await client.post(f"/admin/reports/{report.id}/accept", {"severity": "high"})
        assert status == 200 and "dispatched to Huangpu_Fire" in page
        stored = await Report.get(id=report.id)
        assert (stored.status, stored.agency, stored.severity) == (Status.DISPATCHED, "huangpu_fire", "high")
        await run_worker()
        assert sorted(m["text"].splitlines()[1] for m in fake_api.sent(6001)) == [
            "A moderator checked it and accepted it. It will go to the responsible agency.",
            "It has been sent to Huangpu_Fire, who will fix it.",
        ]

    async def test_without_an_agency_the_report_waits_accepted(self, product: WebRuntime, client: AdminClient) -> None:
        report = await make_report(await make_resident(6011))
        await make_staff("mod", Role.MODERATOR, language="en")
        await client.login("mod")
        await client.post(f"/admin/reports/{report.id}/accept", {"severity": "low"})
        assert (await Report.get(id=report.id)).status == Status.ACCEPTED

    async def test_agencies_are_configured_by_admins(self, product: WebRuntime, client: AdminClient) -> None:
        await make_staff("boss", Role.ADMIN, language="en")
        await client.login("boss")
        await client.get("/admin/agencies")
        status, page = await client.post(
            "/admin/agencies",
            {
                "key": "xuhui_grid",
                "name": "Xuhui grid unit",
                "name_zh": "徐汇网格",
                "areas": "xuhui",
                "active": "1",
                "telegram_chat_id": "-3003",
            },
        )
        assert status == 200 and "xuhui_grid saved" in page
        stored = await Agency.get(key="xuhui_grid")
        assert (stored.areas, stored.telegram_chat_id, stored.active) == (["xuhui"], -3003, True)
