"""Admin pages for broadcasts (role official): compose, review with the recipient count, preview, send or
schedule, live progress (a JSON endpoint polled by a few lines of JS, and a no-JS refresh), pause, cancel.

Views parse the request, call one domain function and render; sending happens in arq jobs only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.admin import audit
from bot.admin.accounts import Role
from bot.admin.audit import EventTag
from bot.admin.pages import actor_of, flash, services_of
from bot.admin.security import require, staff_key
from bot.i18n import N_
from broadcasts import control
from broadcasts.compose import ComposeInput, ComposeRules, Problem, parse
from broadcasts.message import Button, ButtonKind
from broadcasts.models import Broadcast, BroadcastStatus
from broadcasts.policy import local_zone, quiet_hours
from broadcasts.targeting import Target, TargetKind, count_recipients
from broadcasts.texts import (
    BAD_SEND_AT,
    LANGUAGE_NAMES,
    NO_TELEGRAM_ACCOUNT,
    ONLY_DRAFTS,
    PREVIEW_QUEUED,
    STATE_LABELS,
    STATUS_LABELS,
    TARGET_LABELS,
    TOPIC_LABELS,
    Topic,
)
from broadcasts.timing import local_datetime

RUN_JOB = "broadcasts.run"
BASE = "/admin/broadcasts"
ID = r"{broadcast_id:\d+}"
SENT = N_("The broadcast is on its way.")
SCHEDULED = N_("The broadcast is scheduled.")
PREVIEW_IN_SANDBOX = N_("The preview is on its way to your own sandbox chat: open %(path)s to read it.")
#: Sandbox chat ids for staff previews: far above the ids the sandbox page gives its people.
SANDBOX_PREVIEW_CHAT_BASE = 9_000_000_000
QUIET_START = N_("Quiet hours: nothing is sent now; the broadcast starts at %(time)s.")
PAUSED = N_("Paused: sending stops after the messages in flight.")
RESUMED = N_("Resumed.")
CANCELLED = N_("Cancelled: nobody else will get it.")
NOT_NOW = N_("That is not possible in the broadcast's current state.")


def _rules(request: web.Request) -> ComposeRules:
    settings, areas = services_of(request).settings, services_of(request).areas
    return ComposeRules(settings.supported_locales, settings.default_locale, frozenset(areas.by_key))


async def _broadcast(request: web.Request) -> Broadcast:
    broadcast = await Broadcast.get_or_none(id=int(request.match_info["broadcast_id"]))
    if broadcast is None:
        raise web.HTTPNotFound(text="no such broadcast")
    return broadcast


def _labels(request: web.Request) -> dict[str, Any]:
    settings = services_of(request).settings
    return {
        "status_labels": STATUS_LABELS,
        "state_labels": STATE_LABELS,
        "target_labels": TARGET_LABELS,
        "topic_labels": TOPIC_LABELS,
        "language_names": LANGUAGE_NAMES,
        "topics": list(Topic),
        # Grid-scope warnings are asked for by other features (broadcast.requested), not composed here.
        "target_kinds": [kind for kind in TargetKind if kind is not TargetKind.GRID],
        "areas": services_of(request).areas,
        "grid": services_of(request).grid,
        "locales": settings.supported_locales,
        "default_locale": settings.default_locale,
        "zone": settings.local_timezone,
    }


def _form_values(broadcast: Broadcast | None, campaign_id: str = "") -> dict[str, Any]:
    """The compose form's fields from a stored broadcast (or empty ones)."""
    if broadcast is None:
        return {"target_kind": TargetKind.EVERYONE.value, "button_report": "on", "campaign_id": campaign_id}
    values: dict[str, Any] = {"title": broadcast.title, "campaign_id": broadcast.campaign_id or ""}
    values.update({f"text_{locale}": text for locale, text in broadcast.texts.items()})
    for button in map(Button.from_json, broadcast.buttons):
        if button.kind is ButtonKind.REPORT:
            values["button_report"] = "on"
        elif button.kind is ButtonKind.URL:
            values["link_url"] = button.url
            values.update({f"link_label_{locale}": label for locale, label in button.labels.items()})
    target = Target.from_json(broadcast.target)
    values.update(
        target_kind=target.kind.value,
        lat=target.lat or "",
        lon=target.lon or "",
        radius_m=target.radius_m or "",
        days=target.days or "",
        topic=target.topic or "",
        areas=list(target.areas),
    )
    return values


@require(Role.OFFICIAL)
async def list_page(request: web.Request) -> web.StreamResponse:
    context = {
        "broadcasts": await Broadcast.all().order_by("-id").limit(100),
        **_labels(request),
    }
    return aiohttp_jinja2.render_template("broadcasts/list.html", request, context)


@require(Role.OFFICIAL)
async def new_page(request: web.Request) -> web.StreamResponse:
    """A blank form, or a first draft prefilled from the query (the campaigns page links here to announce one)."""
    campaign_id = request.query.get("campaign_id", "")
    values = _form_values(None, campaign_id if campaign_id.isdigit() else "")
    prefill = ["title", *(f"text_{locale}" for locale in services_of(request).settings.supported_locales)]
    values.update({name: request.query[name] for name in prefill if name in request.query})
    return _compose(request, None, values, [])


def _compose(
    request: web.Request,
    broadcast: Broadcast | None,
    values: dict[str, Any],
    problems: list[Problem],
    status: int = 200,
) -> web.StreamResponse:
    context = {"broadcast": broadcast, "values": values, "problems": problems, **_labels(request)}
    return aiohttp_jinja2.render_template("broadcasts/compose.html", request, context, status=status)


async def _read_form(request: web.Request) -> tuple[ComposeInput, dict[str, Any]]:
    form = await request.post()
    photo_field = form.get("photo")
    photo = photo_field.file.read() if isinstance(photo_field, web.FileField) else None
    fields = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    areas = [str(area) for area in form.getall("areas", [])]
    return ComposeInput(fields, areas, photo or None), {**fields, "areas": areas}


@require(Role.OFFICIAL)
async def create(request: web.Request) -> web.StreamResponse:
    form, values = await _read_form(request)
    now = services_of(request).clock()
    spec, problems = await parse(form, _rules(request), now)
    if spec is None:
        return _compose(request, None, values, problems, status=400)
    broadcast = await control.create_draft(
        spec, services_of(request).intake.storage, staff_id=request[staff_key].id, now=now
    )
    raise web.HTTPSeeOther(f"{BASE}/{broadcast.id}")


@require(Role.OFFICIAL)
async def edit_page(request: web.Request) -> web.StreamResponse:
    broadcast = await _broadcast(request)
    return _compose(request, broadcast, _form_values(broadcast), [])


@require(Role.OFFICIAL)
async def edit_save(request: web.Request) -> web.StreamResponse:
    broadcast = await _broadcast(request)
    if broadcast.status != BroadcastStatus.DRAFT:
        return _compose(request, broadcast, _form_values(broadcast), [Problem(ONLY_DRAFTS)], status=409)
    form, values = await _read_form(request)
    spec, problems = await parse(
        form, _rules(request), services_of(request).clock(), has_photo=bool(broadcast.photo_key)
    )
    if spec is None:
        return _compose(request, broadcast, values, problems, status=400)
    await control.update_draft(broadcast, spec, services_of(request).intake.storage)
    raise web.HTTPSeeOther(f"{BASE}/{broadcast.id}")


@require(Role.OFFICIAL)
async def detail(request: web.Request) -> web.StreamResponse:
    broadcast = await _broadcast(request)
    now = services_of(request).clock()
    is_draft = broadcast.status == BroadcastStatus.DRAFT
    context = {
        "b": broadcast,
        "target": Target.from_json(broadcast.target),
        "buttons": list(map(Button.from_json, broadcast.buttons)),
        "recipients": await count_recipients(Target.from_json(broadcast.target), now) if is_draft else None,
        "progress": await control.progress(broadcast, now),
        "quiet_start": control.quiet_start(broadcast, quiet_hours(services_of(request).settings), now),
        **_labels(request),
    }
    return aiohttp_jinja2.render_template("broadcasts/detail.html", request, context)


@require(Role.OFFICIAL)
async def progress_json(request: web.Request) -> web.StreamResponse:
    broadcast = await _broadcast(request)
    return web.json_response((await control.progress(broadcast, services_of(request).clock())).to_json())


@require(Role.OFFICIAL)
async def photo(request: web.Request) -> web.StreamResponse:
    broadcast = await _broadcast(request)
    if not broadcast.photo_key:
        raise web.HTTPNotFound()
    data = await services_of(request).intake.storage.get(broadcast.photo_key)
    return web.Response(body=data, content_type="image/jpeg")


@require(Role.OFFICIAL)
async def send(request: web.Request) -> web.StreamResponse:
    """Send now (a job starts at once) or schedule for a local date and time (the tick starts it)."""
    broadcast, form, now = await _broadcast(request), await request.post(), services_of(request).clock()
    raw_at = str(form.get("send_at", "")).strip()
    at: datetime = now
    if raw_at:
        try:
            at = local_datetime(raw_at, local_zone(services_of(request).settings))
        except ValueError:
            at = now
        if at <= now:
            await flash(request, "error", BAD_SEND_AT)
            raise web.HTTPSeeOther(f"{BASE}/{broadcast.id}")
    urgent = form.get("urgent") == "1"
    if not await control.schedule(broadcast.id, at, actor=actor_of(request), now=now, urgent=urgent):
        await flash(request, "error", NOT_NOW)
        raise web.HTTPSeeOther(f"{BASE}/{broadcast.id}")
    if urgent:
        await audit.record(actor_of(request), EventTag.BROADCAST_URGENT, now=now, broadcast=broadcast.id)
    if at <= now:
        await services_of(request).redis.enqueue_job(
            RUN_JOB, broadcast.id, 0, _job_id=f"{RUN_JOB}:{broadcast.id}:start"
        )
    await _flash_start(request, await Broadcast.get(id=broadcast.id), now)
    raise web.HTTPSeeOther(f"{BASE}/{broadcast.id}")


async def _flash_start(request: web.Request, broadcast: Broadcast, now: datetime) -> None:
    """Say when it really starts: a send into quiet hours waits for their end, and the official hears it at once."""
    starts = control.quiet_start(broadcast, quiet_hours(services_of(request).settings), now)
    if starts is not None:
        zone = local_zone(services_of(request).settings)
        await flash(request, "ok", QUIET_START, time=starts.astimezone(zone).strftime("%H:%M"))
    elif broadcast.scheduled_at is not None and broadcast.scheduled_at > now:
        await flash(request, "ok", SCHEDULED)
    else:
        await flash(request, "ok", SENT)


def sandbox_preview_chat(staff_id: int) -> int:
    """In the sandbox, a staff member without a Telegram account gets previews in a sandbox chat of their own."""
    return SANDBOX_PREVIEW_CHAT_BASE + staff_id


@require(Role.OFFICIAL)
async def preview(request: web.Request) -> web.StreamResponse:
    """Send the broadcast to the official's own Telegram account (StaffUser.telegram_user_id); in the sandbox,
    without one, to their own sandbox chat (the flash says where to read it)."""
    broadcast, staff, now = await _broadcast(request), request[staff_key], services_of(request).clock()
    chat_id, done = staff.telegram_user_id, PREVIEW_QUEUED
    if chat_id is None and services_of(request).settings.sandbox_enabled:
        chat_id, done = sandbox_preview_chat(staff.id), PREVIEW_IN_SANDBOX
    if chat_id is None:
        await flash(request, "error", NO_TELEGRAM_ACCOUNT)
    else:
        await services_of(request).redis.enqueue_job(
            "broadcasts.preview",
            broadcast.id,
            chat_id,
            staff.language,
            _job_id=f"broadcasts.preview:{broadcast.id}:{staff.id}:{int(now.timestamp())}",
        )
        await flash(request, "ok", done, path=f"/sandbox?user={chat_id}")
    raise web.HTTPSeeOther(f"{BASE}/{broadcast.id}")


async def _steered(request: web.Request, broadcast: Broadcast, done: bool, message: str) -> web.StreamResponse:
    await flash(request, "ok" if done else "error", message if done else NOT_NOW)
    raise web.HTTPSeeOther(f"{BASE}/{broadcast.id}")


@require(Role.OFFICIAL)
async def pause(request: web.Request) -> web.StreamResponse:
    broadcast = await _broadcast(request)
    done = await control.pause(broadcast.id, actor=actor_of(request), now=services_of(request).clock())
    return await _steered(request, broadcast, done, PAUSED)


@require(Role.OFFICIAL)
async def resume(request: web.Request) -> web.StreamResponse:
    broadcast, now = await _broadcast(request), services_of(request).clock()
    done = await control.resume(broadcast.id, actor=actor_of(request), now=services_of(request).clock())
    if done:
        job_id = f"{RUN_JOB}:{broadcast.id}:resume:{int(now.timestamp())}"
        await services_of(request).redis.enqueue_job(RUN_JOB, broadcast.id, 0, _job_id=job_id)
    return await _steered(request, broadcast, done, RESUMED)


@require(Role.OFFICIAL)
async def cancel(request: web.Request) -> web.StreamResponse:
    broadcast = await _broadcast(request)
    done = await control.cancel(broadcast.id, actor=actor_of(request), now=services_of(request).clock())
    return await _steered(request, broadcast, done, CANCELLED)
