"""Broadcasts' admin pages (officials): letters (compose, review, send, progress) and the education calendar."""

from __future__ import annotations

from aiohttp import web

from bot.admin.accounts import Role
from bot.features import NAV_BROADCASTS, NavItem, Panel
from bot.i18n import N_
from broadcasts.views import education, letters, panels
from broadcasts.views.letters import BASE, ID

NAV = (
    NavItem(BASE, N_("Broadcasts"), Role.OFFICIAL, order=70, group=NAV_BROADCASTS),
    NavItem(f"{BASE}/education", N_("Education day"), Role.OFFICIAL, order=71, group=NAV_BROADCASTS),
)
#: The officials' start page (slot "home"): what is scheduled or going out now.
PANELS = (Panel("home", "broadcasts/panels/home.html", panels.home, role=Role.OFFICIAL, order=40),)


def setup_routes(app: web.Application) -> None:
    router = app.router
    router.add_get(BASE, letters.list_page)
    router.add_get(f"{BASE}/new", letters.new_page)
    router.add_post(f"{BASE}/new", letters.create)
    education.add_routes(app)  # before /{id}: its paths are not numbers, but keep them together
    router.add_get(f"{BASE}/{ID}", letters.detail)
    router.add_get(f"{BASE}/{ID}/edit", letters.edit_page)
    router.add_post(f"{BASE}/{ID}/edit", letters.edit_save)
    router.add_get(f"{BASE}/{ID}/progress.json", letters.progress_json)
    router.add_get(f"{BASE}/{ID}/photo", letters.photo)
    for action in ("send", "preview", "pause", "resume", "cancel"):
        router.add_post(f"{BASE}/{ID}/{action}", getattr(letters, action))
