"""create_app: the aiohttp application shell; the admin, the sandbox and each feature add their pages.

Every response carries the browser-side guards (a CSP without inline scripts, no framing, no sniffing, no
referrer), and a state-changing request a browser sent from another origin is refused before any handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.services import Services
from bot.telegram.context import BotApplication
from bot.web.keys import ptb_key, services_key
from bot.web.webhook import telegram_webhook

RouteSetup = Callable[[web.Application], None]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def content_security_policy(image_origins: tuple[str, ...] = ()) -> str:
    """No inline scripts or styles, nothing from elsewhere but the images named (the map's tile server)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",  # no inline scripts, no event-handler attributes
            "style-src 'self'",
            " ".join(("img-src 'self' data: blob:", *image_origins)),
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def tile_origin(url_template: str) -> str | None:
    """Where a map tile URL template fetches from, as a CSP source ({s} subdomains become a wildcard)."""
    parts = urlsplit(url_template.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc or "{" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(image_origins: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(image_origins),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",  # no-referrer would make browsers send "Origin: null" on our own forms
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    }


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def header_adder(headers: dict[str, str]) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    async def add_security_headers(_: web.Request, response: web.StreamResponse) -> None:
        for name, value in headers.items():
            response.headers.setdefault(name, value)

    return add_security_headers


def same_origin(origin: str, request: web.Request, public_url: str) -> bool:
    """The Origin a browser sent names this site: the Host it asked for, or PUBLIC_URL."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # includes "null" (sandboxed frames, some redirects)
    public = urlsplit(public_url)
    return parts.netloc == request.host or (parts.scheme, parts.netloc) == (public.scheme, public.netloc)


def origin_guard(public_url: str) -> Middleware:
    @web.middleware
    async def refuse_cross_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Browsers name the page behind every POST in Origin; Telegram and the bot send none (not browsers)."""
        origin = request.headers.get("Origin")
        if request.method not in SAFE_METHODS and origin is not None and not same_origin(origin, request, public_url):
            raise web.HTTPForbidden(text="cross-origin request refused")
        return await handler(request)

    return refuse_cross_origin


def create_app(services: Services, ptb: BotApplication, route_setups: list[RouteSetup]) -> web.Application:
    """Build the web app; `route_setups` add the admin shell, the features' pages and the sandbox."""
    settings = services.settings
    app = web.Application(
        client_max_size=25 * 1024 * 1024,  # room for a 20 MB photo in the sandbox
        middlewares=[origin_guard(settings.public_url)],
    )
    app[services_key] = services
    app[ptb_key] = ptb
    tiles = tile_origin(settings.map_tile_url_template)
    app.on_response_prepare.append(header_adder(security_headers((tiles,) if tiles else ())))
    if settings.webhook_enabled:  # polling and the sandbox take no updates over HTTP: nothing to forge
        app.router.add_post(settings.webhook_path, telegram_webhook)
    app.router.add_get("/healthz", healthz)
    for setup in route_setups:
        setup(app)
    return app
