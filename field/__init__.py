"""Field: agency crews work their reports from Telegram, fixes are verified by someone other than the crew,
officials list major hazards until they are closed off, and grid staff file what they find on patrol.

Domain modules (models, rules, tasks, work, crews, cards, pictures, verification, listing, patrol, stats,
texts) import neither `telegram` nor `aiohttp`; `telegram`, `views`, `jobs` and `reactions` are the thin
transports. It meets moderation and rewards only through the kernel: status changes (a dispatch opens a crew
task, a fix opens a verification), the `report.overdue` event, panels, and the kernel's tables.
"""

from __future__ import annotations

from pathlib import Path

from bot.features import Feature


def feature() -> Feature:
    from field import jobs, reactions, telegram, views

    return Feature(
        name="field",
        models=("field.models",),
        telegram=telegram.register,
        routes=views.setup_routes,
        templates=Path(__file__).parent / "templates",
        nav=views.NAV,
        jobs=jobs.FUNCTIONS,
        cron_jobs=jobs.CRON_JOBS,
        reactions=reactions.REACTIONS,
        event_reactions=reactions.EVENT_REACTIONS,
        panels=views.PANELS,
    )
