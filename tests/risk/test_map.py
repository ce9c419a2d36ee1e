"""The map's data per viewport: cells by level, open reports, the forecast layer, scope and bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.admin.accounts import Role
from bot.city.models import CellForecast
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from risk.datum import wgs84_to_gcj02
from risk.models import CellRisk
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import HUANGPU, JINGAN, make_report, make_resident

CITY = "121.40,31.15,121.55,31.30"  # the demo city's three districts, west,south,east,north
HUANGPU_CELL, JINGAN_CELL = "huangpu-0402", "jingan-0302"


async def logged_in(client: AdminClient, role: Role = Role.OFFICIAL, **kw: object) -> None:
    await make_staff("mapper", role, language="en", **kw)
    await client.login("mapper")


async def get_json(client: AdminClient, path: str) -> dict[str, Any]:
    async with client.session.get(path) as response:
        assert response.status == 200, await response.text()
        data: dict[str, Any] = await response.json()
        return data


async def test_cells_carry_their_stored_level_and_blue_elsewhere(
    product: WebRuntime, client: AdminClient, clock: FrozenClock
) -> None:
    await CellRisk.create(cell=HUANGPU_CELL, district="huangpu", level="red", score=30.0, computed_at=clock())
    await logged_in(client)
    data = await get_json(client, f"/admin/map/cells.geojson?bbox={CITY}")
    levels = {f["properties"]["key"]: f["properties"]["level"] for f in data["features"]}
    drawn = [key for key in levels if not key.startswith("h3:")]
    assert len(drawn) == 93 and levels[HUANGPU_CELL] == "red" and levels["huangpu-0101"] == "blue"
    [cell] = [f for f in data["features"] if f["properties"]["key"] == HUANGPU_CELL]
    assert cell["geometry"]["type"] == "Polygon" and cell["properties"]["score"] == 30.0


async def test_open_reports_are_points_and_closed_ones_are_not(product: WebRuntime, client: AdminClient) -> None:
    resident = await make_resident(5001)
    shown = await make_report(resident)
    await make_report(resident, position=JINGAN, area="jingan")
    await make_report(resident, status=Status.REJECTED)
    await logged_in(client)
    data = await get_json(client, f"/admin/map/reports.geojson?bbox={CITY}")
    assert data["counted"] is False and len(data["features"]) == 2
    [point] = [f for f in data["features"] if f["properties"]["id"] == shown.id]
    assert point["geometry"]["coordinates"] == [HUANGPU[1], HUANGPU[0]] and point["properties"]["status"] == "submitted"


async def test_filters_narrow_the_points(product: WebRuntime, client: AdminClient, clock: FrozenClock) -> None:
    resident = await make_resident(5011)
    recent = await make_report(resident, category="traffic")
    old = await make_report(resident, category="ebike")
    await Report.filter(id=recent.id).update(created_at=clock() - timedelta(days=1))
    await Report.filter(id=old.id).update(created_at=clock() - timedelta(days=40))
    await logged_in(client)
    traffic = await get_json(client, f"/admin/map/reports.geojson?bbox={CITY}&category=traffic")
    last_month = await get_json(client, f"/admin/map/reports.geojson?bbox={CITY}&period=30")
    assert [f["properties"]["category"] for f in traffic["features"]] == ["traffic"]
    assert [f["properties"]["category"] for f in last_month["features"]] == ["traffic"]


async def test_a_crowded_viewport_gets_counts_instead_of_markers(product: WebRuntime, client: AdminClient) -> None:
    product.services.settings.map_max_points = 2
    resident = await make_resident(5021)
    for _ in range(3):
        await make_report(resident)
    await logged_in(client)
    data = await get_json(client, f"/admin/map/reports.geojson?bbox={CITY}")  # the open index alone
    ebikes = await get_json(client, f"/admin/map/reports.geojson?bbox={CITY}&category=ebike")  # the reports too
    assert data["counted"] is True and [f["properties"]["count"] for f in data["features"]] == [3]
    assert ebikes["counted"] is True and [f["properties"]["count"] for f in ebikes["features"]] == [3]


async def test_a_moderator_sees_only_their_districts(product: WebRuntime, client: AdminClient) -> None:
    resident = await make_resident(5031)
    mine = await make_report(resident)
    await make_report(resident, position=JINGAN, area="jingan")
    await logged_in(client, Role.MODERATOR, areas=["huangpu"])
    cells = await get_json(client, f"/admin/map/cells.geojson?bbox={CITY}")
    reports = await get_json(client, f"/admin/map/reports.geojson?bbox={CITY}")
    assert {f["properties"]["district"] for f in cells["features"]} == {"huangpu"}
    assert [f["properties"]["id"] for f in reports["features"]] == [mine.id]
    async with client.session.get(f"/admin/map/cells/{JINGAN_CELL}") as response:
        assert response.status == 403


async def test_gcj02_tiles_get_shifted_points(product: WebRuntime, client: AdminClient) -> None:
    product.services.settings.map_tile_datum = "gcj02"
    await make_report(await make_resident(5041))
    await logged_in(client)
    data = await get_json(client, f"/admin/map/reports.geojson?bbox={CITY}")
    lat, lon = wgs84_to_gcj02(*HUANGPU)
    assert data["features"][0]["geometry"]["coordinates"] == [round(lon, 6), round(lat, 6)]


async def test_the_forecast_layer_reads_the_weeks_forecast(
    product: WebRuntime, client: AdminClient, clock: FrozenClock
) -> None:
    for cell, rank, start in ((HUANGPU_CELL, 1, 2), (JINGAN_CELL, 2, 2), ("huangpu-0101", 1, 9)):
        await CellForecast.create(
            cell=cell, period="week", period_start=clock() - timedelta(days=start), expected=3.0 / rank,
            rank=rank, computed_at=clock(),
        )  # fmt: skip
    await logged_in(client)
    data = await get_json(client, f"/admin/map/forecast.geojson?bbox={CITY}")
    assert [(f["properties"]["key"], f["properties"]["rank"]) for f in data["features"]] == [
        (HUANGPU_CELL, 1),
        (JINGAN_CELL, 2),
    ]  # last week's row for huangpu-0101 is not this week's


async def test_a_bad_viewport_is_a_clear_400(product: WebRuntime, client: AdminClient) -> None:
    await logged_in(client)
    for bbox in ("", "1,2,3", "a,b,c,d", "10,10,5,5", "0,0,200,10"):
        status, text = await client.get(f"/admin/map/reports.geojson?bbox={bbox}")
        assert status == 400 and "impossible area" in text


async def test_leaflet_is_served_by_us(product: WebRuntime, client: AdminClient) -> None:
    await logged_in(client)
    status, page = await client.get("/admin/map")
    assert status == 200 and "/static/leaflet/leaflet.js" in page and "<script>" not in page
    status, script = await client.get("/static/leaflet/leaflet.js")
    assert status == 200 and "Leaflet" in script[:400]
