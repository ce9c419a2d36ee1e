"""The box queries a map's viewport asks: rows inside it, open reports up to a limit, counts per square."""

from __future__ import annotations

from bot.reports.spatial import BoundingBox, counts_in_box, in_list, open_reports_in_box, rows_in_box
from bot.reports.statuses import OPEN_STATUSES, Status
from tests.factories import make_report, make_resident

BOX = BoundingBox(min_lat=31.20, max_lat=31.26, min_lon=121.40, max_lon=121.50)
INSIDE_WEST, INSIDE_EAST, OUTSIDE = (31.21, 121.41), (31.25, 121.49), (31.30, 121.60)


async def test_only_what_lies_inside_and_is_open(orm: None) -> None:
    resident = await make_resident(7101)
    west = await make_report(resident, position=INSIDE_WEST)
    east = await make_report(resident, position=INSIDE_EAST)
    await make_report(resident, position=INSIDE_EAST, status=Status.FIXED)
    await make_report(resident, position=OUTSIDE)
    open_filter = [in_list("r.status", OPEN_STATUSES)]
    rows = await rows_in_box(BOX, "r.id", open_filter, open_only=True)
    assert sorted(row["id"] for row in rows) == [west.id, east.id]
    assert len(await rows_in_box(BOX, "r.id", [])) == 3  # the fixed one too
    assert await open_reports_in_box(BOX, up_to=10) == 2 and await open_reports_in_box(BOX, up_to=1) == 1


async def test_counts_per_square_put_each_report_in_its_square(orm: None) -> None:
    resident = await make_resident(7111)
    for position in (INSIDE_WEST, INSIDE_WEST, INSIDE_EAST):
        await make_report(resident, position=position)
    squares = await counts_in_box(BOX, 2, 2, [], open_only=True)
    filtered = await counts_in_box(BOX, 2, 2, [("r.category = ?", ["ebike"])], open_only=True)
    # South-west square (row 0, col 0) holds two, north-east (row 1, col 1) one.
    assert sorted((s["grid_row"], s["grid_col"], s["n"]) for s in squares) == [(0, 0, 2), (1, 1, 1)]
    assert sorted((s["grid_row"], s["grid_col"], s["n"]) for s in filtered) == [(0, 0, 2), (1, 1, 1)]
