"""The report page's POST actions: each parses its form, calls one decision, flashes and goes back (303)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.web_request import FileField
from multidict import MultiDictProxy

from bot.admin.accounts import Role
from bot.admin.pages import flash, int_param, now_of, services_of, staff_of
from bot.admin.security import require
from bot.i18n import N_
from bot.reports.lifecycle import TransitionError
from bot.reports.models import Photo, Report
from moderation import decisions
from moderation.decisions import DecisionError
from moderation.merge import merge
from moderation.queue import Position, QueueFilter, neighbour
from moderation.redaction import Box, redact_photo
from moderation.views.common import back_to, queue_of, scoped_report

Form = MultiDictProxy[str | bytes | bytearray | FileField]
Action = Callable[[web.Request, Report, Form], Awaitable[tuple[str, dict[str, object]]]]

QUEUE_EMPTY = N_("Nothing else waits in this queue.")
NOT_ALLOWED_NOW = N_("That change is not possible in the report's current status.")
BAD_REPORT_NUMBER = N_("Give the number of the report to merge into.")
BAD_BOX = N_("The box must be whole pixels (x, y, width, height) inside the photo.")
DONE = {
    "accept": N_("Report #%(id)s accepted."),
    "accept_dispatched": N_("Report #%(id)s accepted and dispatched to %(agency)s."),
    "reject": N_("Report #%(id)s rejected; the reporter is told why."),
    "merge": N_("Report #%(id)s merged into report #%(into)s."),
    "ask": N_("Question on report #%(id)s sent to the reporter."),
    "dispatch": N_("Report dispatched to %(agency)s."),
    "status": N_("Status changed."),
    "description": N_("Description updated; the original is kept."),
    "redact": N_("Photo redacted; the original is kept for admins."),
}


def _field(form: Form, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _action(run: Action, *, decides: bool = False) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a form action: load the scoped report, run it, flash the outcome, redirect to the report; after a
    decision (`decides`) to the next report of the queue it was opened from (the page's query string)."""

    async def view(request: web.Request) -> web.StreamResponse:
        report = await scoped_report(request)
        queue, form = queue_of(request), await request.post()
        position = Position.of(report)
        try:
            message, params = await run(request, report, form)
        except DecisionError as refused:
            await flash(request, "error", refused.message, **refused.params)
        except TransitionError:
            await flash(request, "error", NOT_ALLOWED_NOW)
        else:
            await flash(request, "ok", message, id=report.id, **params)
            if decides:
                await _next_in_queue(request, queue, position)
        back_to(report.id, queue)

    view.__name__ = run.__name__
    return view


async def _next_in_queue(request: web.Request, queue: QueueFilter, position: Position) -> None:
    """Open the report after the decided one in its queue (or the queue's first, for the ones skipped before
    it); back to the queue once it is empty."""
    staff = staff_of(request)
    following = await neighbour(staff, queue, position) or await neighbour(staff, queue, None)
    if following is None:
        await flash(request, "ok", QUEUE_EMPTY)
        raise web.HTTPSeeOther(f"/admin/queue?{queue.query_string(page=1)}")
    back_to(following, queue)


async def accept(request: web.Request, report: Report, form: Form) -> tuple[str, dict[str, object]]:
    agency = await decisions.accept(
        report, staff_of(request), _field(form, "severity"), sla=services_of(request).sla, now=now_of(request)
    )
    if agency is None:
        return DONE["accept"], {}
    return DONE["accept_dispatched"], {"agency": agency.name}


async def reject(request: web.Request, report: Report, form: Form) -> tuple[str, dict[str, object]]:
    await decisions.reject(
        report,
        staff_of(request),
        template=_field(form, "template"),
        text=_field(form, "text"),
        sla=services_of(request).sla,
        now=now_of(request),
    )
    return DONE["reject"], {}


async def merge_into(request: web.Request, report: Report, form: Form) -> tuple[str, dict[str, object]]:
    raw = _field(form, "into").strip().lstrip("#")
    if not raw.isdigit():
        raise DecisionError(BAD_REPORT_NUMBER)
    original = await scoped_report(request, int(raw))
    await merge(report, original, staff_of(request), sla=services_of(request).sla, now=now_of(request))
    return DONE["merge"], {"into": original.id}


async def ask(request: web.Request, report: Report, form: Form) -> tuple[str, dict[str, object]]:
    await decisions.ask_for_info(
        report, staff_of(request), _field(form, "question"), sla=services_of(request).sla, now=now_of(request)
    )
    return DONE["ask"], {}


async def dispatch(request: web.Request, report: Report, form: Form) -> tuple[str, dict[str, object]]:
    agency = await decisions.dispatch(
        report, staff_of(request), _field(form, "agency"), sla=services_of(request).sla, now=now_of(request)
    )
    return DONE["dispatch"], {"agency": agency.name}


async def change_status(request: web.Request, report: Report, form: Form) -> tuple[str, dict[str, object]]:
    await decisions.change_status(
        report,
        staff_of(request),
        _field(form, "to"),
        reason=_field(form, "reason"),
        public_note=_field(form, "public_note"),
        sla=services_of(request).sla,
        now=now_of(request),
    )
    return DONE["status"], {}


async def edit_description(request: web.Request, report: Report, form: Form) -> tuple[str, dict[str, object]]:
    await decisions.edit_description(report, staff_of(request), _field(form, "description"), now=now_of(request))
    return DONE["description"], {}


async def redact(request: web.Request, report: Report, form: Form) -> tuple[str, dict[str, object]]:
    photo = await Photo.get_or_none(id=int_param(request, "photo_id"), report_id=report.id)
    if photo is None:
        raise web.HTTPNotFound(text="no such photo on this report")
    settings = services_of(request).settings
    try:
        box = Box.parse(*(_field(form, name) for name in ("x", "y", "w", "h")))
        await redact_photo(
            photo,
            box,
            staff_of(request),
            storage=services_of(request).intake.storage,
            quality=settings.stored_jpeg_quality,
            thumbnail_side_px=settings.thumbnail_max_side_px,
            now=now_of(request),
        )
    except ValueError:
        raise DecisionError(BAD_BOX) from None
    return DONE["redact"], {}


def add_routes(app: web.Application) -> None:
    moderator, official = require(decisions.DECIDING_ROLE), require(Role.OFFICIAL)
    base = "/admin/reports/{report_id}"
    for path, run, decides in (
        ("accept", accept, True),
        ("reject", reject, True),
        ("merge", merge_into, True),
        ("ask", ask, True),
        ("status", change_status, False),
        ("description", edit_description, False),
    ):
        app.router.add_post(f"{base}/{path}", moderator(_action(run, decides=decides)))
    app.router.add_post(f"{base}/dispatch", official(_action(dispatch)))
    app.router.add_post(f"{base}/photos/{{photo_id}}/redact", moderator(_action(redact)))
