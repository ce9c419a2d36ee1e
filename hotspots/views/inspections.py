"""The inspection list (officials): top cells of the current forecast with why, open hazards and level;
assign a cell to an agency, record results, export CSV, recompute the forecast."""

from __future__ import annotations

import calendar
from collections.abc import Awaitable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.pages import flash, go_to, int_param, services_of, staff_of
from bot.admin.panels import render_panels
from bot.admin.security import require
from bot.city.models import Agency
from bot.i18n import Translator
from bot.jobs import queue_text
from forecast.backtest import Period
from hotspots import forecasting
from hotspots.inspections import (
    Assignment,
    InspectionRefusedError,
    assign,
    cancel,
    csv_text,
    inspection_list,
    record_result,
)
from hotspots.jobs import FORECAST
from hotspots.models import ForecastRun, Inspection
from hotspots.policy import local_zone
from hotspots.texts import (
    ASSIGNED,
    BAD_ASSIGNMENT,
    FORECAST_QUEUED,
    INSPECTION_CANCELLED,
    INSPECTION_TO_AGENCY,
    NOT_IN_FORECAST,
    RESULT_RECORDED,
)
from hotspots.views.common import labels, period_of

BASE = "/admin/inspections"
#: The slot each row offers other features (the risk feature shows the cell's level there); params: `cell`.
CELL_SLOT = "inspections.cell"


def period_end(run: ForecastRun, zone: Any) -> date:
    """The last local day of the run's period: the default due date."""
    first = run.period_start.astimezone(zone).date()
    if run.period == Period.WEEK:
        return first + timedelta(days=6)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


async def _current(request: web.Request, period: Period) -> ForecastRun | None:
    services = services_of(request)
    return await forecasting.current_run(period, services.clock(), local_zone(services.settings))


def _district(request: web.Request) -> str | None:
    key = request.query.get("district") or None
    return key if key in services_of(request).areas.by_key else None


@require(Role.OFFICIAL)
async def list_page(request: web.Request) -> web.StreamResponse:
    services, period = services_of(request), period_of(request)
    run, district = await _current(request, period), _district(request)
    now, zone = services.clock(), local_zone(services.settings)
    limit = services.settings.inspection_list_cells
    rows = await inspection_list(run, services.grid, now, limit=limit, district=district) if run else []
    context = {
        "run": run,
        "rows": rows,
        "period": period,
        "district": district or "",
        "agencies": await Agency.filter(active=True).order_by("key"),
        "due_default": period_end(run, zone).isoformat() if run else "",
        "today": now.astimezone(zone).date().isoformat(),
        "cell_panels": {row.cell: await render_panels(request, CELL_SLOT, cell=row.cell) for row in rows},
        **labels(request),
    }
    return aiohttp_jinja2.render_template("hotspots/inspections.html", request, context)


@require(Role.OFFICIAL)
async def export_csv(request: web.Request) -> web.StreamResponse:
    services, period = services_of(request), period_of(request)
    run = await _current(request, period)
    limit = services.settings.inspection_list_cells
    rows = (
        await inspection_list(run, services.grid, services.clock(), limit=limit, district=_district(request))
        if run
        else []
    )
    day = run.period_start.astimezone(local_zone(services.settings)).date().isoformat() if run else "none"
    body = "\ufeff" + csv_text(rows, services.grid, staff_of(request).language)  # the BOM: spreadsheets read UTF-8
    return web.Response(
        text=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="inspections-{period.value}-{day}.csv"'},
    )


def _due_on(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _back(period: str, district: str = "") -> str:
    """The list the form came from (the values are the form's: encoded, never pasted into the address)."""
    return f"{BASE}?" + urlencode({"period": period, **({"district": district} if district else {})})


@require(Role.OFFICIAL)
async def assign_view(request: web.Request) -> web.StreamResponse:
    services, form = services_of(request), await request.post()
    period = Period(str(form.get("period"))) if form.get("period") in set(Period) else Period.WEEK
    back = _back(period.value, str(form.get("district", "")))
    run, due_on = await _current(request, period), _due_on(str(form.get("due_on", "")))
    agency_text = str(form.get("agency_id", ""))
    if run is None:
        await flash(request, "error", NOT_IN_FORECAST)
        go_to(back)
    if due_on is None or not agency_text.isdigit():
        await flash(request, "error", BAD_ASSIGNMENT)
        go_to(back)
    now, zone = services.clock(), local_zone(services.settings)
    given = Assignment(
        str(form.get("cell", "")), period, run.period_start, int(agency_text), due_on, str(form.get("note", "")).strip()
    )
    try:
        inspection = await assign(given, staff_id=staff_of(request).id, today=now.astimezone(zone).date(), now=now)
    except InspectionRefusedError as refusal:
        await flash(request, "error", str(refusal))
        go_to(back)
    agency = await Agency.get(id=inspection.agency_id)
    await _tell_agency(request, inspection, agency)
    await flash(
        request,
        "ok",
        ASSIGNED,
        cell=services.grid.label(inspection.cell, staff_of(request).language),
        agency=agency.label(staff_of(request).language),
        due=inspection.due_on.isoformat(),
    )
    go_to(back)


async def _tell_agency(request: web.Request, inspection: Inspection, agency: Agency) -> None:
    """The agency's Telegram chat (if it has one) hears of the inspection, once (the key names the assignment)."""
    if agency.telegram_chat_id is None:
        return
    services = services_of(request)
    locale = services.settings.default_locale
    text = Translator(locale)(
        INSPECTION_TO_AGENCY,
        cell=inspection.cell,
        place=services.grid.label(inspection.cell, locale),
        due=inspection.due_on.isoformat(),
        note=inspection.note,
    )
    await queue_text(services, f"inspection-assigned:{inspection.id}", agency.telegram_chat_id, text.strip())


async def _refusable(request: web.Request, action: Awaitable[object], done: str) -> web.StreamResponse:
    """Run an inspection's action; flash what came of it (its refusal, or `done`) on the list."""
    form = await request.post()
    try:
        await action
    except InspectionRefusedError as refusal:
        await flash(request, "error", str(refusal))
    else:
        await flash(request, "ok", done)
    go_to(_back(str(form.get("period", "week"))))


@require(Role.OFFICIAL)
async def result_view(request: web.Request) -> web.StreamResponse:
    services, form = services_of(request), await request.post()
    recorded = record_result(
        int_param(request, "inspection_id"),
        found=form.get("result") == "found",
        note=str(form.get("note", "")).strip(),
        grid=services.grid,
        staff_id=staff_of(request).id,
        now=services.clock(),
    )
    return await _refusable(request, recorded, RESULT_RECORDED)


@require(Role.OFFICIAL)
async def cancel_view(request: web.Request) -> web.StreamResponse:
    cancelled = cancel(
        int_param(request, "inspection_id"), staff_id=staff_of(request).id, now=services_of(request).clock()
    )
    return await _refusable(request, cancelled, INSPECTION_CANCELLED)


@require(Role.OFFICIAL)
async def recompute(request: web.Request) -> web.StreamResponse:
    """Compute this week's and month's forecasts again now (e.g. after a large import)."""
    services, form = services_of(request), await request.post()
    minute = services.clock().strftime("%Y%m%d%H%M")
    await services.redis.enqueue_job(FORECAST, True, _job_id=f"{FORECAST}:manual:{minute}")
    await flash(request, "ok", FORECAST_QUEUED)
    go_to(_back(str(form.get("period", "week"))))


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get(BASE, list_page)
    router.add_get(f"{BASE}.csv", export_csv)
    router.add_post(f"{BASE}/assign", assign_view)
    router.add_post(f"{BASE}/forecast", recompute)
    router.add_post(BASE + r"/{inspection_id:\d+}/result", result_view)
    router.add_post(BASE + r"/{inspection_id:\d+}/cancel", cancel_view)
