"""The feature's panels on other features' pages (rendered by the page's owner, see bot.features.Panel)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.services import Services
from forecast.backtest import Period
from hotspots import forecasting
from hotspots.inspections import inspection_list
from hotspots.models import Inspection, InspectionState
from hotspots.policy import local_zone
from hotspots.texts import PART_LABELS

#: Cells the bulletin lists (the inspection list in the admin has them all).
BULLETIN_CELLS = 10


async def bulletin_section(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    """Slot "bulletin.section" (the weekly bulletin): where to inspect this week and what last week's inspections
    found. Params: `now` (optional, a moment in the bulletin's week; default the clock)."""
    given = params.get("now")
    now = given if isinstance(given, datetime) else services.clock()
    run = await forecasting.current_run(Period.WEEK, now, local_zone(services.settings))
    rows = await inspection_list(run, services.grid, now, limit=BULLETIN_CELLS) if run else []
    ends_at = run.period_start if run else now
    states = await Inspection.filter(result_at__gte=ends_at - timedelta(days=7), result_at__lt=ends_at).values_list(
        "state", flat=True
    )
    results = [str(state) for state in states]
    return {
        "hotspots_run": run,
        "hotspots_rows": rows,
        "hotspots_grid": services.grid,
        "hotspots_part_labels": PART_LABELS,
        "hotspots_inspected": len(results),
        "hotspots_found": sum(1 for state in results if state == InspectionState.FOUND),
    }
