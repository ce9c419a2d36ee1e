"""Panels risk gives other features' pages (features meet without importing each other)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.city.grid import Level
from bot.services import Services
from risk.levels import LEVEL_COLOURS, LEVEL_LABELS, LEVELS_HIGH_FIRST, RiskLevel
from risk.models import CellRisk


async def district_panel(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """For "status.district" (the public status page): how many of the district's cells sit at each level.
    Public, so only counts: no cell names, no reports. Param `district`: the district key."""
    district = str(params.get("district") or "")
    if services.grid.level(district) is None:
        return None
    grid = services.grid
    cells = [unit.key for unit in grid.units_of(Level.CELL) if grid.district_of(unit.key) == district]
    stored = Counter(str(level) for (level,) in await CellRisk.filter(district=district).values_list("level"))
    counts = {level.value: int(stored.get(level.value, 0)) for level in LEVELS_HIGH_FIRST}
    counts["blue"] = max(counts["blue"], len(cells) - sum(v for k, v in counts.items() if k != "blue"))
    worst = next((level for level in LEVELS_HIGH_FIRST if counts[level.value]), LEVELS_HIGH_FIRST[-1])
    return {
        "counts": counts,
        "worst": worst,
        "levels": LEVELS_HIGH_FIRST,
        "labels": LEVEL_LABELS,
        "colours": LEVEL_COLOURS,
    }


async def cell_level_panel(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """For "inspections.cell" (the inspection list): the cell's current level, linking to its map panel.
    Param `cell`: the cell key. A cell with no stored level is blue (as on the map)."""
    cell = str(params.get("cell") or "")
    if services.grid.level(cell) is not Level.CELL:
        return None
    stored = await CellRisk.get_or_none(cell=cell).values_list("level", flat=True)
    level = RiskLevel(str(stored)) if stored else RiskLevel.BLUE
    return {"cell": cell, "level": level, "labels": LEVEL_LABELS, "colours": LEVEL_COLOURS}
