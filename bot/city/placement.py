"""Putting reports and incidents on the grid: on intake, and for rows filed before (or under another grid)."""

from __future__ import annotations

from typing import Protocol

from tortoise.models import Model

from bot.city.grid import Grid
from bot.city.models import Incident
from bot.reports.models import Report

#: Rows placed per database round trip when the whole archive is placed again.
PLACE_BATCH = 2000


class Placeable(Protocol):
    lat: float
    lon: float
    area: str | None
    street: str | None
    cell: str | None


def place(row: Placeable, grid: Grid) -> None:
    """Set the row's district, street and cell from its position (the caller saves it)."""
    where = grid.locate(row.lat, row.lon)
    row.area, row.street, row.cell = where.district, where.street, where.cell


def place_report(report: Report, grid: Grid) -> None:
    place(report, grid)


async def place_all(model: type[Report] | type[Incident], grid: Grid, *, only_unplaced: bool = True) -> int:
    """Place every row of `model` (only those with no cell yet, unless asked); returns how many changed."""
    changed, last_id = 0, 0
    while True:
        query = model.filter(id__gt=last_id).order_by("id").limit(PLACE_BATCH)
        if only_unplaced:
            query = query.filter(cell__isnull=True)
        rows: list[Model] = list(await query)
        if not rows:
            return changed
        moved = [row for row in rows if _moved(row, grid)]
        if moved:
            await model.bulk_update(moved, fields=["area", "street", "cell"])  # type: ignore[arg-type]
        changed += len(moved)
        last_id = int(rows[-1].pk)


def _moved(row: Model, grid: Grid) -> bool:
    before = (row.area, row.street, row.cell)  # type: ignore[attr-defined]
    place(row, grid)  # type: ignore[arg-type]
    return before != (row.area, row.street, row.cell)  # type: ignore[attr-defined]
