"""Moderation pages: the queue, the report page and its photos.

Views parse, call one domain function and render; scope checks live in `moderation.queue`.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role, has_role
from bot.admin.pages import int_param, now_of, services_of, staff_of
from bot.admin.panels import render_panels
from bot.admin.security import require
from bot.reports.models import Photo
from bot.reports.statuses import Status
from moderation.decisions import MODERATOR_TARGETS, OFFICIAL_TARGETS, REJECT_REASONS, SEVERITY_LABELS
from moderation.detail import report_detail
from moderation.queue import VIEW_STATUSES, OutOfScopeError, QueueFilter, due_at, queue_page
from moderation.redaction import original_key
from moderation.views.common import STATUS_LABELS, areas_of, categories_of, label_context, scoped_report


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
        raise web.HTTPForbidden(text="this queue is outside your areas or categories") from None
    context = {
        "page": page,
        "filter": page.filter,
        "due_at": due_at,
        **label_context(request),
        **_choices(request),
    }
    return aiohttp_jinja2.render_template("moderation/queue.html", request, context)


@require(Role.MODERATOR)
async def report_page(request: web.Request) -> web.StreamResponse:
    report = await scoped_report(request)
    settings, staff = services_of(request).settings, staff_of(request)
    detail = await report_detail(report, staff, radius_m=settings.staff_nearby_radius_m, now=now_of(request))
    targets = OFFICIAL_TARGETS if has_role(staff, Role.OFFICIAL) else MODERATOR_TARGETS
    context = {
        "d": detail,
        "r": report,
        **label_context(request),
        "severities": SEVERITY_LABELS,
        "reject_reasons": REJECT_REASONS,
        "status_targets": [status for status in Status if status in targets],
        "due_at": due_at,
        "can_dispatch": has_role(staff, Role.OFFICIAL),
        "is_admin": has_role(staff, Role.ADMIN),
        # Slot "report.side", params `report`: other features' panels beside the decision (e.g. fraud signals).
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
