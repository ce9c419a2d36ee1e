"""The bulletins' archive (/admin/bulletins): each bulletin in Chinese or English, its PNG map and its CSV,
scoped to the reader's districts. Other features add sections through the "bulletin.section" panel slot
(params: `bulletin` (the row), `data` (its scoped data), `lang`)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.pages import int_param, services_of
from bot.admin.panels import render_panels
from bot.admin.security import require
from bot.i18n import KNOWN_LOCALES, Translator
from risk.bulletin import end_label, scoped_data, totals
from risk.bulletin_csv import bulletin_csv
from risk.bulletin_map import render_map
from risk.bulletin_text import SEVERITY_NAMES, legend, title
from risk.charts import line_chart
from risk.models import Bulletin
from risk.periods import local_date
from risk.views.common import label_context, locale_of, scope_of_request
from risk.views.trends import TREND_NAMES


def _lang(request: web.Request) -> str:
    wanted = request.query.get("lang", "")
    return wanted if wanted in KNOWN_LOCALES else locale_of(request)


async def _bulletin(request: web.Request) -> Bulletin:
    bulletin = await Bulletin.get_or_none(id=int_param(request, "bulletin_id"))
    if bulletin is None:
        raise web.HTTPNotFound(text="no such bulletin")
    return bulletin


@require(Role.MODERATOR)
async def archive(request: web.Request) -> web.StreamResponse:
    zone = services_of(request).settings.local_timezone
    _ = Translator(locale_of(request))
    bulletins = await Bulletin.all().order_by("-period_start", "kind").limit(200)
    rows = [(b, title(b, zone, _)) for b in bulletins]
    return aiohttp_jinja2.render_template("risk/bulletins.html", request, {"rows": rows})


def _monthly_charts(data: dict[str, Any], _: Translator, category_names: dict[str, str]) -> list[str]:
    trends = data.get("trends")
    if not trends:
        return []
    labels = [week[5:] for week in trends["weeks"]]
    by_category = {_(category_names.get(k, k)): v for k, v in trends["by_category"].items()}
    return [
        line_chart(by_category, labels, _(TREND_NAMES["by_category"])),
        line_chart({_(TREND_NAMES["accept_h"]): trends["accept_h"]}, labels, _(TREND_NAMES["accept_h"])),
        line_chart({_(TREND_NAMES["fix_d"]): trends["fix_d"]}, labels, _(TREND_NAMES["fix_d"])),
        line_chart(trends["cells_by_level"], labels, _(TREND_NAMES["cells_by_level"])),
    ]


@require(Role.MODERATOR)
async def detail(request: web.Request) -> web.StreamResponse:
    """The bulletin in `?lang=` (zh_CN or en; the reader's own by default): the page's words follow it."""
    bulletin, lang = await _bulletin(request), _lang(request)
    data = scoped_data(bulletin.data, scope_of_request(request))
    _, zone = Translator(lang), services_of(request).settings.local_timezone
    labels = label_context(request)
    context = {
        **labels,
        "_": _,
        "locale": lang,
        "bulletin": bulletin,
        "title": title(bulletin, zone, _),
        "first_day": local_date(bulletin.period_start, zone),
        "last_day": end_label(local_date(bulletin.period_end, zone)),
        "data": data,
        "totals": totals(data),
        "severity_names": SEVERITY_NAMES,
        "charts": _monthly_charts(data, _, labels["category_names"]),
        "sections": await render_panels(request, "bulletin.section", bulletin=bulletin, data=data, lang=lang),
        "languages": KNOWN_LOCALES,
    }
    return aiohttp_jinja2.render_template("risk/bulletin.html", request, context)


@require(Role.MODERATOR)
async def map_png(request: web.Request) -> web.StreamResponse:
    bulletin, _ = await _bulletin(request), Translator(_lang(request))
    scope, services = scope_of_request(request), services_of(request)
    districts = set(scope.districts) if scope.districts is not None else None
    data = scoped_data(bulletin.data, scope)
    png = render_map(services.grid, data, title(bulletin, services.settings.local_timezone, _), legend(_), districts)
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=300"})


@require(Role.MODERATOR)
async def csv_download(request: web.Request) -> web.StreamResponse:
    bulletin, _ = await _bulletin(request), Translator(_lang(request))
    data = scoped_data(bulletin.data, scope_of_request(request))
    body = "\ufeff" + bulletin_csv(data, services_of(request).grid, _)  # the BOM lets spreadsheets read UTF-8
    name = f"bulletin-{bulletin.kind}-{bulletin.period_start.date().isoformat()}-{_.locale}.csv"
    return web.Response(
        text=body, content_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
