"""Risk's admin pages: the map (and its GeoJSON per viewport), a cell's panel, the rules, trends, bulletins.

Leaflet and its marker clusters are served from their Python packages (xstatic) under /static (public files,
outside the guarded /admin), never from a CDN; every script is a static file (the admin's CSP allows no
inline script).
"""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from aiohttp import web

from bot.admin.accounts import Role
from bot.features import NAV_OVERVIEW, NAV_SETTINGS, NavItem, Panel
from bot.i18n import N_
from risk.levels import LEVEL_COLOURS
from risk.views import bulletins, rules, trends
from risk.views import map as map_views
from risk.views.panels import cell_level_panel, district_panel

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
NAV = (
    NavItem("/admin/map", N_("Map"), Role.MODERATOR, order=15),
    NavItem("/admin/trends", N_("Trends"), Role.OFFICIAL, order=21, group=NAV_OVERVIEW),
    NavItem("/admin/bulletins", N_("Bulletins"), Role.MODERATOR, order=22, group=NAV_OVERVIEW),
    NavItem("/admin/risk/rules", N_("Risk rules"), Role.ADMIN, order=82, group=NAV_SETTINGS),
)
#: The public status page shows each district's levels (slot "status.district", param `district`: its key).
PANELS = (
    Panel("status.district", "risk/panels/district.html", district_panel),
    Panel("inspections.cell", "risk/panels/cell_level.html", cell_level_panel, role=Role.OFFICIAL),
)


LEVELS_CSS = ".risk-swatch { display: inline-block; width: .9em; height: .9em; vertical-align: middle; }\n" + "\n".join(
    f".risk-swatch-{level.value} {{ background: {colour}; }}\n.risk-text-{level.value} {{ color: {colour}; }}"
    for level, colour in LEVEL_COLOURS.items()
)


async def levels_css(_: web.Request) -> web.Response:
    """The four levels' colours as classes, for pages that show a level (style attributes are not allowed)."""
    return web.Response(text=LEVELS_CSS, content_type="text/css", headers={"Cache-Control": "max-age=3600"})


def setup_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/risk/levels.css", levels_css)  # before the static route: the colours come from one place
    router.add_static("/static/risk", STATIC_DIR, name="risk_static")
    router.add_static("/static/leaflet", xstatic.pkg.leaflet.BASE_DIR, name="risk_leaflet")
    router.add_static("/static/leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR, name="risk_cluster")
    router.add_get("/admin/map", map_views.map_page)
    router.add_get("/admin/map/cells.geojson", map_views.cells_json)
    router.add_get("/admin/map/reports.geojson", map_views.reports_json)
    router.add_get("/admin/map/forecast.geojson", map_views.forecast_json)
    router.add_get("/admin/map/cells/{key}", map_views.cell_panel_page)
    router.add_post("/admin/map/cells/{key}/warn", map_views.warn)
    router.add_get("/admin/trends", trends.trends_page)
    router.add_get("/admin/bulletins", bulletins.archive)
    router.add_get("/admin/bulletins/{bulletin_id}", bulletins.detail)
    router.add_get("/admin/bulletins/{bulletin_id}/map.png", bulletins.map_png)
    router.add_get("/admin/bulletins/{bulletin_id}/bulletin.csv", bulletins.csv_download)
    router.add_get("/admin/risk/rules", rules.rules_page)
    router.add_post("/admin/risk/rules", rules.save_rules_page)
    router.add_get("/admin/risk/rules/{version_id}.toml", rules.version_text)
