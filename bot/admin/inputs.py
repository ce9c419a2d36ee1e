"""What staff type into URLs and forms, read safely: an id out of range or a value too long is a 404 or a
400, never a database error (a 500).

`path_ids_middleware` checks every `{..._id}` path parameter of every admin route before its view runs,
so a page added tomorrow is covered too; views read ids from forms and query strings with `parse_id`.
`bad_input_middleware` is the net under every view: a value the database cannot take (a number past its
integer range, text longer than its column) ends as a clear 400 instead of a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from tortoise.exceptions import OperationalError, ValidationError

from bot.i18n import N_, Translator

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Row ids are 32-bit on PostgreSQL (`integer`): a larger number names no row, and the database would refuse
#: the query itself (SQLite refuses numbers from 2**63 on).
MAX_ROW_ID = 2**31 - 1
ADMIN_PREFIX = "/admin"
BAD_INPUT = N_("A value is out of range or too long. Go back, correct it and try again.")


def parse_id(raw: object) -> int | None:
    """A row id as typed in a URL or a form (plain ASCII digits, 1 to 2**31 - 1), else None."""
    text = str(raw if raw is not None else "").strip().lstrip("#")
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ROW_ID))):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


@web.middleware
async def path_ids_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An admin URL whose `{..._id}` part cannot be a row id names nothing: 404 before the view runs."""
    if request.path.startswith(ADMIN_PREFIX):
        for name, value in request.match_info.items():
            if name.endswith("_id") and parse_id(value) is None:
                raise web.HTTPNotFound(text="no such thing")
    return await handler(request)


def _out_of_range(error: Exception) -> bool:
    """The database refused a value itself (PostgreSQL: a number past `integer`/`bigint`, text too long)."""
    if isinstance(error, ValidationError | OverflowError):  # tortoise's field checks; SQLite past 64 bits
        return True
    if isinstance(error, OperationalError):
        from asyncpg.exceptions import DataError  # only on PostgreSQL

        return isinstance(error.__cause__, DataError)
    return False


def bad_input_middleware(locale_of: Callable[[web.Request], str]) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def refuse_bad_input(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except (ValidationError, OverflowError, OperationalError) as error:
            if not request.path.startswith(ADMIN_PREFIX) or not _out_of_range(error):
                raise
            # The type only: the message quotes the value, which may be anything a person typed.
            log.warning("refused out-of-range input on %s %s (%s)", request.method, request.path, type(error).__name__)
            raise web.HTTPBadRequest(text=Translator(locale_of(request))(BAD_INPUT)) from None

    return refuse_bad_input
