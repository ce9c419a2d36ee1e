"""Public photos by signed, expiring URL: only a photo the public may see, in its latest (redacted) form."""

from __future__ import annotations

from aiohttp import web

from bot.reports.models import Photo, Report
from opendata.publication import public_photo_ids
from opendata.signing import valid
from opendata.views.common import public_rules, services_of, signing_key

#: Shared caches may keep a public photo this long (well under the URL's life).
CACHE_S = 300


async def public_photo(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    photo_id = int(request.match_info["photo_id"])
    signed = valid(
        signing_key(services),
        photo_id,
        request.query.get("exp", ""),
        request.query.get("sig", ""),
        now=services.clock(),
    )
    if not signed:
        raise web.HTTPForbidden(text="this photo link is wrong or has expired")
    photo = await Photo.get_or_none(id=photo_id)
    report = await Report.get_or_none(id=photo.report_id) if photo and photo.report_id else None
    # Checked again at every fetch: the report may have turned private, or the photo may be newer than the review.
    if photo is None or report is None or not public_rules(services).is_listed(report):
        raise web.HTTPNotFound(text="no such public photo")
    if (await public_photo_ids([report.id])).get(report.id) != photo.id:
        raise web.HTTPNotFound(text="no such public photo")
    try:
        body = await services.storage.get(photo.storage_key)
    except KeyError:
        raise web.HTTPNotFound(text="photo file missing") from None
    return web.Response(body=body, content_type="image/jpeg", headers={"Cache-Control": f"public, max-age={CACHE_S}"})
