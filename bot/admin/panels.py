"""Rendering other features' panels into a page (see `bot.features.Panel`)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup

from bot.admin.accounts import has_role
from bot.admin.pages import services_of
from bot.admin.security import staff_key


async def render_panels(request: web.Request, slot: str, **params: Any) -> list[Markup]:
    """Every feature's panel for `slot` that the reader may see, rendered in order (HTML, escaped by its template)."""
    services, staff = services_of(request), request.get(staff_key)
    panels = sorted(
        (panel for feature in services.features for panel in feature.panels if panel.slot == slot),
        key=lambda panel: panel.order,
    )
    rendered = []
    for panel in panels:
        if panel.role is not None and (staff is None or not has_role(staff, panel.role)):
            continue
        context = await panel.context(services, {"request": request, **params})
        if context is not None:  # Markup: the panel's own template escaped what it rendered
            rendered.append(Markup(aiohttp_jinja2.render_string(panel.template, request, context)))
    return rendered
