"""Risk's admin pages: the map (and its GeoJSON per viewport), a cell's panel, the rules, trends, bulletins."""

from __future__ import annotations

from aiohttp import web

from bot.admin.accounts import Role
from bot.features import NavItem, Panel
from bot.i18n import N_

NAV = (NavItem("/admin/map", N_("Map"), Role.MODERATOR, order=15),)
PANELS: tuple[Panel, ...] = ()


def setup_routes(app: web.Application) -> None:
    pass
