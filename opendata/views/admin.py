"""Open data's admin pages: partner API keys (officials make and revoke them) and report exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.audit import EventTag, record
from bot.admin.pages import actor_of, flash, go_to, int_param, now_of, services_of
from bot.admin.security import require
from bot.city.models import Agency
from bot.i18n import N_
from bot.reports.statuses import Status
from opendata.exports import ExportFilter, csv_chunks, geojson_chunks
from opendata.keys import ApiKeyError, create_key, revoke_key
from opendata.models import ApiKey

KEY_REVOKED = N_("Key %(name)s revoked: it stops working at once.")
BAD_DATE = N_("Dates are written 2026-01-31.")
FORMATS = {"csv": ("text/csv; charset=utf-8", csv_chunks), "geojson": ("application/geo+json", geojson_chunks)}


async def _keys_context(request: web.Request, **extra: Any) -> dict[str, Any]:
    return {"keys": await ApiKey.all().order_by("revoked_at", "name"), "new_token": None, "error": None, **extra}


@require(Role.OFFICIAL)
async def keys_page(request: web.Request) -> web.StreamResponse:
    return aiohttp_jinja2.render_template("opendata/keys.html", request, await _keys_context(request))


@require(Role.OFFICIAL)
async def key_create(request: web.Request) -> web.StreamResponse:
    """The new key is shown on this one answer (never stored, never in a redirect or a flash cookie)."""
    form = await request.post()
    rate_text = str(form.get("rate_per_min", "60")).strip()
    try:
        made = await create_key(
            str(form.get("name", "")),
            int(rate_text) if rate_text.isdigit() else 0,
            actor=actor_of(request),
            now=now_of(request),
        )
    except ApiKeyError as refused:
        context = await _keys_context(request, error=str(refused))
        return aiohttp_jinja2.render_template("opendata/keys.html", request, context, status=400)
    context = await _keys_context(request, new_token=made.token, new_name=made.key.name)
    response = aiohttp_jinja2.render_template("opendata/keys.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


@require(Role.OFFICIAL)
async def key_revoke(request: web.Request) -> web.StreamResponse:
    key = await revoke_key(int_param(request, "key_id"), actor=actor_of(request), now=now_of(request))
    if key is None:
        raise web.HTTPNotFound(text="no such key")
    await flash(request, "ok", KEY_REVOKED, name=key.name)
    go_to("/admin/opendata/keys")


@require(Role.OFFICIAL)
async def export_page(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    context = {
        "statuses": [status.value for status in Status],
        "categories": services.categories,
        "areas": services.areas,
        "agencies": await Agency.all().order_by("name"),
    }
    return aiohttp_jinja2.render_template("opendata/export.html", request, context)


def _date(text: str, zone: ZoneInfo) -> datetime | None:
    """A local calendar day (YYYY-MM-DD) as the moment it starts in the city's zone."""
    if not text.strip():
        return None
    return datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=zone)


def export_filter(query: Any, zone: ZoneInfo) -> ExportFilter:
    """The filters of an export from a query string; ValueError for a date that is not YYYY-MM-DD."""

    def chosen(name: str) -> tuple[str, ...]:
        return tuple(value for value in query.getall(name, []) if value)

    return ExportFilter(
        filed_from=_date(query.get("from", ""), zone),
        filed_to=_date(query.get("to", ""), zone),
        statuses=chosen("status"),
        categories=chosen("category"),
        areas=chosen("area"),
        agencies=chosen("agency"),
    )


@require(Role.OFFICIAL)
async def export_download(request: web.Request) -> web.StreamResponse:
    """Stream the export as it is read, batch by batch (a million rows never sit in memory); audited first."""
    fmt = request.path.rsplit(".", 1)[-1]
    zone = ZoneInfo(services_of(request).settings.local_timezone)
    try:
        chosen = export_filter(request.query, zone)
    except ValueError:
        await flash(request, "error", BAD_DATE)
        go_to("/admin/opendata/export")
    await record(actor_of(request), EventTag.EXPORT, now=now_of(request), format=fmt, **chosen.described())
    content_type, chunks = FORMATS[fmt]
    stamp = now_of(request).astimezone(zone).strftime("%Y%m%d-%H%M")
    response = web.StreamResponse(
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="reports-{stamp}.{fmt}"',
            "Cache-Control": "no-store",
        }
    )
    await response.prepare(request)
    async for chunk in chunks(chosen, zone):
        await response.write(chunk.encode())
    await response.write_eof()
    return response
