"""The admin's own pages: staff accounts (admins) and the audit log (officials)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from tortoise.exceptions import IntegrityError, ValidationError
from tortoise.transactions import in_transaction

from bot.admin.accounts import (
    ROLE_LABELS,
    Role,
    StaffChangeRefusedError,
    create_staff,
    deactivate,
    link_telegram,
    reactivate,
)
from bot.admin.audit import EventTag, audit_page, record
from bot.admin.inputs import parse_id
from bot.admin.models import StaffUser
from bot.admin.pages import actor_of, flash, go_to, int_param, now_of, services_of, staff_of
from bot.admin.security import require
from bot.city.models import Agency
from bot.i18n import KNOWN_LOCALES, N_

AUDIT_PAGE_SIZE = 100
STAFF_CREATED = N_("Staff account %(username)s created.")
STAFF_INVALID = N_(
    "Could not create the account: the username may be taken, the password is under 10 characters, "
    "the Telegram user id is not a number or already linked, or an agency crew member has no agency."
)
TELEGRAM_SAVED = N_("Telegram account of %(username)s saved.")
TELEGRAM_INVALID = N_("A Telegram user id is a positive number that is not linked to another staff member.")
STAFF_DEACTIVATED = N_("%(username)s can no longer log in; their sessions have ended.")
STAFF_REACTIVATED = N_("%(username)s can log in again.")


@require(Role.OFFICIAL)
async def audit_log(request: web.Request) -> web.StreamResponse:
    report_id = parse_id(request.query.get("report", ""))
    page = await audit_page(
        page=parse_id(request.query.get("page", "1")) or 1,
        page_size=AUDIT_PAGE_SIZE,
        report_id=report_id,
        actor=request.query.get("actor", ""),
    )
    context = {"audit": page, "report_id": report_id, "actor": request.query.get("actor", "")}
    return aiohttp_jinja2.render_template("admin/audit.html", request, context)


@require(Role.ADMIN)
async def staff_list(request: web.Request) -> web.StreamResponse:
    context: dict[str, Any] = {
        "members": await StaffUser.all().order_by("username"),
        "roles": ROLE_LABELS,
        "areas": services_of(request).areas,
        "categories": services_of(request).categories,
        "locales": KNOWN_LOCALES,
        "agencies": await Agency.filter(active=True).order_by("key"),
    }
    return aiohttp_jinja2.render_template("admin/staff.html", request, context)


@require(Role.ADMIN)
async def staff_create(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", "")).strip()
    language = str(form.get("language", "zh_CN"))
    try:
        async with in_transaction():
            member = await create_staff(
                username,
                str(form.get("password", "")),
                Role(str(form.get("role", ""))),
                areas=[str(v) for v in form.getall("areas", [])],
                categories=[str(v) for v in form.getall("categories", [])],
                language=language if language in KNOWN_LOCALES else "zh_CN",
                agency=str(form.get("agency", "")).strip() or None,
            )
            await link_telegram(member, _telegram_id(form.get("telegram_user_id")))
    except (ValueError, IntegrityError, ValidationError):  # ValidationError: a username past 64 characters
        await flash(request, "error", STAFF_INVALID)
    else:
        await record(
            actor_of(request),
            EventTag.STAFF_CREATE,
            now=now_of(request),
            username=member.username,
            role=member.role,
            areas=member.areas,
            categories=member.categories,
            agency=member.agency,
            telegram_user_id=member.telegram_user_id,
        )
        await flash(request, "ok", STAFF_CREATED, username=member.username)
    go_to("/admin/staff")


def _telegram_id(raw: object) -> int | None:
    """The form's Telegram user id: empty means none; anything but digits is a ValueError."""
    text = str(raw or "").strip()
    return int(text) if text else None


async def _member(request: web.Request) -> StaffUser:
    member = await StaffUser.get_or_none(id=int_param(request, "staff_id"))
    if member is None:
        raise web.HTTPNotFound(text="no such staff member")
    return member


@require(Role.ADMIN)
async def staff_telegram(request: web.Request) -> web.StreamResponse:
    """Link (or, left empty, unlink) a staff member's Telegram account for the moderators' group."""
    member = await _member(request)
    try:
        await link_telegram(member, _telegram_id((await request.post()).get("telegram_user_id")))
    except ValueError:
        await flash(request, "error", TELEGRAM_INVALID)
    else:
        await record(
            actor_of(request),
            EventTag.STAFF_TELEGRAM,
            now=now_of(request),
            username=member.username,
            telegram_user_id=member.telegram_user_id,
        )
        await flash(request, "ok", TELEGRAM_SAVED, username=member.username)
    go_to("/admin/staff")


@require(Role.ADMIN)
async def staff_deactivate(request: web.Request) -> web.StreamResponse:
    """The member can no longer log in, and every session of theirs (a copied cookie too) ends now."""
    member = await _member(request)
    try:
        ended = await deactivate(member, staff_of(request))
    except StaffChangeRefusedError as refusal:
        await flash(request, "error", str(refusal))
    else:
        await record(
            actor_of(request), EventTag.STAFF_DEACTIVATE, now=now_of(request), username=member.username, sessions=ended
        )
        await flash(request, "ok", STAFF_DEACTIVATED, username=member.username)
    go_to("/admin/staff")


@require(Role.ADMIN)
async def staff_reactivate(request: web.Request) -> web.StreamResponse:
    member = await _member(request)
    await reactivate(member)
    await record(actor_of(request), EventTag.STAFF_REACTIVATE, now=now_of(request), username=member.username)
    await flash(request, "ok", STAFF_REACTIVATED, username=member.username)
    go_to("/admin/staff")


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/admin/audit", audit_log)
    app.router.add_get("/admin/staff", staff_list)
    app.router.add_post("/admin/staff", staff_create)
    app.router.add_post("/admin/staff/{staff_id}/telegram", staff_telegram)
    app.router.add_post("/admin/staff/{staff_id}/deactivate", staff_deactivate)
    app.router.add_post("/admin/staff/{staff_id}/reactivate", staff_reactivate)
