"""Admin shell pages: login, logout, the home page with every feature's navigation."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.admin.accounts import Role, authenticate
from bot.admin.errors import error_pages
from bot.admin.inputs import bad_input_middleware, path_ids_middleware
from bot.admin.language import chosen_language, language_names, remember_language, switch_language
from bot.admin.nav import current_item, nav_entries
from bot.admin.pages import pop_flashes, services_of
from bot.admin.panels import render_panels
from bot.admin.security import (
    checker_key,
    client_of,
    csrf_token,
    current_staff,
    log_in,
    log_out,
    require,
    setup_security,
    staff_key,
    staff_middleware,
    throttle_key,
)
from bot.admin.staff import setup_routes as setup_staff_pages
from bot.admin.throttle import USERNAME_MAX_CHARS
from bot.config import Settings
from bot.features import NAV_SETTINGS, NavItem
from bot.i18n import KNOWN_LOCALES, N_, Translator, normalize_locale
from bot.web.keys import services_key

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: The admin's own entries; each feature adds its own (Feature.nav), all sorted by `order`.
KERNEL_NAV = (
    NavItem("/admin/audit", N_("Audit log"), Role.OFFICIAL, order=90, group=NAV_SETTINGS),
    NavItem("/admin/staff", N_("Staff"), Role.ADMIN, order=95, group=NAV_SETTINGS),
)
nav_key = web.AppKey("admin_nav", tuple[NavItem, ...])
WRONG_LOGIN = N_("Wrong username or password.")
TOO_MANY_TRIES = N_("Too many failed attempts from here. Try again in %(minutes)s min.")


def admin_locale(request: web.Request) -> str:
    """The staff member's own language; before login the one chosen on the login page, else the browser's."""
    staff = request.get(staff_key)
    if staff is not None and staff.language in KNOWN_LOCALES:
        return str(staff.language)
    chosen = chosen_language(request)
    if chosen is not None:
        return chosen
    return normalize_locale(request.headers.get("Accept-Language", "").split(",")[0])


async def template_context(request: web.Request) -> dict[str, Any]:
    """What every admin template sees: `_` and `ngettext` in the reader's language, the CSRF token, the menu."""
    if request.method == "POST" and request.path == request.app[services_key].settings.webhook_path:
        # Telegram's updates render no page: without this each one opened a browser session (a CSRF
        # token, flashes) and was answered with a freshly encrypted Set-Cookie.
        return {}
    staff, locale = request.get(staff_key), admin_locale(request)
    _ = Translator(locale)
    items = request.app[nav_key]
    return {
        "_": _,
        "ngettext": _.ngettext,
        "csrf_token": await csrf_token(request),
        "staff": staff,
        "nav": nav_entries(items, staff),
        "current_nav": current_item(items, request.path),
        "current_path": request.path_qs,
        "locale": locale,
        "language_names": language_names(),
        "flashes": await pop_flashes(request, _),
    }


async def login_page(request: web.Request) -> web.StreamResponse:
    """The login form in the language chosen here (remembered in a cookie), else the browser's."""
    context: dict[str, Any] = {
        "next": request.query.get("next", "/admin"),
        "error": None,
        "error_params": {},
        "chosen": chosen_language(request),
    }
    response = aiohttp_jinja2.render_template("admin/login.html", request, context)
    chosen = request.query.get("lang")
    if chosen in KNOWN_LOCALES:
        remember_language(response, str(chosen))
    return response


async def login_submit(request: web.Request) -> web.StreamResponse:
    """Count the attempt first (parallel guesses cannot outrun the count), then check the password off the loop."""
    form = await request.post()
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    next_path = str(form.get("next", "/admin"))
    if not next_path.startswith("/admin"):
        next_path = "/admin"  # never redirect off-site
    throttle, address, now = request.app[throttle_key], client_of(request), services_of(request).clock()
    wait = await throttle.begin(username, address, now)
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        response = _login_error(request, next_path, TOO_MANY_TRIES, status=429, minutes=minutes)
        response.headers["Retry-After"] = str(math.ceil(wait.total_seconds()))
        return response
    staff = None
    if len(username) <= USERNAME_MAX_CHARS:  # no account has a longer name: no need to check the password
        staff = await authenticate(username, password, now, request.app[checker_key])
    if staff is None:
        return _login_error(request, next_path, WRONG_LOGIN, status=401)
    await throttle.succeeded(username, address)
    await log_in(request, staff)
    response = web.HTTPSeeOther(next_path)
    language = str(form.get("language", ""))
    if language in KNOWN_LOCALES:  # chosen on the login page: theirs from now on, here and in the header
        if language != staff.language:
            staff.language = language
            await staff.save(update_fields=["language"])
        remember_language(response, language)
    raise response


def _login_error(request: web.Request, next_path: str, message: str, *, status: int, **params: object) -> web.Response:
    context = {"next": next_path, "error": message, "error_params": params, "chosen": chosen_language(request)}
    return aiohttp_jinja2.render_template("admin/login.html", request, context, status=status)


async def logout(request: web.Request) -> web.StreamResponse:
    await log_out(request)
    raise web.HTTPSeeOther("/admin/login")


@require(Role.MODERATOR)
async def home(request: web.Request) -> web.StreamResponse:
    """What needs the reader now: every feature's "home" panel they may see (their queue, what is overdue,
    held rewards, broadcasts waiting...), params `staff` and `now`; the menu is in the header."""
    now = services_of(request).clock()
    panels = await render_panels(request, "home", staff=request[staff_key], now=now)
    return aiohttp_jinja2.render_template("admin/home.html", request, {"panels": panels})


async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/admin" if await current_staff(request) else "/admin/login")


def local_time(moment: datetime | None, zone: ZoneInfo, fmt: str) -> str:
    """Staff read times in the city's own zone (stored in UTC); "-" when there is none."""
    return moment.astimezone(zone).strftime(fmt) if moment is not None else "-"


def install_template_helpers(env: jinja2.Environment, settings: Settings) -> None:
    """The filters and globals every admin template may use (also for bench/queue_page.py's renders)."""
    zone = ZoneInfo(settings.local_timezone)
    env.filters["local"] = lambda moment, fmt="%Y-%m-%d %H:%M": local_time(moment, zone, fmt)
    env.globals["timezone_name"] = settings.local_timezone
    env.globals["map_url"] = lambda lat, lon: settings.map_url_template.format(lat=f"{lat:.6f}", lon=f"{lon:.6f}")


def setup_admin(app: web.Application) -> None:
    """Install sessions, CSRF, templates and the shell routes; features then add their pages."""
    services = app[services_key]
    settings = services.settings
    setup_security(app, settings)
    # Inside the staff middleware (the page knows the reader), outside the CSRF check (its 403 is a page too).
    app.middlewares.insert(app.middlewares.index(staff_middleware) + 1, error_pages())
    app.middlewares.append(path_ids_middleware)
    app.middlewares.append(bad_input_middleware(admin_locale))
    features = services.features
    template_dirs = [TEMPLATES_DIR, *(feature.templates for feature in features if feature.templates is not None)]
    app[nav_key] = tuple(sorted([*KERNEL_NAV, *(item for f in features for item in f.nav)], key=lambda i: i.order))
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader([str(directory) for directory in template_dirs]),
        context_processors=[template_context],
        autoescape=True,
    )
    install_template_helpers(env, settings)
    app.router.add_get("/", root)
    app.router.add_get("/admin/login", login_page)
    app.router.add_post("/admin/login", login_submit)
    app.router.add_post("/admin/logout", logout)
    app.router.add_post("/admin/language", switch_language)
    app.router.add_get("/admin", home)
    for feature in features:  # before the kernel's own: a static route takes every path under its prefix
        if feature.static is not None:
            app.router.add_static(f"/admin/static/{feature.name}", feature.static, name=f"{feature.name}_static")
    app.router.add_static("/admin/static", STATIC_DIR, name="admin_static")
    setup_staff_pages(app)
