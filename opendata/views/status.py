"""The public status page /status (no login, zh and en): district figures, the map, a report's timeline.

Figures and the map are cached in Redis for `status_cache_s` (shared by every web process); every request
spends from its client address's public budget. All script is in static files (no inline script). Panels:
"status.district" (params: district = its key) beside each district's figures, "status.page" below the table;
the page is complete without any.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from bot.admin.panels import render_panels
from bot.i18n import N_
from bot.services import Services
from opendata import status as figures
from opendata import texts
from opendata.publication import PublicRules
from opendata.views.common import public_rules, public_wait_s, reader_locale, services_of, translator

FIGURES_KEY = "opendata:status:figures"
MAP_KEY = "opendata:status:map"
TOO_MANY = N_("Too many requests: try again in %(seconds)s seconds.")


async def cached(services: Services, key: str, compute: Callable[[], Awaitable[Any]]) -> Any:
    """The value stored under `key` if fresh, else computed and stored for status_cache_s."""
    stored = await services.redis.get(key)
    if stored is not None:
        return json.loads(stored)
    value = await compute()
    await services.redis.set(key, json.dumps(value), ex=max(1, services.settings.status_cache_s))
    return value


async def _limited(request: web.Request) -> web.Response | None:
    wait_s = await public_wait_s(request)
    if wait_s <= 0:
        return None
    seconds = math.ceil(wait_s)
    text = translator(request)(TOO_MANY, seconds=seconds)
    return web.Response(status=429, text=text, headers={"Retry-After": str(seconds)})


def _lookup_id(request: web.Request) -> int | None:
    raw = request.query.get("report", "").strip().lstrip("#")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


async def status_page(request: web.Request) -> web.StreamResponse:
    refused = await _limited(request)
    if refused is not None:
        return refused
    services = services_of(request)
    zone, rules = ZoneInfo(services.settings.local_timezone), public_rules(services)
    districts = await cached(
        services, FIGURES_KEY, lambda: figures.district_figures(services.grid, now=services.clock(), zone=zone)
    )
    locale = reader_locale(request)
    panels = {row["key"]: await render_panels(request, "status.district", district=row["key"]) for row in districts}
    asked = request.query.get("report", "").strip()
    context = {
        "_": translator(request),
        "locale": locale,
        "districts": districts,
        "district_panels": panels,
        "page_panels": await render_panels(request, "status.page"),
        "asked": asked,
        "lookup": await _lookup(request, rules),
        "labels": {status: translator(request)(label) for status, label in texts.STATUS_LABELS.items()},
        "categories": {c.key: translator(request)(c.label) for c in services.categories},
        "district_names": {row["key"]: row["name_zh"] if locale == "zh_CN" else row["name"] for row in districts},
    }
    response = aiohttp_jinja2.render_template("opendata/status.html", request, context)
    # private: the admin shell sets a session cookie on every response, which no shared cache may hand on
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


async def _lookup(request: web.Request, rules: PublicRules) -> figures.Lookup | None:
    report_id = _lookup_id(request)
    return await figures.lookup(report_id, rules) if report_id is not None else None


async def map_json(request: web.Request) -> web.StreamResponse:
    refused = await _limited(request)
    if refused is not None:
        return refused
    services = services_of(request)
    features = await cached(
        services, MAP_KEY, lambda: figures.map_features(services.grid, public_rules(services), now=services.clock())
    )
    return web.json_response(features, headers={"Cache-Control": "private, max-age=60"})
