"""Sessions (an encrypted cookie naming a server-side session), CSRF tokens, the login's helpers and the role
guard for views."""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web
from aiohttp_session import get_session, new_session
from aiohttp_session import setup as setup_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from bot.admin.accounts import PasswordChecker, Role, has_role
from bot.admin.models import StaffUser
from bot.admin.sessions import SessionRules, close_session, open_session, session_staff
from bot.admin.throttle import LoginThrottle, ThrottleRules
from bot.config import Settings
from bot.i18n import N_
from bot.private_files import read_or_create
from bot.web.client_address import Network, client_address, trusted_networks
from bot.web.keys import services_key

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
staff_key = web.RequestKey("staff", StaffUser)
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Only the admin is cookie-authenticated; the webhook and the sandbox API have their own guards.
PROTECTED_PREFIX = "/admin"
#: The session cookie's entry naming the server-side session (bot/admin/sessions.py).
SESSION_TOKEN = "session"
throttle_key = web.AppKey("login_throttle", LoginThrottle)
checker_key = web.AppKey("password_checker", PasswordChecker)
session_rules_key = web.AppKey("session_rules", SessionRules)
trusted_proxies_key = web.AppKey("trusted_proxies", tuple[Network, ...])

SESSION_KEY_FILE = "admin_secret.key"
#: Refusals (English msgids: bot/admin/errors.py shows them translated in the admin's layout).
CSRF_REFUSED = N_("This form has expired or came from another site: go back, reload the page and try again.")
LOG_IN_FIRST = N_("Log in first.")
ROLE_REFUSED = N_("Your role does not allow this.")


def session_key(settings: Settings) -> bytes:
    """The Fernet key from settings, or one created once under var_dir so restarts keep sessions (created
    atomically: several web processes starting on a fresh var_dir all end with the same key)."""
    if settings.admin_secret_key:
        return settings.admin_secret_key.encode()
    return read_or_create(settings.var_dir / SESSION_KEY_FILE, Fernet.generate_key).strip()


def setup_security(app: web.Application, settings: Settings) -> None:
    storage = EncryptedCookieStorage(
        Fernet(session_key(settings)),
        cookie_name="safecity_admin",
        max_age=settings.admin_session_max_age_s,
        httponly=True,
        samesite="Strict",
        secure=settings.public_url.startswith("https://"),
    )
    setup_session(app, storage)
    app.middlewares.append(staff_middleware)  # before the template context processors run
    app.middlewares.append(csrf_middleware)
    app[session_rules_key] = SessionRules.from_settings(settings)
    app[throttle_key] = LoginThrottle(ThrottleRules.from_settings(settings))
    app[trusted_proxies_key] = trusted_networks(settings.trusted_proxies)
    checker = app[checker_key] = PasswordChecker(settings.login_verify_threads)

    async def close_checker(_: web.Application) -> None:
        checker.close()

    app.on_cleanup.append(close_checker)


def client_of(request: web.Request) -> str:
    """The client's address (through TRUSTED_PROXIES' X-Forwarded-For): what the login throttle counts."""
    forwarded = request.headers.getall("X-Forwarded-For", [])
    return client_address(request.remote, forwarded, request.app[trusted_proxies_key])


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(session[CSRF_FIELD])


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every state-changing admin request must echo the session's CSRF token (form field or header)."""
    if request.method in SAFE_METHODS or not request.path.startswith(PROTECTED_PREFIX):
        return await handler(request)
    session = await get_session(request)
    expected = session.get(CSRF_FIELD)
    given = request.headers.get("X-CSRF-Token")
    if given is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        given = str((await request.post()).get(CSRF_FIELD, ""))
    if not expected or not given or not secrets.compare_digest(str(expected), given):
        raise web.HTTPForbidden(text=CSRF_REFUSED)
    return await handler(request)


@web.middleware
async def staff_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the logged-in staff member once per admin request."""
    if request.path.startswith(PROTECTED_PREFIX):
        staff = await current_staff(request)
        if staff is not None:
            request[staff_key] = staff
    return await handler(request)


async def current_staff(request: web.Request) -> StaffUser | None:
    """The staff member of this request's live server-side session, if any."""
    token = (await get_session(request)).get(SESSION_TOKEN)
    if not isinstance(token, str):
        return None
    return await session_staff(token, request.app[services_key].clock(), request.app[session_rules_key])


async def log_in(request: web.Request, staff: StaffUser) -> None:
    """A new session on login (no fixation), with a fresh CSRF token."""
    token = await open_session(staff, request.app[services_key].clock(), request.app[session_rules_key])
    session = await new_session(request)
    session[SESSION_TOKEN] = token
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


async def log_out(request: web.Request) -> None:
    """End the server-side session (a copy of the cookie is worth nothing from now on) and clear the cookie."""
    session = await get_session(request)
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        await close_session(token)
    session.invalidate()


# Which role each guarded view needs: lets a test walk the router and try every route with lower roles.
_required_roles: weakref.WeakKeyDictionary[Handler, Role] = weakref.WeakKeyDictionary()


def required_role(view: Handler) -> Role | None:
    """The role `require` guards `view` with, or None for an unguarded view."""
    return _required_roles.get(view)


def require(role: Role) -> Callable[[Handler], Handler]:
    """Guard a view: anonymous -> login page (GET) or 401; a lower role -> 403."""

    def decorate(view: Handler) -> Handler:
        @wraps(view)
        async def guarded(request: web.Request) -> web.StreamResponse:
            staff = request.get(staff_key)
            if staff is None:
                if request.method in SAFE_METHODS:
                    raise web.HTTPSeeOther(f"/admin/login?next={request.path_qs}")
                raise web.HTTPUnauthorized(text=LOG_IN_FIRST)
            if not has_role(staff, role):
                raise web.HTTPForbidden(text=ROLE_REFUSED)
            return await view(request)

        _required_roles[guarded] = role
        return guarded

    return decorate
