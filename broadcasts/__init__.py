"""Broadcasts: officials' open letters, the monthly safety-education day, subscriptions.

Domain modules (models, targeting, timing, message, delivery, control, compose, education,
subscriptions, policy, grid_scope) import neither `telegram` nor `aiohttp`; `telegram`, `views`, `jobs` and
`reactions` (warnings to a grid scope asked for with `broadcast.requested`) are the thin transports.
"""

from __future__ import annotations

from pathlib import Path

from bot.features import BotCommandSpec, Feature
from bot.i18n import N_


def feature() -> Feature:
    from broadcasts import jobs, reactions, telegram, views

    return Feature(
        name="broadcasts",
        models=("broadcasts.models",),
        telegram=telegram.register,
        commands=(
            BotCommandSpec("subscribe", N_("safety news for your area")),
            BotCommandSpec("unsubscribe", N_("stop some safety news")),
            BotCommandSpec("stop", N_("stop all broadcasts")),
        ),
        routes=views.setup_routes,
        templates=Path(__file__).parent / "templates",
        static=Path(__file__).parent / "static",
        nav=views.NAV,
        panels=views.PANELS,
        jobs=tuple(jobs.FUNCTIONS),
        cron_jobs=tuple(jobs.CRON_JOBS),
        event_reactions=reactions.EVENT_REACTIONS,
    )
