"""POST requests.[fmt]: a partner files a report (form-encoded, or multipart with v2.1 `media` files)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from aiohttp import web

from bot.admin.audit import EventTag, record
from opendata import errors
from opendata.catalog import Service, services
from opendata.errors import Open311Error
from opendata.filing import FilingDeps, file_request, partner_actor
from opendata.keys import key_for
from opendata.media import FetchRules
from opendata.views.common import limiter, public_rules, reader_locale, services_of

SECONDS_PER_MINUTE = 60


async def post_request(request: web.Request) -> web.Response:
    from opendata.views.open311 import respond

    services = services_of(request)
    now = services.clock()
    form = await request.post()
    fields: dict[str, list[str]] = {}
    uploads: list[bytes] = []
    for name, value in form.items():
        if isinstance(value, web.FileField):
            if name == "media":
                uploads.append(value.file.read())
        else:
            fields.setdefault(name, []).append(str(value))
    token = (fields.get("api_key") or [request.query.get("api_key", "")])[0].strip()
    if not token:
        raise Open311Error(403, errors.API_KEY_MISSING)
    key = await key_for(token, now=now)
    if key is None:
        raise Open311Error(403, errors.API_KEY_WRONG)
    bucket = limiter(services, f"open311:key:{key.id}", key.rate_per_min / SECONDS_PER_MINUTE, key.rate_per_min)
    wait_s = await bucket.try_acquire()
    if wait_s > 0:
        raise Open311Error(429, errors.RATE_LIMITED, seconds=math.ceil(wait_s))
    if len(uploads) > services.intake.rules.max_photos:
        raise Open311Error(400, errors.TOO_MANY_FILES, count=services.intake.rules.max_photos)
    try:
        filed = await file_request(fields, uploads, key, _deps(request), now=now)
    except Open311Error as refused:  # every POST with a key is audited, refused ones too (with why)
        await record(
            partner_actor(key), EventTag.OPEN311_REFUSED, now=now, key=key.name, code=refused.code,
            reason=refused.description % refused.params if refused.params else refused.description,
        )  # fmt: skip
        raise
    if filed.replayed:
        await record(partner_actor(key), EventTag.OPEN311_POST, now=now, key=key.name, token=filed.token, replayed=True)
    entry = {
        "service_request_id": filed.report_id,
        "service_notice": _notice(request),
        "account_id": filed.account_id or None,
    }
    return respond(request, "service_requests", [entry], status=200 if filed.replayed else 201)


def _notice(request: web.Request) -> str:
    from opendata.texts import NOTICES
    from opendata.views.common import translator

    return translator(request)(NOTICES["submitted"], hours=services_of(request).settings.moderation_due_h)


def _deps(request: web.Request) -> FilingDeps:
    svc = services_of(request)
    settings = svc.settings
    catalog: Sequence[Service] = services(svc.categories, public_rules(svc).private_categories)
    return FilingDeps(
        rules=svc.intake.rules,
        storage=svc.storage,
        fetch=FetchRules(settings.max_photo_bytes, settings.media_fetch_timeout_s, settings.media_fetch_allow_private),
        services={service.category.key: service for service in catalog},
        geocoder_url=settings.geocoder_url,
        geocoder_timeout_s=settings.geocoder_timeout_s,
        locale=reader_locale(request),
    )
