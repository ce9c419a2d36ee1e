"""Helpers every admin page uses: the staff member and time of a request, path parameters, flash messages.

Flash messages are stored as English msgids with their parameters and translated when shown, in the
reader's language, by the admin's base template (every page shows them; nothing to include).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from aiohttp import web
from aiohttp_session import get_session

from bot.admin.inputs import parse_id
from bot.admin.models import StaffUser
from bot.admin.security import staff_key
from bot.i18n import Translator
from bot.reports.lifecycle import staff_actor
from bot.services import Services
from bot.web.keys import services_key

FLASH_KEY = "flash"


def services_of(request: web.Request) -> Services:
    return request.app[services_key]


def staff_of(request: web.Request) -> StaffUser:
    return request[staff_key]


def actor_of(request: web.Request) -> str:
    return staff_actor(staff_of(request).id)


def now_of(request: web.Request) -> datetime:
    return request.app[services_key].clock()


def int_param(request: web.Request, name: str) -> int:
    """A numeric path parameter; anything else is a 404, never a 500."""
    value = parse_id(request.match_info[name])
    if value is None:
        raise web.HTTPNotFound()
    return value


def go_to(path: str) -> NoReturn:
    """Answer a form POST: see `path` (303), where the flash messages are shown."""
    raise web.HTTPSeeOther(path)


async def flash(request: web.Request, kind: str, message: str, **params: Any) -> None:
    """Remember a message (an English msgid, "ok" or "error") for the next page, translated when shown."""
    session = await get_session(request)
    session[FLASH_KEY] = [*session.get(FLASH_KEY, []), [kind, message, params]]


async def pop_flashes(request: web.Request, _: Translator) -> list[tuple[str, str]]:
    session = await get_session(request)
    stored = session.pop(FLASH_KEY, [])
    return [(kind, _(message, **params)) for kind, message, params in stored]
