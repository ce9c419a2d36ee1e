"""Open data: the Open311 GeoReport v2 API partner systems file into and read from, report exports, and the
public status page.

Domain modules (models, keys, catalog, queries, reading, records, filing, media, geocoder, plaintext,
publication, signing, formats, errors, exports, status, texts) import neither `telegram` nor `aiohttp`; `views`
(the API, the status page, admin pages, the report page's panel) and `commands` (`python -m bot export`) are the
thin transports.
"""

from __future__ import annotations

from pathlib import Path

from bot.admin.accounts import Role
from bot.features import Feature, Panel


def feature() -> Feature:
    from opendata import cli, views
    from opendata.views.panels import partner_panel

    return Feature(
        name="opendata",
        models=("opendata.models",),
        routes=views.setup_routes,
        templates=Path(__file__).parent / "templates",
        nav=views.NAV,
        panels=(Panel("report.side", "opendata/panels/partner.html", partner_panel, role=Role.MODERATOR, order=20),),
        cli=(cli.EXPORT,),
    )
