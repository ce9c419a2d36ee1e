"""Sessions (signed + encrypted cookies), CSRF tokens, login throttling and the role guard for views."""

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
from redis.asyncio import Redis

from bot.admin.accounts import Role, has_role
from bot.admin.models import StaffUser
from bot.config import Settings
from bot.private_files import read_or_create

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
staff_key = web.RequestKey("staff", StaffUser)
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Only the admin is cookie-authenticated; the webhook and the sandbox API have their own guards.
PROTECTED_PREFIX = "/admin"


SESSION_KEY_FILE = "admin_secret.key"


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
        raise web.HTTPForbidden(text="CSRF token missing or wrong")
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
    session = await get_session(request)
    staff_id = session.get("staff_id")
    if staff_id is None:
        return None
    return await StaffUser.get_or_none(id=staff_id, active=True)


async def log_in(request: web.Request, staff: StaffUser) -> None:
    """A new session on login (no fixation), with a fresh CSRF token."""
    session = await new_session(request)
    session["staff_id"] = staff.id
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


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
                raise web.HTTPUnauthorized(text="log in first")
            if not has_role(staff, role):
                raise web.HTTPForbidden(text="your role does not allow this")
            return await view(request)

        _required_roles[guarded] = role
        return guarded

    return decorate


class LoginThrottle:
    """Count failed logins per username and per address in Redis, shared by every web process."""

    def __init__(self, redis: Redis, max_failures: int, window_s: int) -> None:
        self.redis, self.max_failures, self.window_s = redis, max_failures, window_s

    async def blocked(self, username: str, address: str) -> bool:
        counts = await self.redis.mget([f"login-fail:u:{username}", f"login-fail:a:{address}"])
        return any(int(count or 0) >= self.max_failures for count in counts)

    async def failed(self, username: str, address: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in (f"login-fail:u:{username}", f"login-fail:a:{address}"):
                pipe.incr(key)
                pipe.expire(key, self.window_s)
            await pipe.execute()

    async def succeeded(self, username: str) -> None:
        await self.redis.delete(f"login-fail:u:{username}")
