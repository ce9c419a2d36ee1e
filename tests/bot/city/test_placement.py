"""Reports and incidents land on the grid: on intake, and when the archive is placed (again)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.city.grid import DEMO_CITY_FILE, Grid
from bot.city.models import Incident
from bot.city.placement import place_all
from bot.reports.models import Report
from tests.factories import HUANGPU, make_report, make_resident

WHEN = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def test_unplaced_reports_and_incidents_are_placed_and_placed_ones_left_alone(orm: None) -> None:
    report = await make_report(await make_resident(1))
    await Report.filter(id=report.id).update(area=None, street=None, cell=None)  # filed before the grid
    await Incident.create(
        event_id="fire-1",
        source="admin",
        occurred_at=WHEN,
        lat=HUANGPU[0],
        lon=HUANGPU[1],
        category="fire",
        recorded_by="staff:1",
    )
    grid = Grid.from_file(DEMO_CITY_FILE)
    assert await place_all(Report, grid) == 1 and await place_all(Incident, grid) == 1
    placed = await Report.get(id=report.id)
    assert (placed.area, placed.street, placed.cell) == ("huangpu", "huangpu-yuyuan", "huangpu-0402")
    incident = await Incident.get(event_id="fire-1")
    assert incident.cell == "huangpu-0402"
    assert await place_all(Report, grid) == 0


async def test_placing_everything_again_moves_rows_to_a_new_grid(orm: None) -> None:
    report = await make_report(await make_resident(1))
    hexagons = Grid([], h3_resolution=9)  # a city that draws nothing: H3 everywhere
    assert await place_all(Report, hexagons) == 0  # only unplaced rows by default
    assert await place_all(Report, hexagons, only_unplaced=False) == 1
    placed = await Report.get(id=report.id)
    assert placed.area is None and placed.cell is not None and placed.cell.startswith("h3:")
