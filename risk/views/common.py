"""Small helpers risk's pages share: the reader's scope, locale and zone, labels for templates."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.admin.pages import services_of, staff_of
from bot.i18n import Translator
from bot.telegram.texts import STATUS_NAMES
from risk.levels import LEVEL_COLOURS, LEVEL_LABELS, LEVELS_HIGH_FIRST
from risk.scope import Scope, scope_of
from risk.texts import PART_NAMES


def scope_of_request(request: web.Request) -> Scope:
    return scope_of(staff_of(request))


def locale_of(request: web.Request) -> str:
    return str(staff_of(request).language)


def zone_of(request: web.Request) -> ZoneInfo:
    return ZoneInfo(services_of(request).settings.local_timezone)


def label_context(request: web.Request) -> dict[str, Any]:
    """What risk's templates need to name levels, statuses, categories, districts and score parts."""
    services = services_of(request)
    return {
        "levels": LEVELS_HIGH_FIRST,
        "level_labels": LEVEL_LABELS,
        "level_colours": LEVEL_COLOURS,
        "status_labels": STATUS_NAMES,
        "part_names": PART_NAMES,
        "category_names": {c.key: c.label for c in services.categories},
        "grid": services.grid,
    }


def json_attr(value: object) -> str:
    """JSON for a data-* attribute (the template escapes it): the page's script reads its settings there,
    because the admin's CSP allows no inline script."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def translated(mapping: dict[str, str], _: Translator) -> dict[str, str]:
    return {key: _(label) for key, label in mapping.items()}
