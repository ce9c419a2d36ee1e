"""The field's admin pages (the listed-hazards board, the before/after picture) and its panels on other pages:
beside the report ("report.side"), on the dashboard ("dashboard") and on the public status page ("status.page")."""

from __future__ import annotations

from aiohttp import web

from bot.admin.accounts import Role
from bot.features import NAV_CITY, NavItem, Panel
from bot.i18n import N_
from field.views import board, panels

NAV = (NavItem("/admin/field/listed", N_("Listed hazards"), Role.OFFICIAL, order=25, group=NAV_CITY),)
PANELS = (
    Panel("report.side", "field/panels/report.html", panels.report_side, role=Role.MODERATOR, order=20),
    Panel("dashboard", "field/panels/dashboard.html", panels.dashboard, role=Role.OFFICIAL, order=40),
    Panel("status.page", "field/panels/listed_public.html", panels.listed_public, order=40),
)


def setup_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/admin/field/listed", board.listed)
    router.add_post("/admin/field/reports/{report_id}/list", board.list_report)
    router.add_post("/admin/field/listed/{listing_id}/progress", board.progress)
    router.add_post("/admin/field/listed/{listing_id}/close-off", board.close_off)
    router.add_get("/admin/field/reports/{report_id}/before-after.jpg", board.before_after)
