"""Moderation: queues, decisions, merge, routing to agencies, overdue escalation, follow-up, the moderators' group.

Domain modules (models, decisions, queue, detail, merge, routing, overdue, followup, answers, group,
notifications, redaction) import neither `telegram` nor `aiohttp`; `telegram`, `views`, `jobs` and
`reactions` are the thin transports.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.features import Feature

if TYPE_CHECKING:
    from bot.services import Services


#: The agencies a sandbox starts with, so that Dispatch works in a trial at once.
DEMO_AGENCIES = Path(__file__).parent / "data" / "agencies.example.json"


async def _seed_agencies(services: Services) -> None:
    """The deployer's AGENCIES_FILE, upserted; in the sandbox without one, the demo agencies that are
    missing (edits made at /admin/agencies in a trial survive a restart)."""
    from moderation.routing import seed_agencies

    settings = services.settings
    path = settings.agencies_file
    if path is not None and path.exists():
        await seed_agencies(path, now=services.clock())
    elif path is None and settings.sandbox_enabled:
        await seed_agencies(DEMO_AGENCIES, now=services.clock(), only_missing=True)


def feature() -> Feature:
    from moderation import jobs, reactions, telegram, views

    return Feature(
        name="moderation",
        models=("moderation.models",),
        telegram=telegram.register,
        routes=views.setup_routes,
        templates=Path(__file__).parent / "templates",
        static=Path(__file__).parent / "static",
        nav=views.NAV,
        panels=views.PANELS,
        jobs=jobs.FUNCTIONS,
        cron_jobs=jobs.CRON_JOBS,
        reactions=reactions.REACTIONS,
        on_startup=_seed_agencies,
    )
