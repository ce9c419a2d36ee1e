"""Hotspots: send inspectors where the next hazards will be.

Incidents from other systems (`python -m bot events import FILE`, or an upload in the admin) and recorded by
officials; the weekly cell forecast (`forecast.model` on the product's reports, incidents and inspection
results, written to the kernel's `CellForecast`); the inspection list (top cells with why, assign to an
agency, results fed back); escalating warnings (an incident's kind proposes a broadcast to its street, district
or the whole city; one click by an official sends it through the broadcasts feature, via `broadcast.requested`).

Domain modules import neither `telegram` nor `aiohttp`; `views`, `jobs`, `reactions` and `cli` are the transports.
"""

from __future__ import annotations

from pathlib import Path

from bot.features import CliCommand, Feature, Panel


def feature() -> Feature:
    from hotspots import cli, jobs, reactions, views
    from hotspots.views import panels

    return Feature(
        name="hotspots",
        models=("hotspots.models",),
        routes=views.setup_routes,
        templates=Path(__file__).parent / "templates",
        nav=views.NAV,
        jobs=tuple(jobs.FUNCTIONS),
        cron_jobs=tuple(jobs.CRON_JOBS),
        event_reactions=reactions.EVENT_REACTIONS,
        panels=(Panel("bulletin.section", "hotspots/panels/bulletin.html", panels.bulletin_section),),
        cli=(CliCommand("events", "incidents from other systems: import an events file", cli.arguments, cli.run),),
    )
