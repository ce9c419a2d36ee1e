"""Acceptance 5: grid staff on patrol file three hazards in at most 15 taps: photo, location, category, repeated;
no emergency question, no reward, marked as filed on patrol; the daily counts show on the dashboard."""

from __future__ import annotations

from typing import Any

from bot.admin.accounts import Role
from bot.reports.models import Photo, Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from field.models import PatrolSession
from rewards.models import RewardGrant
from rewards.states import GrantState
from tests.admin_client import AdminClient, make_staff
from tests.bot.helpers import noisy_jpeg
from tests.factories import JINGAN, make_pool
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser
from tests.field.conftest import GRID_TG, Worker, grid_member

PLACES = [(31.2304, 121.4737), JINGAN, (31.2290, 121.4760)]
CATEGORIES = ["ebike", "fire_exit", "traffic"]


def row(name: str, *counts: int) -> str:
    return f"<tr><th>{name}</th>" + "".join(f"<td>{n}</td>" for n in counts) + "</tr>"


class Tapping:
    """A grid-staff member's thumb: every message sent and every button pressed is one tap."""

    def __init__(self, user: FakeUser) -> None:
        self.user, self.taps = user, 0

    async def __call__(self, action: str, *args: Any) -> list[dict[str, Any]]:
        self.taps += 1
        replies: list[dict[str, Any]] = await getattr(self.user, action)(*args)
        return replies


async def test_three_hazards_in_at_most_fifteen_taps(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
) -> None:
    await make_pool()
    await grid_member("liu", GRID_TG, areas=["huangpu"])
    tap = Tapping(FakeUser(fake_api, GRID_TG, first_name="Liu"))
    [hello] = await tap("command", "/patrol")
    assert hello["text"].startswith("Patrol mode.")
    for n, (place, category) in enumerate(zip(PLACES, CATEGORIES, strict=True)):
        [where] = await tap("photo", noisy_jpeg(n), f"PATROL-{n}")
        assert where["reply_markup"]["keyboard"][0][0]["request_location"] is True
        [what] = await tap("location", *place)
        [filed] = await tap("press", what, f"fp:{category}")
        assert filed["text"].startswith("Filed #") and f"{n + 1} on this patrol" in filed["text"]
    assert tap.taps <= 15, tap.taps
    reports = await Report.filter(source="patrol").order_by("id")
    assert [r.category for r in reports] == CATEGORIES and {r.reporter_id for r in reports} == {GRID_TG}
    assert all(r.status == Status.SUBMITTED for r in reports)
    assert [await Photo.filter(report_id=r.id).count() for r in reports] == [1, 1, 1]
    assert not any("danger" in m["text"] for m in fake_api.sent(GRID_TG))
    await run_worker()
    assert not await RewardGrant.filter(state=GrantState.GRANTED).exists()
    [end] = await tap("command", "/cancel")
    assert end["text"] == "Patrol ended: 3 hazards filed." and not await PatrolSession.exists()

    await make_staff("chen", Role.OFFICIAL, language="en")
    await client.login("chen")
    _, trends = await client.get("/admin/trends")  # risk's dashboard page renders the "dashboard" slot
    assert "Grid staff on patrol" in trends
    assert row("Liu", 0, 0, 0, 0, 0, 0, 3, 3) in trends
    _, jingan = await client.get("/admin/trends?area=jingan")  # its district filter: one hazard was in Jing'an
    assert row("Liu", 0, 0, 0, 0, 0, 0, 1, 1) in jingan


async def test_patrol_is_for_grid_staff_only(product: WebRuntime, fake_api: FakeBotAPI) -> None:
    [refused] = await FakeUser(fake_api, 6006).command("/patrol")
    assert "Patrol mode is for grid staff" in refused["text"] and not await PatrolSession.exists()


async def test_wrong_input_on_patrol_says_what_is_needed_and_keeps_the_photo(
    product: WebRuntime, fake_api: FakeBotAPI
) -> None:
    await grid_member("liu", GRID_TG, areas=["huangpu"])
    user = FakeUser(fake_api, GRID_TG)
    await user.command("/patrol")
    [need_photo] = await user.location(*PLACES[0])
    assert "send a photo" in need_photo["text"]
    await user.photo(noisy_jpeg(1))
    [need_location] = await user.text("over there")
    assert "Send the hazard's location" in need_location["text"]
    [bad] = await user.location(0.0, 0.0)
    assert bad["text"].startswith("That location cannot be used") and "0,0" in bad["text"]
    [what] = await user.location(*PLACES[0])
    assert "What kind of hazard" in what["text"]
    session = await PatrolSession.get(telegram_user_id=GRID_TG)
    assert session.photo_id is not None and session.step == "category"


async def test_a_category_button_after_the_patrol_ended_does_nothing(product: WebRuntime, fake_api: FakeBotAPI) -> None:
    await grid_member("liu", GRID_TG, areas=["huangpu"])
    user = FakeUser(fake_api, GRID_TG)
    await user.command("/patrol")
    await user.photo(noisy_jpeg(2))
    [what] = await user.location(*PLACES[0])
    await user.command("/cancel")
    answer = await user.press_forged(what, "fp:ebike")
    assert str(answer["show_alert"]).lower() == "true" and answer["text"] == "This button no longer works."
    assert not await Report.filter(source="patrol").exists()


async def test_the_report_page_says_it_was_filed_on_patrol(
    product: WebRuntime, fake_api: FakeBotAPI, client: AdminClient
) -> None:
    await grid_member("liu", GRID_TG, areas=["huangpu"])
    user = FakeUser(fake_api, GRID_TG)
    await user.command("/patrol")
    await user.photo(noisy_jpeg(3))
    [what] = await user.location(*PLACES[0])
    await user.press(what, "fp:fire_exit")
    report = await Report.get(source="patrol")
    await make_staff("mia", Role.MODERATOR, language="en")
    await client.login("mia")
    _, page = await client.get(f"/admin/reports/{report.id}")
    assert "Filed on patrol by grid staff: Liu" in page
