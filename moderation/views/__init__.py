"""Moderation's admin pages: the queue, the report page and its actions, the dashboard, the agencies."""

from __future__ import annotations

from aiohttp import web

from bot.admin.accounts import Role
from bot.features import NAV_OVERVIEW, NAV_SETTINGS, NavItem, Panel
from bot.i18n import N_
from moderation.views import actions, admin, pages, panels

NAV = (
    NavItem("/admin/queue", N_("Queue"), Role.MODERATOR, order=10),
    NavItem("/admin/dashboard", N_("Dashboard"), Role.OFFICIAL, order=20, group=NAV_OVERVIEW),
    NavItem("/admin/agencies", N_("Agencies"), Role.ADMIN, order=80, group=NAV_SETTINGS),
)

#: The start page (slot "home"): the reader's queue, what is late, what waits for the reporter or a dispatch.
PANELS = (Panel("home", "moderation/panels/home.html", panels.home, role=Role.MODERATOR, order=10),)


def setup_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/admin/queue", pages.queue)
    router.add_get("/admin/queue/next", pages.next_in_queue)
    router.add_get("/admin/reports/{report_id}", pages.report_page)
    router.add_get("/admin/photos/{photo_id}", pages.photo_full)
    router.add_get("/admin/photos/{photo_id}/thumb", pages.photo_thumb)
    router.add_get("/admin/photos/{photo_id}/original", pages.photo_original)
    actions.add_routes(app)
    router.add_get("/admin/dashboard", admin.dashboard)
    router.add_get("/admin/agencies", admin.agencies)
    router.add_post("/admin/agencies", admin.agency_save)
