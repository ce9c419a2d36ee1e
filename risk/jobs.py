"""Risk's arq jobs: the nightly recomputation of every cell, and the weekly / monthly bulletin.

The crons run every hour and act only at the configured local hour (or once the bulletin is due and
not yet made), so a worker that was down at that hour catches up, and running twice does nothing twice.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from arq import cron
from arq.worker import Function, func

from bot.services import services_of
from risk.recompute import recompute
from risk.rulebook import current_rules

NIGHTLY_ACTOR = "system:risk.nightly"


async def nightly_recompute(ctx: dict[str, Any], force: bool = False) -> int:
    """Recompute every cell with facts or a level (decay moves levels with no status change); returns changes."""
    services = services_of(ctx)
    now = services.clock()
    if (
        not force
        and now.astimezone(ZoneInfo(services.settings.local_timezone)).hour != services.settings.risk_nightly_hour
    ):
        return 0
    rules = await current_rules(services.settings.risk_rules_file)
    done = await recompute(None, rules, services.grid, actor=NIGHTLY_ACTOR, now=now)
    return len(done.changes)


FUNCTIONS: tuple[Function, ...] = (func(nightly_recompute, name="risk.nightly_recompute"),)
CRON_JOBS = (cron(nightly_recompute, name="cron:risk.nightly_recompute", minute={23}, second={0}, unique=True),)
