"""The Open311 GeoReport v2 endpoint at /open311/v2/: every call in XML and JSON, errors in the spec's shape.

Thin: parse, call one domain function, write the tree in the asked format. See opendata/reading.py (GET),
opendata/filing.py (POST), opendata/publication.py (what the public may see).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.i18n import N_, Translator
from opendata import errors, formats, reading
from opendata.catalog import definition, service_entry, services
from opendata.errors import Open311Error
from opendata.keys import key_for
from opendata.models import ApiKey
from opendata.queries import parse_request_query, parse_updates_query
from opendata.records import Context
from opendata.signing import signed_path
from opendata.views.common import POSTED_LOCALE, public_rules, public_wait_s, services_of, signing_key, translator
from opendata.views.posting import post_request

FMT = "{fmt:(?:xml|json)}"
BASE = "/open311/v2"
SPEC = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_CONTACT = N_("Ask the city's safety office.")
DEFAULT_KEY_SERVICE = N_("Keys are issued by the city's officials.")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def respond(request: web.Request, root: str, tree: Any, status: int = 200) -> web.Response:
    # Unknown paths have no {fmt}: answer in the format their suffix asks for (XML, the required one, otherwise).
    fmt = request.match_info.get("fmt") or ("json" if request.path.endswith(".json") else "xml")
    return web.Response(
        text=formats.render(fmt, root, tree), status=status, headers={"Content-Type": formats.CONTENT_TYPES[fmt]}
    )


def error_response(request: web.Request, error: Open311Error, _: Translator) -> web.Response:
    params = {name: _(value) if isinstance(value, str) else value for name, value in error.params.items()}
    response = respond(request, "errors", formats.error_tree(error.code, _(error.description, **params)), error.status)
    if error.status == 429:
        response.headers["Retry-After"] = str(params.get("seconds", 1))
    return response


def api(view: Handler) -> Handler:
    """Errors in the spec's shape; the jurisdiction checked; GETs within the client address's public budget."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        if request.method == "POST" and request.content_type in FORM_TYPES:
            request[POSTED_LOCALE] = str((await request.post()).get("locale", ""))
        _ = translator(request)
        try:
            _check_jurisdiction(request)
            if request.method == "GET":
                wait_s = await public_wait_s(request)
                if wait_s > 0:
                    raise Open311Error(429, errors.RATE_LIMITED, seconds=math.ceil(wait_s))
            return await view(request)
        except Open311Error as error:
            return error_response(request, error, _)

    return wrapped


def _check_jurisdiction(request: web.Request) -> None:
    served = services_of(request).settings.open311_jurisdiction_id
    given = request.query.get("jurisdiction_id", "").strip()
    if given and served and given != served:
        raise Open311Error(404, errors.UNKNOWN_JURISDICTION, given=given)


async def reader_key(request: web.Request) -> ApiKey | None:
    """A GET may pass the partner's api_key to see its own requests in full; a wrong key is a 403, not a shrug."""
    token = request.query.get("api_key", "").strip()
    if not token:
        return None
    key = await key_for(token, now=services_of(request).clock())
    if key is None:
        raise Open311Error(403, errors.API_KEY_WRONG)
    return key


def context_for(request: web.Request, key: ApiKey | None) -> Context:
    services = services_of(request)
    settings, secret, now = services.settings, signing_key(services), services.clock()
    base = settings.public_url.rstrip("/") or f"{request.scheme}://{request.host}"

    def media_url(photo_id: int) -> str:
        return base + signed_path(secret, photo_id, now=now, ttl_s=settings.public_media_url_ttl_s)

    return Context(
        categories=services.categories,
        grid=services.grid,
        rules=public_rules(services),
        moderation_h=settings.moderation_due_h,
        media_url=media_url,
        partner_key_id=key.id if key else None,
    )


def extensions_asked(request: web.Request) -> bool:
    return request.query.get("extensions", "").lower() in ("true", "1", "yes")


@api
async def discovery(request: web.Request) -> web.Response:
    settings = services_of(request).settings
    base = settings.public_url.rstrip("/") or f"{request.scheme}://{request.host}"
    tree = {
        "changeset": "2026-12-01T00:00:00Z",
        "contact": settings.open311_contact or translator(request)(DEFAULT_CONTACT),
        "key_service": settings.open311_key_service or translator(request)(DEFAULT_KEY_SERVICE),
        "endpoints": [
            {
                "specification": SPEC,
                "url": base + BASE,
                "changeset": "2026-12-01T00:00:00Z",
                "type": "production",
                "formats": list(formats.CONTENT_TYPES.values()),
            }
        ],
    }
    return respond(request, "discovery", tree)


def _services(request: web.Request) -> dict[str, Any]:
    svc = services_of(request)
    return {s.category.key: s for s in services(svc.categories, public_rules(svc).private_categories)}


@api
async def service_list(request: web.Request) -> web.Response:
    _ = translator(request)
    return respond(request, "services", [service_entry(service, _) for service in _services(request).values()])


@api
async def service_definition(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    service = _services(request).get(code)
    if service is None:
        raise Open311Error(404, errors.UNKNOWN_SERVICE, code=code)
    return respond(request, "service_definition", definition(service, translator(request)))


@api
async def request_list(request: web.Request) -> web.Response:
    services = services_of(request)
    query = parse_request_query(request.query, set(_services(request)), services.clock())
    context = context_for(request, await reader_key(request))
    found = await reading.find_requests(query, context, translator(request), extensions=extensions_asked(request))
    return respond(request, "service_requests", found)


@api
async def request_one(request: web.Request) -> web.Response:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise Open311Error(404, errors.NO_SUCH_REQUEST, id=raw)
    context = context_for(request, await reader_key(request))
    found = await reading.one_request(int(raw), context, translator(request), extensions=extensions_asked(request))
    return respond(request, "service_requests", [found])


@api
async def token_lookup(request: web.Request) -> web.Response:
    return respond(request, "service_requests", [await reading.request_for_token(request.match_info["token"])])


@api
async def updates(request: web.Request) -> web.Response:
    query = parse_updates_query(request.query, services_of(request).clock())
    context = context_for(request, await reader_key(request))
    return respond(request, "service_request_updates", await reading.find_updates(query, context, translator(request)))


@api
async def not_found(request: web.Request) -> web.Response:
    raise Open311Error(404, errors.NOT_FOUND, what=request.path)


def setup_routes(app: web.Application) -> None:
    from opendata.views.media import public_photo

    router = app.router
    router.add_get(f"/open311/discovery.{FMT}", discovery)
    router.add_get(f"{BASE}/discovery.{FMT}", discovery)
    router.add_get(f"{BASE}/services.{FMT}", service_list)
    router.add_get(f"{BASE}/services/{{code:[^/.]+}}.{FMT}", service_definition)
    router.add_get(f"{BASE}/requests.{FMT}", request_list)
    router.add_post(f"{BASE}/requests.{FMT}", api(post_request))
    router.add_get(f"{BASE}/requests/{{id:[^/.]+}}.{FMT}", request_one)
    router.add_get(f"{BASE}/tokens/{{token:[^/]+?}}.{FMT}", token_lookup)
    router.add_get(f"{BASE}/servicerequestupdates.{FMT}", updates)
    router.add_get(f"{BASE}/media/{{photo_id:\\d+}}", public_photo)
    router.add_route("*", "/open311/{tail:.*}", not_found)
