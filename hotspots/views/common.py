"""What the feature's pages share: the period asked for, labels for templates."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.admin.pages import services_of
from forecast.backtest import Period
from hotspots.policy import local_zone
from hotspots.texts import (
    IMPORT_STATE_LABELS,
    INSPECTION_STATE_LABELS,
    PART_LABELS,
    PERIOD_LABELS,
    PROPOSAL_STATE_LABELS,
    SCOPE_LEVEL_LABELS,
)


def period_of(request: web.Request) -> Period:
    try:
        return Period(request.query.get("period", Period.WEEK.value))
    except ValueError:
        return Period.WEEK


def labels(request: web.Request) -> dict[str, Any]:
    services = services_of(request)
    return {
        "grid": services.grid,
        "areas": services.areas,
        "zone": local_zone(services.settings),
        "part_labels": PART_LABELS,
        "inspection_state_labels": INSPECTION_STATE_LABELS,
        "proposal_state_labels": PROPOSAL_STATE_LABELS,
        "import_state_labels": IMPORT_STATE_LABELS,
        "scope_level_labels": SCOPE_LEVEL_LABELS,
        "period_labels": PERIOD_LABELS,
        "periods": list(Period),
    }
