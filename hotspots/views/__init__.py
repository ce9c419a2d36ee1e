"""The feature's admin pages (officials): the inspection list, incidents and imports, warning proposals."""

from __future__ import annotations

from aiohttp import web

from bot.admin.accounts import Role
from bot.features import NAV_CITY, NavItem
from bot.i18n import N_
from hotspots.views import incidents, inspections, warnings

NAV = (
    NavItem(inspections.BASE, N_("Inspections"), Role.OFFICIAL, order=30, group=NAV_CITY),
    NavItem(incidents.BASE, N_("Incidents"), Role.OFFICIAL, order=31, group=NAV_CITY),
    NavItem(warnings.BASE, N_("Warnings"), Role.OFFICIAL, order=32, group=NAV_CITY),
)


def setup_routes(app: web.Application) -> None:
    inspections.add_routes(app)
    incidents.add_routes(app)
    warnings.add_routes(app)
