"""Small helpers shared by moderation's views: flash messages, the scoped report, redirects."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from aiohttp import web
from aiohttp_session import get_session

from bot.admin.models import StaffUser
from bot.admin.security import staff_key
from bot.admin.views import admin_locale
from bot.handlers.texts import STATUS_NAMES
from bot.i18n import N_, Translator
from bot.reports.areas import Areas
from bot.reports.categories import Category
from bot.reports.models import Report
from bot.web.keys import clock_key, services_key
from moderation.queue import OutOfScopeError, View, report_for

FLASH_KEY = "flash"
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


def staff_of(request: web.Request) -> StaffUser:
    return request[staff_key]


def now_of(request: web.Request) -> datetime:
    return request.app[clock_key]()


def areas_of(request: web.Request) -> Areas:
    return request.app[services_key].intake.rules.areas


def categories_of(request: web.Request) -> tuple[Category, ...]:
    return request.app[services_key].intake.rules.categories


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


async def flash(request: web.Request, kind: str, message: str, **params: Any) -> None:
    """Remember a message (an English msgid) for the next page, translated when shown."""
    session = await get_session(request)
    session[FLASH_KEY] = [*session.get(FLASH_KEY, []), [kind, message, params]]


async def pop_flashes(request: web.Request) -> list[tuple[str, str]]:
    session = await get_session(request)
    stored = session.pop(FLASH_KEY, [])
    _ = Translator(admin_locale(request))
    return [(kind, _(message, **params)) for kind, message, params in stored]


def int_param(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise web.HTTPNotFound() from None


async def scoped_report(request: web.Request, report_id: int | None = None) -> Report:
    """The report named in the path (or `report_id`): 404 if missing, 403 outside the staff member's scope."""
    try:
        return await report_for(
            staff_of(request), report_id if report_id is not None else int_param(request, "report_id")
        )
    except LookupError:
        raise web.HTTPNotFound(text="no such report") from None
    except OutOfScopeError:
        raise web.HTTPForbidden(text="this report is outside your areas or categories") from None


def back_to(report_id: int) -> NoReturn:
    raise web.HTTPSeeOther(f"/admin/reports/{report_id}")
