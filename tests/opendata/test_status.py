"""The public status page: district figures (cached), the lookup and its public timeline, limits; no login."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.reports.lifecycle import transition
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from opendata.status import district_figures
from tests.conftest import FrozenClock
from tests.factories import DEMO_GRID, FILED_AT, SLA, STAFF
from tests.opendata.helpers import Open311Client, report_at

SHANGHAI_ZONE = "Asia/Shanghai"


async def fixed_after(hours: float, *, area: str = "huangpu", days_ago: float = 3) -> Report:
    report = await report_at(Status.ACCEPTED, days_ago=days_ago, area=area)
    await transition(report, Status.FIXED, actor=STAFF, sla=SLA, now=report.created_at + timedelta(hours=hours))
    return report


async def test_district_figures(orm: None) -> None:
    from zoneinfo import ZoneInfo

    await report_at(Status.ACCEPTED)  # open hazard in huangpu
    await report_at(Status.IN_PROGRESS, category="ebike")  # private kinds are counted too
    await report_at(Status.SUBMITTED)  # not a hazard until a moderator says so
    await report_at(Status.ACCEPTED, area="jingan")
    for hours in (10, 20, 60):
        await fixed_after(hours)
    await fixed_after(5, days_ago=40)  # fixed last month: in the median, not in "this month"
    figures = {row["key"]: row for row in await district_figures(DEMO_GRID, now=FILED_AT, zone=ZoneInfo(SHANGHAI_ZONE))}
    assert (figures["huangpu"]["open"], figures["huangpu"]["fixed_this_month"]) == (2, 3)
    assert figures["huangpu"]["median_hours_to_fix"] == 15.0
    assert (figures["jingan"]["open"], figures["jingan"]["fixed_this_month"]) == (1, 0)
    assert figures["jingan"]["median_hours_to_fix"] is None and figures["xuhui"]["open"] == 0


@pytest.mark.parametrize(
    ("lang", "heading", "open_label"),
    [("en", "City hazard status", "Open hazards"), ("zh_CN", "城市隐患状况", "未消除隐患")],
)
async def test_the_page_needs_no_login_and_speaks_both_languages(
    api: Open311Client, lang: str, heading: str, open_label: str
) -> None:
    await report_at(Status.ACCEPTED)
    answer = await api.get("/status", lang=lang)
    assert answer.status == 200 and heading in answer.text and open_label in answer.text
    assert '<tr data-district="huangpu">' in answer.text and "<script>" not in answer.text.replace("<script src=", "")


async def test_figures_are_cached_for_a_while(api: Open311Client, product: WebRuntime, clock: FrozenClock) -> None:
    await report_at(Status.ACCEPTED)
    first = await api.get("/status", lang="en")
    await report_at(Status.ACCEPTED)
    cached = await api.get("/status", lang="en")
    assert '<td class="open">1</td>' in first.text and '<td class="open">1</td>' in cached.text
    await product.services.redis.delete("opendata:status:figures")  # as the key's expiry would
    fresh = await api.get("/status", lang="en")
    assert '<td class="open">2</td>' in fresh.text


async def test_a_lookup_shows_the_public_timeline(api: Open311Client) -> None:
    report = await report_at(Status.ACCEPTED)
    await transition(report, Status.FIXED, actor=STAFF, sla=SLA, now=FILED_AT, public_note="Exit unlocked")
    page = (await api.get("/status", lang="en", report=f"#{report.id}")).text
    assert f"#{report.id} · Blocked fire exit or escape route · Fixed" in page
    for line in ("Awaiting moderation", "Accepted as a hazard", "Fixed: Exit unlocked"):
        assert line in page


async def test_a_lookup_before_acceptance_shows_statuses_without_notes(api: Open311Client) -> None:
    report = await report_at(Status.SUBMITTED)
    await transition(report, Status.NEEDS_INFO, actor=STAFF, sla=SLA, now=FILED_AT, public_note="Which flat?")
    page = (await api.get("/status", lang="en", report=str(report.id))).text
    assert "More information asked for" in page and "Which flat?" not in page


@pytest.mark.parametrize(("asked", "says"), [("99999", "There is no report #99999."), ("abc", "digits only")])
async def test_a_lookup_of_nothing_says_so(api: Open311Client, asked: str, says: str) -> None:
    page = await api.get("/status", lang="en", report=asked)
    assert page.status == 200 and says in page.text


@pytest.mark.settings(public_burst=2, public_rate_per_s=0.01)
async def test_the_page_is_rate_limited_per_address(api: Open311Client) -> None:
    assert [(await api.get("/status", lang="en")).status for _ in range(2)] == [200, 200]
    refused = await api.get("/status", lang="en")
    assert refused.status == 429 and "Too many requests" in refused.text and refused.headers["Retry-After"]
    assert (await api.get("/status/map.json")).status == 429


async def test_the_map_draws_the_districts_under_the_reports(api: Open311Client) -> None:
    features = (await api.get("/status/map.json")).json()["features"]
    outlines = {f["properties"]["district"]: f["geometry"]["type"] for f in features if "district" in f["properties"]}
    assert outlines == {"huangpu": "Polygon", "jingan": "Polygon", "xuhui": "Polygon"}
