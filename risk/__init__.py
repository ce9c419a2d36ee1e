"""Risk: work from the map. Every grid cell's red / orange / yellow / blue level, the map of hazards,
trends for the officials' dashboard, and the weekly (and monthly) bulletin.

Domain modules (levels, rules, rulebook, score, facts, recompute, scope, datum, mapdata, cellpanel, trends,
charts, bulletin, bulletin_map, bulletin_csv, warning, texts, models) import neither `telegram` nor `aiohttp`;
`views`, `jobs` and `reactions` are the thin transports.

What other features meet here:
- `EventKind.CELL_LEVEL_CHANGED` is published for every level change (payload in bot/events.py).
- `EventKind.BROADCAST_REQUESTED` is published by the one-click warning on a red or orange cell.
- Panels rendered by risk's pages: "dashboard" (the trends page), "bulletin.section" (each bulletin).
- Panels risk gives: "status.district" (a district's levels, for the public status page).
- The map draws the forecast (kernel table `CellForecast`, period "week") as its own layer.
"""

from __future__ import annotations

from pathlib import Path

from bot.features import Feature


def feature() -> Feature:
    from risk import jobs, reactions, views

    return Feature(
        name="risk",
        models=("risk.models",),
        routes=views.setup_routes,
        templates=Path(__file__).parent / "templates",
        nav=views.NAV,
        jobs=jobs.FUNCTIONS,
        cron_jobs=jobs.CRON_JOBS,
        reactions=reactions.REACTIONS,
        event_reactions=reactions.EVENT_REACTIONS,
        panels=views.PANELS,
    )
