"""Rewards: bounty rules, an exact double-entry ledger, grants, payouts and fraud controls.

Domain modules (rules, rulebook, ledger, budget, grants, fraud, payouts, claims, identity, lapse,
statement, announcement) import neither `telegram` nor `aiohttp`; `telegram`, `views`, `jobs` and
`reactions` are the thin transports.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.features import BotCommandSpec, Feature
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.services import Services


#: ¥10,000: enough for a sandbox trial's rewards to be granted, not left waiting for budget.
SANDBOX_POOL_FEN = 1_000_000


async def _start(services: Services) -> None:
    """Make the payout key now, not at the first /claim: every process starting together shares one key (the
    file is created atomically) and a deployer backing up var_dir finds it from the first run. A local trial
    (no bot token) gets a funded pool for this year; real pools are funded by officials."""
    from rewards.budget import open_trial_pool
    from rewards.crypto import rewards_key

    rewards_key(services.settings)
    if services.settings.sandbox_enabled:
        await open_trial_pool(SANDBOX_POOL_FEN, now=services.clock())


def feature() -> Feature:
    from rewards import jobs, reactions, telegram, views

    return Feature(
        name="rewards",
        models=("rewards.models",),
        telegram=telegram.register,
        commands=(
            BotCommandSpec("balance", N_("your rewards")),
            BotCommandSpec("claim", N_("verify your name and claim your rewards")),
            BotCommandSpec("leaderboard", N_("this month's top reporters")),
        ),
        routes=views.setup_routes,
        templates=Path(__file__).parent / "templates",
        nav=views.NAV,
        jobs=tuple(jobs.FUNCTIONS),
        cron_jobs=tuple(jobs.CRON_JOBS),
        reactions=reactions.REACTIONS,
        panels=views.PANELS,
        on_startup=_start,
    )
