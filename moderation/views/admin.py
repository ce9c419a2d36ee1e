"""Officials' and admins' pages: the dashboard and the agencies."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from tortoise.functions import Count

from bot.admin.accounts import Role
from bot.admin.pages import flash, now_of, staff_of
from bot.admin.security import require
from bot.city.models import Agency
from bot.i18n import N_
from bot.reports.lifecycle import staff_actor
from bot.reports.models import Report
from bot.reports.statuses import OPEN_STATUSES, Status
from moderation.routing import AgencyForm, save_agency
from moderation.views.common import areas_of, categories_of, label_context

AGENCY_SAVED = N_("Agency %(key)s saved.")
AGENCY_INVALID = N_("An agency needs a key, a name and a numeric chat id (or none).")


@require(Role.OFFICIAL)
async def dashboard(request: web.Request) -> web.StreamResponse:
    """Counts by status, open reports per category x area, and what is overdue."""
    by_status = dict(await Report.all().group_by("status").annotate(n=Count("id")).values_list("status", "n"))
    open_cells = (
        await Report.filter(status__in=sorted(OPEN_STATUSES))
        .group_by("category", "area")
        .annotate(n=Count("id"))
        .values_list("category", "area", "n")
    )
    grid: dict[tuple[str, str], int] = {(str(c), str(a or "")): int(n) for c, a, n in open_cells}
    context = {
        "by_status": by_status,
        "statuses": list(Status),
        "grid": grid,
        **label_context(request),
        "overdue": await Report.filter(overdue=True).count(),
        "open_total": sum(grid.values()),
    }
    return aiohttp_jinja2.render_template("moderation/dashboard.html", request, context)


@require(Role.ADMIN)
async def agencies(request: web.Request) -> web.StreamResponse:
    context: dict[str, Any] = {
        "agencies": await Agency.all().order_by("key"),
        "areas": areas_of(request),
        "categories": categories_of(request),
    }
    return aiohttp_jinja2.render_template("moderation/agencies.html", request, context)


@require(Role.ADMIN)
async def agency_save(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    chat = str(form.get("telegram_chat_id", "")).strip()
    try:
        agency_form = AgencyForm(
            key=str(form.get("key", "")).strip(),
            name=str(form.get("name", "")).strip(),
            name_zh=str(form.get("name_zh", "")).strip(),
            categories=tuple(str(v) for v in form.getall("categories", [])),
            areas=tuple(str(v) for v in form.getall("areas", [])),
            telegram_chat_id=int(chat) if chat else None,
            active=form.get("active") == "1",
        )
        await save_agency(agency_form, actor=staff_actor(staff_of(request).id), now=now_of(request))
    except ValueError:
        await flash(request, "error", AGENCY_INVALID)
    else:
        await flash(request, "ok", AGENCY_SAVED, key=agency_form.key)
    raise web.HTTPSeeOther("/admin/agencies")
