"""Officials' pages: the listed-hazards board and its actions, and a report's before/after picture."""

from __future__ import annotations

from datetime import date, timedelta

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role, in_scope
from bot.admin.pages import flash, go_to, int_param, now_of, services_of, staff_of
from bot.admin.security import require
from bot.city.models import Agency
from bot.i18n import N_
from bot.reports.models import Report
from bot.telegram.texts import STATUS_NAMES
from field import listing
from field.listing import ListingError
from field.models import Listing
from field.pictures import before_and_after
from field.rules import FieldRules
from field.tasks import last_fix

#: Closed-off listings stay on the board this long, so officials see what was closed.
CLOSED_SHOWN = timedelta(days=30)
LISTED = N_("Report #%(id)s is listed for supervision until %(deadline)s.")
PROGRESS_SAVED = N_("Progress note saved for the week of %(week)s.")
CLOSED_OFF = N_("Report #%(id)s is closed off.")
BAD_DATE = N_("Give the deadline as a date (YYYY-MM-DD).")


def _today(request: web.Request) -> date:
    return FieldRules.from_settings(services_of(request).settings).local_date(now_of(request))


@require(Role.OFFICIAL)
async def listed(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    rows = await listing.board(today=_today(request), closed_since=now_of(request) - CLOSED_SHOWN)
    agencies = {agency.key: agency for agency in await Agency.all()}
    context = {
        "rows": rows,
        "agencies": agencies,
        "grid": services.grid,
        "category_names": {c.key: c.label for c in services.categories},
        "refusals": listing.CLOSE_OFF_REFUSALS,
        "status_labels": STATUS_NAMES,
    }
    return aiohttp_jinja2.render_template("field/listed.html", request, context)


async def _listing(request: web.Request) -> Listing:
    found = await Listing.get_or_none(id=int_param(request, "listing_id"))
    if found is None:
        raise web.HTTPNotFound(text="no such listing")
    return found


@require(Role.OFFICIAL)
async def list_report(request: web.Request) -> web.StreamResponse:
    report = await Report.get_or_none(id=int_param(request, "report_id"))
    if report is None:
        raise web.HTTPNotFound(text="no such report")
    form = await request.post()
    try:
        deadline = date.fromisoformat(str(form.get("deadline", "")).strip())
    except ValueError:
        await flash(request, "error", BAD_DATE)
        go_to(f"/admin/reports/{report.id}")
    try:
        await listing.list_hazard(
            report, staff_of(request), deadline, str(form.get("note", "")), today=_today(request), now=now_of(request)
        )
    except ListingError as refused:
        await flash(request, "error", refused.message, **refused.params)
    else:
        await flash(request, "ok", LISTED, id=report.id, deadline=deadline.isoformat())
    go_to(f"/admin/reports/{report.id}")


@require(Role.OFFICIAL)
async def progress(request: web.Request) -> web.StreamResponse:
    found = await _listing(request)
    note = str((await request.post()).get("note", ""))
    try:
        saved = await listing.note_progress(found, staff_of(request), note, today=_today(request), now=now_of(request))
    except ListingError as refused:
        await flash(request, "error", refused.message, **refused.params)
    else:
        await flash(request, "ok", PROGRESS_SAVED, week=saved.week_start.isoformat())
    go_to("/admin/field/listed")


@require(Role.OFFICIAL)
async def close_off(request: web.Request) -> web.StreamResponse:
    found = await _listing(request)
    try:
        await listing.close_off(found, staff_of(request), now=now_of(request))
    except ListingError as refused:
        await flash(request, "error", refused.message, **refused.params)
    else:
        await flash(request, "ok", CLOSED_OFF, id=found.report_id)
    go_to("/admin/field/listed")


@require(Role.MODERATOR)
async def before_after(request: web.Request) -> web.StreamResponse:
    """The report's photo and its fix's, side by side, for staff who may see the report."""
    report = await Report.get_or_none(id=int_param(request, "report_id"))
    if report is None:
        raise web.HTTPNotFound(text="no such report")
    if not in_scope(staff_of(request), report.area, report.category):
        raise web.HTTPForbidden(text="this report is outside your areas or categories")
    task = await last_fix(report.id)
    picture = await before_and_after(services_of(request).storage, report.id, task.after_photo_id if task else None)
    if picture is None:
        raise web.HTTPNotFound(text="no before and after photos")
    # Private: photos may show people or homes; never cached by shared caches.
    return web.Response(body=picture, content_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"})
