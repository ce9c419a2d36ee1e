"""The weekly bulletin's section (slot "bulletin.section", rendered by the risk feature's bulletin page)."""

from __future__ import annotations

from datetime import timedelta

import aiohttp_jinja2

from bot.i18n import Translator
from bot.runtime import WebRuntime
from hotspots.models import Inspection, InspectionState
from hotspots.views.panels import bulletin_section
from tests.conftest import FrozenClock
from tests.factories import make_agency


async def test_the_bulletin_lists_this_weeks_cells_and_last_weeks_results(
    product: WebRuntime, this_weeks_forecast: None, clock: FrozenClock
) -> None:
    agency = await make_agency()
    for state, days_ago in ((InspectionState.FOUND, 2), (InspectionState.NOTHING_FOUND, 3), (InspectionState.FOUND, 9)):
        await Inspection.create(
            cell="huangpu-0402",
            period="week",
            period_start=clock(),
            agency_id=agency.id,
            due_on=clock().date(),
            state=state,
            assigned_by="staff:1",
            assigned_at=clock() - timedelta(days=days_ago),
            result_at=clock() - timedelta(days=days_ago),
        )
    context = await bulletin_section(product.services, {})
    assert context is not None
    html = (
        aiohttp_jinja2.get_env(product.app)
        .get_template("hotspots/panels/bulletin.html")
        .render(**context, _=Translator("en"), locale="en")
    )
    assert html.index("Huangpu grid 04-02") < html.index("Jing&#39;an grid 03-02")
    # Monday 10:00: "last week" is the week before this one (the result nine days ago is older).
    assert "Last week: 1 of 2 inspections found a hazard." in html
