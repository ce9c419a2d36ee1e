"""Risk's admin pages: the warning broadcast button, the rules editor, the trends page, the district panel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.admin.accounts import Role
from bot.events import DomainEvent, EventKind
from bot.reports.models import Report
from bot.runtime import WebRuntime
from risk.levels import RiskLevel
from risk.models import CellRisk, LevelChange, RiskRulesVersion
from risk.rulebook import current_rules
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import make_resident, make_rewardable_report
from tests.risk.helpers import SIMPLE_RULES

Worker = Callable[[], Awaitable[int]]
CELL = "huangpu-0402"


async def red_cell(clock: FrozenClock, level: str = "red") -> LevelChange:
    await CellRisk.create(cell=CELL, district="huangpu", level=level, score=30.0, computed_at=clock())
    return await LevelChange.create(
        cell=CELL, district="huangpu", from_level="yellow", to_level=level, score=30.0, actor="system:test",
        changed_at=clock(),
    )  # fmt: skip


async def official(client: AdminClient, language: str = "en") -> int:
    staff = await make_staff("official", Role.OFFICIAL, language=language)
    await client.login("official")
    return int(staff.id)


class TestWarning:
    async def test_one_click_publishes_one_broadcast_request_for_the_chosen_scope(
        self, product: WebRuntime, client: AdminClient, clock: FrozenClock
    ) -> None:
        change = await red_cell(clock)
        staff_id = await official(client)
        status, panel = await client.get(f"/admin/map/cells/{CELL}")
        assert status == 200 and "Send a warning broadcast" in panel and 'value="huangpu-yuyuan"' in panel
        form = {
            "scope": "huangpu-yuyuan",
            "title": "Warning",
            "text_zh_CN": "注意消防安全",
            "text_en": "Mind fire safety",
        }
        await client.post(f"/admin/map/cells/{CELL}/warn", form)
        _, again = await client.post(f"/admin/map/cells/{CELL}/warn", form)  # a double click
        [event] = await DomainEvent.filter(kind=EventKind.BROADCAST_REQUESTED)
        assert event.payload == {
            "scope": "huangpu-yuyuan",
            "texts": {"zh_CN": "注意消防安全", "en": "Mind fire safety"},
            "title": "Warning",
            "requested_by": staff_id,
            "origin": f"risk.cell:{CELL}:{change.id}",
            "urgent": True,
        }
        assert event.actor == f"staff:{staff_id}" and "already requested" in again

    async def test_a_scope_outside_the_cell_and_its_street_is_refused(
        self, product: WebRuntime, client: AdminClient, clock: FrozenClock
    ) -> None:
        await red_cell(clock)
        await official(client)
        form = {"scope": "city", "text_zh_CN": "注意", "text_en": "Mind"}
        _, page = await client.post(f"/admin/map/cells/{CELL}/warn", form)
        assert "to the cell or to the area around it" in page and not await DomainEvent.exists()

    async def test_a_yellow_cell_offers_no_warning(
        self, product: WebRuntime, client: AdminClient, clock: FrozenClock
    ) -> None:
        await red_cell(clock, level="yellow")
        await official(client)
        _, panel = await client.get(f"/admin/map/cells/{CELL}")
        _, refused = await client.post(
            f"/admin/map/cells/{CELL}/warn", {"scope": CELL, "text_zh_CN": "a", "text_en": "b"}
        )
        assert "Send a warning broadcast" not in panel and "only for a cell that is red or orange" in refused
        assert not await DomainEvent.exists()

    async def test_a_moderator_sees_the_panel_but_no_button(
        self, product: WebRuntime, client: AdminClient, clock: FrozenClock
    ) -> None:
        await red_cell(clock)
        await make_staff("mod", Role.MODERATOR, language="en", areas=["huangpu"])
        await client.login("mod")
        status, panel = await client.get(f"/admin/map/cells/{CELL}")
        assert status == 200 and "Level history" in panel and "Send a warning broadcast" not in panel
        status, _ = await client.post(f"/admin/map/cells/{CELL}/warn", {"scope": CELL})
        assert status == 403


class TestRulesEditor:
    async def test_a_valid_edit_is_in_force_and_kept_in_the_history(
        self, product: WebRuntime, client: AdminClient
    ) -> None:
        await make_staff("admin", Role.ADMIN, language="en")
        await client.login("admin")
        status, page = await client.post("/admin/risk/rules", {"text": SIMPLE_RULES, "note": "lower thresholds"})
        assert status == 200 and "The new risk rules are in force" in page and "lower thresholds" in page
        rules = await current_rules(None)
        assert rules.thresholds[RiskLevel.RED] == 10.0
        assert (await RiskRulesVersion.get()).created_by_id is not None

    async def test_a_bad_edit_is_refused_in_the_readers_language_and_the_text_is_kept(
        self, product: WebRuntime, client: AdminClient
    ) -> None:
        await make_staff("admin", Role.ADMIN, language="zh_CN")
        await client.login("admin")
        bad = SIMPLE_RULES.replace("red = 10.0", "red = 2.0")
        status, page = await client.post("/admin/risk/rules", {"text": bad, "note": "oops"})
        assert status == 400 and "阈值必须按黄、橙、红依次递增" in page and "red = 2.0" in page
        assert not await RiskRulesVersion.exists()

    async def test_officials_cannot_edit_the_rules(self, product: WebRuntime, client: AdminClient) -> None:
        await official(client)
        status, _ = await client.post("/admin/risk/rules", {"text": SIMPLE_RULES})
        assert status == 403


async def test_the_trends_page_counts_weeks_and_links_each_number_to_its_queue(
    product: WebRuntime, client: AdminClient, clock: FrozenClock
) -> None:
    resident = await make_resident(8001)
    for days_ago in (1, 2, 9):
        await make_rewardable_report(resident, category="traffic", filed_at=clock() - timedelta(days=days_ago))
    await official(client)
    status, page = await client.get("/admin/trends?from=2026-11-09&to=2026-11-22")
    shell_script = '<script src="/admin/static/admin.js" defer></script>'  # the header's menus, on every page
    assert status == 200 and "<svg" in page and "<script" not in page.replace(shell_script, "")
    # Weeks of the 9th and of the 16th (local): one traffic report filed in the first, two in the second.
    first = "/admin/queue?status=all&amp;category=traffic&amp;since=2026-11-09&amp;until=2026-11-15"
    second = "/admin/queue?status=all&amp;category=traffic&amp;since=2026-11-16&amp;until=2026-11-22"
    assert f'<a href="{first}">1</a>' in page and f'<a href="{second}">2</a>' in page


async def test_the_status_page_panel_counts_a_districts_cells_by_level(product: WebRuntime, clock: FrozenClock) -> None:
    from risk.views.panels import district_panel

    await red_cell(clock)
    context = await district_panel(product.services, {"district": "huangpu"})
    assert context is not None and context["worst"] == "red"
    assert context["counts"]["red"] == 1 and context["counts"]["blue"] == 24  # Huangpu draws 25 cells
    assert await district_panel(product.services, {"district": "nowhere"}) is None


async def test_the_nightly_run_counts_incidents_and_the_forecast(
    product: WebRuntime, run_worker: Worker, clock: FrozenClock
) -> None:
    from bot.city.models import CellForecast, Incident

    await RiskRulesVersion.create(text=SIMPLE_RULES, created_at=clock())
    await Incident.create(
        event_id="fire-1",
        source="import:test",
        occurred_at=clock() - timedelta(days=10),
        lat=31.2304,
        lon=121.4737,
        category="fire",
        severity=4.0,
        cell=CELL,
        area="huangpu",
        recorded_by="system:test",
    )  # fmt: skip   4 x 0.5 = 2
    await CellForecast.create(
        cell=CELL, period="week", period_start=clock() - timedelta(days=1), expected=3.5, rank=1, computed_at=clock()
    )
    await product.services.redis.enqueue_job("risk.nightly_recompute", True)
    await run_worker()
    [change] = await LevelChange.all()
    assert change.to_level == "orange" and change.why["parts"]["incidents"] == 2.0
    assert change.why["parts"]["forecast"] == 3.5 and change.score == 5.5
    assert not await Report.exists()
