"""Small helpers shared by moderation's views: labels for templates, the scoped report, redirects."""

from __future__ import annotations

from typing import Any, NoReturn

from aiohttp import web

from bot.admin.pages import int_param, services_of, staff_of
from bot.i18n import N_
from bot.reports.areas import Areas
from bot.reports.categories import Category
from bot.reports.models import Report
from bot.telegram.texts import STATUS_NAMES
from moderation.queue import OutOfScopeError, QueueFilter, View, report_for

VIEW_LABELS: dict[str, str] = {View.QUEUE: N_("awaiting moderation"), View.OPEN: N_("all open"), View.ALL: N_("all")}
#: Every status choice's label (English msgid): the queue views, then each status in residents' words.
STATUS_LABELS: dict[str, str] = {**VIEW_LABELS, **STATUS_NAMES}
# How the reporter gave the location (Report.location_source).
LOCATION_SOURCE_LABELS: dict[str, str] = {
    "shared": N_("shared in Telegram"),
    "venue": N_("a venue"),
    "typed": N_("typed coordinates"),
    "exif": N_("from the photo"),
}


NO_SUCH_REPORT = N_("There is no such report.")
OUT_OF_SCOPE = N_("This report is outside your areas or categories.")


def areas_of(request: web.Request) -> Areas:
    return services_of(request).areas


def categories_of(request: web.Request) -> tuple[Category, ...]:
    return services_of(request).categories


def label_context(request: web.Request) -> dict[str, Any]:
    """What templates need to name statuses, categories and areas."""
    categories = categories_of(request)
    return {
        "status_labels": STATUS_LABELS,
        "location_source_labels": LOCATION_SOURCE_LABELS,
        "category_names": {c.key: c.label for c in categories},
        "categories": categories,
        "areas": areas_of(request),
    }


async def scoped_report(request: web.Request, report_id: int | None = None) -> Report:
    """The report named in the path (or `report_id`): 404 if missing, 403 outside the staff member's scope."""
    try:
        return await report_for(
            staff_of(request), report_id if report_id is not None else int_param(request, "report_id")
        )
    except LookupError:
        raise web.HTTPNotFound(text=NO_SUCH_REPORT) from None
    except OutOfScopeError:
        raise web.HTTPForbidden(text=OUT_OF_SCOPE) from None


def queue_of(request: web.Request) -> QueueFilter:
    """The queue view a report page was opened from (its query string): where "next" and "previous" lead."""
    return QueueFilter.parse(request.query, services_of(request).settings.local_timezone)


def report_url(report_id: int, queue: QueueFilter) -> str:
    query = queue.context_query()
    return f"/admin/reports/{report_id}?{query}" if query else f"/admin/reports/{report_id}"


def back_to(report_id: int, queue: QueueFilter) -> NoReturn:
    raise web.HTTPSeeOther(report_url(report_id, queue))
