"""What the open data transports share: the services object, the reader's language, shared rate limits."""

from __future__ import annotations

from aiohttp import web

from bot.admin.security import session_key
from bot.i18n import KNOWN_LOCALES, Translator, normalize_locale
from bot.ratelimit import SharedRateLimiter
from bot.services import Services
from bot.web.keys import services_key
from opendata.publication import PublicRules
from opendata.signing import media_key

US_PER_S = 1_000_000
#: A POST's own `locale` field (read once by the API's error wrapper), ahead of the query string.
POSTED_LOCALE = web.RequestKey("opendata_posted_locale", str)


def services_of(request: web.Request) -> Services:
    return request.app[services_key]


def reader_locale(request: web.Request) -> str:
    """`?locale=` / `?lang=` (zh_CN or en), else the browser's language, else the deployment's default."""
    settings = services_of(request).settings
    chosen = request.get(POSTED_LOCALE) or request.query.get("locale") or request.query.get("lang")
    if chosen in KNOWN_LOCALES:
        return str(chosen)
    header = request.headers.get("Accept-Language", "")
    return normalize_locale(header.split(",")[0].split(";")[0].strip(), settings.default_locale)


def translator(request: web.Request) -> Translator:
    return Translator(reader_locale(request))


def public_rules(services: Services) -> PublicRules:
    return PublicRules(frozenset(services.settings.private_categories))


def signing_key(services: Services) -> bytes:
    return media_key(session_key(services.settings))


def limiter(services: Services, name: str, rate_per_s: float, burst: int) -> SharedRateLimiter:
    """A bucket shared by every web process (Redis), on the services' clock (so tests can hold time still)."""
    clock = services.clock
    return SharedRateLimiter(
        services.redis, rate_per_s, burst, name=name, now_us=lambda: int(clock().timestamp() * US_PER_S)
    )


async def public_wait_s(request: web.Request) -> float:
    """Take one request from the client address's public budget: 0 if allowed, else the seconds to wait."""
    services = services_of(request)
    settings = services.settings
    bucket = limiter(services, f"public:{request.remote or '?'}", settings.public_rate_per_s, settings.public_burst)
    return await bucket.try_acquire()
