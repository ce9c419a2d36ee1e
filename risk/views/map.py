"""The map page (/admin/map), its GeoJSON per viewport, a cell's side panel, and the one-click warning."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from shapely.ops import unary_union

from bot.admin.accounts import Role, has_role
from bot.admin.pages import flash, go_to, now_of, services_of, staff_of
from bot.admin.security import require
from bot.city.models import Agency
from bot.i18n import N_, Translator
from bot.reports.statuses import OPEN_STATUSES, Status
from risk import texts
from risk.cellpanel import cell_panel
from risk.charts import line_chart
from risk.levels import LEVEL_COLOURS, LEVEL_LABELS
from risk.mapdata import (
    PERIODS_D,
    BadViewportError,
    MapFilter,
    Viewport,
    cells_geojson,
    forecast_geojson,
    reports_geojson,
    shift_of,
)
from risk.notify import why_text
from risk.views.common import json_attr, label_context, locale_of, scope_of_request, translated, zone_of
from risk.warning import WarningError, request_warning

WARNING_SENT = N_("The warning broadcast was requested for %(place)s.")
WARNING_AGAIN = N_("A warning for %(place)s was already requested during this level.")
TREND_FILED = N_("filed")
TREND_CONFIRMED = N_("confirmed")
TREND_TITLE = N_("Reports per week")
BAD_BBOX = N_("The map asked for an impossible area.")
#: Marker colours by status: waiting (grey), accepted and on its way (amber to blue), back again (purple).
STATUS_COLOURS = {
    Status.SUBMITTED: "#6a737d",
    Status.NEEDS_INFO: "#9e9e9e",
    Status.ACCEPTED: "#e69f00",
    Status.DISPATCHED: "#0072b2",
    Status.IN_PROGRESS: "#56b4e9",
    Status.REOPENED: "#cc79a7",
    Status.FIXED: "#009e73",
}
OTHER_STATUS_COLOUR = "#444444"
MAP_LABELS = {
    "cells": N_("Risk levels"),
    "reports": N_("Open reports"),
    "forecast": N_("Forecast (this week)"),
    "legend": N_("Risk level"),
    "reports_counted": N_("Too many reports here to draw one by one: zoom in."),
    "expected": N_("expected"),
    "open": N_("Open report #%(id)s"),
}


def _bounds(request: web.Request) -> list[list[float]]:
    """[[south, west], [north, east]] of the districts the reader sees (the whole grid for officials)."""
    grid, scope = services_of(request).grid, scope_of_request(request)
    shapes = [u.geometry for u in grid.units.values() if scope.sees_district(grid.district_of(u.key))]
    if not shapes:
        return [[-60.0, -170.0], [70.0, 170.0]]
    west, south, east, north = unary_union(shapes).bounds
    shift = shift_of(services_of(request).settings.map_tile_datum)
    return [list(shift(south, west)), list(shift(north, east))]


@require(Role.MODERATOR)
async def map_page(request: web.Request) -> web.StreamResponse:
    services, _ = services_of(request), Translator(locale_of(request))
    settings = services.settings
    scope = scope_of_request(request)
    config = {
        "tiles": settings.map_tile_url_template,
        "attribution": settings.map_tile_attribution,
        "bounds": _bounds(request),
        "levelColours": {level.value: colour for level, colour in LEVEL_COLOURS.items()},
        "levelLabels": {level.value: _(label) for level, label in LEVEL_LABELS.items()},
        "statusColours": {str(status): colour for status, colour in STATUS_COLOURS.items()},
        "otherColour": OTHER_STATUS_COLOUR,
        "labels": translated(MAP_LABELS, _),
    }
    context = {
        **label_context(request),
        "config": json_attr(config),
        "categories": [c for c in services.categories if scope.sees_category(c.key)],
        "statuses": [s for s in Status if s in OPEN_STATUSES or s is Status.FIXED],
        "agencies": await Agency.filter(active=True).order_by("key"),
        "periods": PERIODS_D,
    }
    return aiohttp_jinja2.render_template("risk/map.html", request, context)


def _viewport(request: web.Request) -> Viewport:
    try:
        return Viewport.parse(request.query.get("bbox", ""), services_of(request).settings.map_tile_datum)
    except BadViewportError:
        raise web.HTTPBadRequest(text=Translator(locale_of(request))(BAD_BBOX)) from None


@require(Role.MODERATOR)
async def cells_json(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    data = await cells_geojson(
        services.grid,
        _viewport(request),
        scope_of_request(request),
        datum=services.settings.map_tile_datum,
        locale=locale_of(request),
    )
    return web.json_response(data)


@require(Role.MODERATOR)
async def reports_json(request: web.Request) -> web.StreamResponse:
    settings = services_of(request).settings
    data = await reports_geojson(
        _viewport(request),
        MapFilter.parse(request.query),
        scope_of_request(request),
        datum=settings.map_tile_datum,
        now=now_of(request),
        max_points=settings.map_max_points,
    )
    return web.json_response(data)


@require(Role.MODERATOR)
async def forecast_json(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    data = await forecast_geojson(
        services.grid,
        _viewport(request),
        scope_of_request(request),
        datum=services.settings.map_tile_datum,
        now=now_of(request),
        locale=locale_of(request),
    )
    return web.json_response(data)


async def _panel_context(request: web.Request, key: str) -> dict[str, Any]:
    services = services_of(request)
    try:
        panel = await cell_panel(
            services.grid,
            key,
            scope_of_request(request),
            locale=locale_of(request),
            zone=zone_of(request),
            now=now_of(request),
        )
    except LookupError:
        raise web.HTTPNotFound(text="no such cell") from None
    except PermissionError:
        raise web.HTTPForbidden(text="this cell is outside your areas") from None
    _ = Translator(locale_of(request))
    place = panel.label
    trend = {_(TREND_FILED): list(panel.filed_per_week), _(TREND_CONFIRMED): list(panel.confirmed_per_week)}
    return {
        **label_context(request),
        "panel": panel,
        "trend_svg": line_chart(trend, panel.week_labels, _(TREND_TITLE), width=360, height=150),
        "staff_is_official": has_role(staff_of(request), Role.OFFICIAL),
        "why": why_text(panel.why, _) if panel.why else "",
        "history_why": {change.id: why_text(change.why, _) for change in panel.history},
        "warning_texts": {
            locale: Translator(locale)(texts.WARNING_TEXT, place=services.grid.label(key, locale))
            for locale in services.settings.supported_locales
        },
        "warning_title": _(texts.WARNING_TITLE, place=place),
    }


@require(Role.MODERATOR)
async def cell_panel_page(request: web.Request) -> web.StreamResponse:
    """The side panel (an HTML fragment the map's script puts beside the map; also a page of its own)."""
    context = await _panel_context(request, request.match_info["key"])
    template = "risk/cell_panel.html" if request.query.get("fragment") == "1" else "risk/cell_page.html"
    return aiohttp_jinja2.render_template(template, request, context)


@require(Role.OFFICIAL)
async def warn(request: web.Request) -> web.StreamResponse:
    services, key = services_of(request), request.match_info["key"]
    form = await request.post()
    locales = services.settings.supported_locales
    back = f"/admin/map?cell={key}"
    try:
        published = await request_warning(
            services.grid,
            key,
            str(form.get("scope", "")),
            {locale: str(form.get(f"text_{locale}", "")) for locale in locales},
            str(form.get("title", "")),
            locales=locales,
            staff_id=staff_of(request).id,
            now=now_of(request),
        )
    except WarningError as error:
        await flash(request, "error", error.message, **error.params)
        go_to(back)
    place = services.grid.label(str(form.get("scope", "")), locale_of(request))
    await flash(request, "ok", WARNING_SENT if published else WARNING_AGAIN, place=place)
    go_to(back)
