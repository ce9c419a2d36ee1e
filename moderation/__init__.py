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


async def _seed_agencies(services: Services) -> None:
    from moderation.routing import seed_agencies

    path = services.settings.agencies_file
    if path is not None and path.exists():
        await seed_agencies(path, now=services.clock())


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
