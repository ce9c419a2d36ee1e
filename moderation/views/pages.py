"""Moderation pages: the queue, the report page and its photos.

Views parse, call one domain function and render; scope checks live in `moderation.queue`.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role, has_role
from bot.admin.pages import flash, int_param, now_of, services_of, staff_of
from bot.admin.panels import render_panels
from bot.admin.security import require
from bot.city.sketch import sketch
from bot.i18n import N_, Translator
from bot.reports.models import Photo
from bot.reports.statuses import CLOSED_NOT_FIXED, FIXED_STATUSES, Status
from moderation.decisions import (
    DECIDING_STATUSES,
    MODERATOR_TARGETS,
    OFFICIAL_TARGETS,
    REJECT_REASON_LABELS,
    REJECT_REASONS,
    SEVERITY_LABELS,
)
from moderation.detail import report_detail
from moderation.queue import VIEW_STATUSES, OutOfScopeError, Position, QueueFilter, due_at, neighbour, queue_page
from moderation.redaction import original_key
from moderation.views.actions import QUEUE_EMPTY
from moderation.views.common import (
    STATUS_LABELS,
    areas_of,
    categories_of,
    label_context,
    queue_of,
    report_url,
    scoped_report,
)
from moderation.views.timeline import timeline

QUEUE_OUT_OF_SCOPE = N_("This queue is outside your areas or categories.")
CLOSED_OR_FIXED = CLOSED_NOT_FIXED | FIXED_STATUSES


def _choices(request: web.Request) -> dict[str, Any]:
    """Filter choices, narrowed to a moderator's own areas and categories."""
    staff, areas, categories = staff_of(request), areas_of(request), categories_of(request)
    scoped = not has_role(staff, Role.OFFICIAL)
    return {
        "status_choices": [(key, STATUS_LABELS[key]) for key in VIEW_STATUSES],
        "area_choices": [a for a in areas.areas if not (scoped and staff.areas) or a.key in staff.areas],
        "category_choices": [c for c in categories if not (scoped and staff.categories) or c.key in staff.categories],
    }


@require(Role.MODERATOR)
async def queue(request: web.Request) -> web.StreamResponse:
    wanted = QueueFilter.parse(request.query, services_of(request).settings.local_timezone)
    try:
        page = await queue_page(staff_of(request), wanted, page_size=services_of(request).settings.queue_page_size)
    except OutOfScopeError:
        raise web.HTTPForbidden(text=QUEUE_OUT_OF_SCOPE) from None
    context = {
        "page": page,
        "filter": page.filter,
        "due_at": due_at,
        **label_context(request),
        **_choices(request),
    }
    return aiohttp_jinja2.render_template("moderation/queue.html", request, context)


@require(Role.MODERATOR)
async def next_in_queue(request: web.Request) -> web.StreamResponse:
    """ "Start deciding": the first report of the queue view in the query (the moderation queue by default)."""
    queue = queue_of(request)
    try:
        first = await neighbour(staff_of(request), queue, None)
    except OutOfScopeError:
        raise web.HTTPForbidden(text=QUEUE_OUT_OF_SCOPE) from None
    if first is None:
        await flash(request, "ok", QUEUE_EMPTY)
        raise web.HTTPSeeOther(f"/admin/queue?{queue.query_string(page=1)}")
    raise web.HTTPSeeOther(report_url(first, queue))


@require(Role.MODERATOR)
async def report_page(request: web.Request) -> web.StreamResponse:
    report = await scoped_report(request)
    services, staff, queue = services_of(request), staff_of(request), queue_of(request)
    detail = await report_detail(report, staff, radius_m=services.settings.staff_nearby_radius_m, now=now_of(request))
    targets = OFFICIAL_TARGETS if has_role(staff, Role.OFFICIAL) else MODERATOR_TARGETS
    position, _ = Position.of(report), Translator(str(staff.language))
    near = [(n.report.lat, n.report.lon, f"#{n.report.id}") for n in detail.nearby]
    context = {
        "d": detail,
        "r": report,
        **label_context(request),
        "severities": SEVERITY_LABELS,
        "reject_reasons": REJECT_REASONS,
        "reject_labels": REJECT_REASON_LABELS,
        "can_decide": report.status in DECIDING_STATUSES,
        "status_targets": [status for status in Status if status in targets and status != report.status],
        "due_at": due_at,
        "can_dispatch": has_role(staff, Role.OFFICIAL) and report.status not in CLOSED_OR_FIXED,
        "is_admin": has_role(staff, Role.ADMIN),
        "queue": queue,
        "queue_query": queue.context_query(),
        "previous_id": await neighbour(staff, queue, position, forward=False),
        "next_id": await neighbour(staff, queue, position),
        "timeline": await timeline(detail.timeline, detail.audit, _, reporter_id=report.reporter_id),
        "sketch": sketch(services.grid, report.lat, report.lon, label=f"#{report.id}", near=near),
        # Other features' panels, params `report`: slot "report.decide" beside the decision (narrow: e.g. the fraud
        # signals a reward would be held for), slot "report.side" under the evidence (the crew's work, a partner's
        # filing).
        "decide_panels": await render_panels(request, "report.decide", report=report),
        "panels": await render_panels(request, "report.side", report=report),
    }
    return aiohttp_jinja2.render_template("moderation/report.html", request, context)


async def _scoped_photo(request: web.Request) -> Photo:
    photo = await Photo.get_or_none(id=int_param(request, "photo_id"))
    if photo is None or photo.report_id is None:
        raise web.HTTPNotFound(text="no such photo")
    await scoped_report(request, photo.report_id)
    return photo


async def _serve(request: web.Request, key: str) -> web.Response:
    try:
        data = await services_of(request).intake.storage.get(key)
    except KeyError:
        raise web.HTTPNotFound(text="photo file missing") from None
    # Private: photos may show people or homes; never cached by shared caches.
    return web.Response(body=data, content_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"})


@require(Role.MODERATOR)
async def photo_full(request: web.Request) -> web.StreamResponse:
    return await _serve(request, (await _scoped_photo(request)).storage_key)


@require(Role.MODERATOR)
async def photo_thumb(request: web.Request) -> web.StreamResponse:
    return await _serve(request, (await _scoped_photo(request)).thumbnail_key)


@require(Role.ADMIN)
async def photo_original(request: web.Request) -> web.StreamResponse:
    """The photo as sent, before redaction: admins only."""
    photo = await _scoped_photo(request)
    key = await original_key(photo)
    return await _serve(request, key or photo.storage_key)
