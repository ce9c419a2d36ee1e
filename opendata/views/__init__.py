"""Open data's transports: the Open311 API (/open311/v2/), the public status page (/status), admin pages."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.admin.accounts import Role
from bot.features import NAV_OVERVIEW, NAV_SETTINGS, NavItem
from bot.i18n import N_
from opendata.views import admin, open311, status

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
NAV = (
    NavItem("/admin/opendata/export", N_("Export"), Role.OFFICIAL, order=60, group=NAV_OVERVIEW),
    NavItem("/admin/opendata/keys", N_("API keys"), Role.OFFICIAL, order=85, group=NAV_SETTINGS),
)


def leaflet_dir() -> Path:
    import xstatic.pkg.leaflet

    return Path(xstatic.pkg.leaflet.BASE_DIR)


def setup_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/admin/opendata/keys", admin.keys_page)
    router.add_post("/admin/opendata/keys", admin.key_create)
    router.add_post("/admin/opendata/keys/{key_id}/revoke", admin.key_revoke)
    router.add_get("/admin/opendata/export", admin.export_page)
    for fmt in admin.FORMATS:  # fixed paths: every admin route is walked by the guard tests with its parameters filled
        router.add_get(f"/admin/opendata/export.{fmt}", admin.export_download)
    router.add_get("/status", status.status_page)
    router.add_get("/status/map.json", status.map_json)
    router.add_static("/status/static", STATIC_DIR, name="opendata_static")
    router.add_static("/status/leaflet", leaflet_dir(), name="opendata_leaflet")
    open311.setup_routes(app)
