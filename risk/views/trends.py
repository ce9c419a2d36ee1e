"""The officials' trends page (/admin/trends): weekly charts as server-side SVG, each number a link to the
queue that lists what it counts, with date-range and district filters. Other features add their own
figures through the "dashboard" panel slot (params: `start_day`, `end_day` (exclusive), `area`, `scope`)."""

from __future__ import annotations

from datetime import date, timedelta

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.pages import now_of
from bot.admin.panels import render_panels
from bot.admin.security import require
from bot.i18n import N_, Translator
from risk.charts import bar_chart, line_chart
from risk.levels import LEVEL_COLOURS
from risk.trends import queue_link, trends
from risk.views.common import label_context, locale_of, scope_of_request, zone_of

DEFAULT_WEEKS = 12
MAX_DAYS = 3 * 366
TREND_NAMES = {
    "by_category": N_("Reports per week by category"),
    "accept_h": N_("Median hours to accept"),
    "fix_d": N_("Median days to fix"),
    "reopened_pct": N_("Share reopened (%)"),
    "cells_by_level": N_("Cells per level"),
    "sla": N_("SLA compliance by agency"),
}


def _day(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return default


def _range(request: web.Request) -> tuple[date, date]:
    today = now_of(request).astimezone(zone_of(request)).date()
    start = _day(request.query.get("from", ""), today - timedelta(weeks=DEFAULT_WEEKS))
    end = _day(request.query.get("to", ""), today) + timedelta(days=1)  # "to" is the last day shown
    if end <= start or (end - start).days > MAX_DAYS:
        start, end = today - timedelta(weeks=DEFAULT_WEEKS), today + timedelta(days=1)
    return start, end


@require(Role.OFFICIAL)
async def trends_page(request: web.Request) -> web.StreamResponse:
    scope, _ = scope_of_request(request), Translator(locale_of(request))
    start, end = _range(request)
    area = request.query.get("area", "").strip()
    found = await trends(start, end, zone_of(request), scope, area=area)
    labels = [week.label for week in found.weeks]
    names = label_context(request)["category_names"]
    level_colours = {level.value: colour for level, colour in LEVEL_COLOURS.items()}
    by_category = {_(names.get(key, key)): values for key, values in found.by_category.items()}
    charts = {
        "by_category": line_chart(by_category, labels, _(TREND_NAMES["by_category"])),
        "accept_h": line_chart({_(TREND_NAMES["accept_h"]): found.accept_h}, labels, _(TREND_NAMES["accept_h"])),
        "fix_d": line_chart({_(TREND_NAMES["fix_d"]): found.fix_d}, labels, _(TREND_NAMES["fix_d"])),
        "reopened_pct": bar_chart([v or 0 for v in found.reopened_pct], labels, _(TREND_NAMES["reopened_pct"])),
        "cells_by_level": line_chart(
            found.cells_by_level, labels, _(TREND_NAMES["cells_by_level"]), colours=level_colours
        ),
    }
    week_links = [queue_link(area=area, since=w.first_day, until=w.first_day + timedelta(days=6)) for w in found.weeks]
    context = {
        **label_context(request),
        "start": start,
        "last_day": end - timedelta(days=1),
        "area": area,
        "districts": [a for a in label_context(request)["grid"].districts.areas if scope.sees_district(a.key)],
        "found": found,
        "charts": charts,
        "names": TREND_NAMES,
        "week_links": week_links,
        "category_links": {
            category: [
                queue_link(category=category, area=area, since=w.first_day, until=w.first_day + timedelta(days=6))
                for w in found.weeks
            ]
            for category in found.by_category
        },
        "agency_links": {agency: queue_link(agency=agency, area=area) for agency in found.sla_by_agency},
        "panels": await render_panels(request, "dashboard", start_day=start, end_day=end, area=area, scope=scope),
    }
    return aiohttp_jinja2.render_template("risk/trends.html", request, context)
