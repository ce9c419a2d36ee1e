"""arq jobs: the cell forecast (hourly check, computed once per week and month), and uploaded imports."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.worker import Function, func

from bot.services import Services, services_of
from forecast.backtest import Period
from hotspots import forecasting
from hotspots.importer import ImportRules, run_import
from hotspots.policy import escalation, local_zone

FORECAST = "hotspots.forecast"
IMPORT = "hotspots.import"
#: An import of a million rows takes about a minute; arq's default of five minutes is too short for larger ones.
IMPORT_TIMEOUT_S = 3600


async def compute_forecasts(services: Services, *, force: bool) -> list[str]:
    """The forecast for the current week and month, unless it exists (or `force`); which ones were computed."""
    zone, now, done = local_zone(services.settings), services.clock(), []
    for period in (Period.WEEK, Period.MONTH):
        if not force and await forecasting.current_run(period, now, zone) is not None:
            continue
        result = await forecasting.compute(
            services.grid, period, now, zone, top=services.settings.inspection_list_cells
        )
        run = await forecasting.write(result, now)
        done.append(f"{period.value}:{run.cells}")
    return done


async def forecast(ctx: dict[str, Any], force: bool = False) -> list[str]:
    """Hourly: a week (or month) that has begun gets its forecast once; safe to run twice (rows are replaced)."""
    return await compute_forecasts(services_of(ctx), force=force)


def import_rules(services: Services) -> ImportRules:
    settings = services.settings
    return ImportRules(
        grid=services.grid,
        zone=local_zone(settings),
        escalation=escalation(settings, services.grid).rules,
        clock=services.clock,
    )


async def import_file(ctx: dict[str, Any], run_id: int) -> str:
    """An uploaded file (or a resumed run): continues after the run's last written batch."""
    services = services_of(ctx)
    run = await run_import(run_id, import_rules(services))
    return f"{run.state} added={run.added} existing={run.existing} bad={run.bad}"


FUNCTIONS: list[Function] = [
    func(forecast, name=FORECAST),
    func(import_file, name=IMPORT, timeout=IMPORT_TIMEOUT_S, max_tries=3),
]
CRON_JOBS = [cron(forecast, name=f"cron:{FORECAST}", minute={20}, second={0}, unique=True)]
