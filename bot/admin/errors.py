"""Refusals as pages: a 400, 403 or 404 under /admin is shown in the admin's layout, in the reader's language.

Views refuse with `web.HTTPForbidden(text=...)` and the like; a browser asking for a page (Accept: text/html)
gets the layout with a heading for the status and the view's reason when the catalogues know it (an English
msgid marked with N_), so nobody meets a bare English line. Scripts asking for JSON keep the plain answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.i18n import N_, gettext_for

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ADMIN_PREFIX = "/admin"
#: Every msgid has a translation in this catalogue (`make check-messages`): what it translates is a message.
CATALOGUE_LOCALE = "zh_CN"
HEADINGS = {
    400: N_("That did not work"),
    401: N_("Log in first"),
    403: N_("You may not open this"),
    404: N_("Not found"),
}
EXPLANATIONS = {
    400: N_("Something in the request could not be used. Go back, correct it and try again."),
    401: N_("Your session has ended. Log in again, then repeat what you did."),
    403: N_("Your role or your areas do not include this page. Ask an admin if you need it."),
    404: N_("There is nothing at this address: it may have been mistyped, or the thing was removed."),
}


def known_reason(text: str | None) -> str | None:
    """The view's reason when it is a message of the catalogues (so it can be shown translated), else None."""
    if not text or text.startswith(("400", "401", "403", "404")):  # aiohttp's default text: "403: Forbidden"
        return None
    return text if gettext_for(CATALOGUE_LOCALE, text) != text else None


def _wants_page(request: web.Request) -> bool:
    return request.path.startswith(ADMIN_PREFIX) and "text/html" in request.headers.get("Accept", "text/html")


def error_pages() -> Middleware:
    @web.middleware
    async def show_refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as error:
            if error.status not in HEADINGS or not _wants_page(request) or error.content_type != "text/plain":
                raise
            context = {
                "heading": HEADINGS[error.status],
                "explanation": EXPLANATIONS[error.status],
                "reason": known_reason(error.text),
                "status": error.status,
            }
            response = aiohttp_jinja2.render_template("admin/refused.html", request, context, status=error.status)
            for name in ("Retry-After", "Allow"):
                if name in error.headers:
                    response.headers[name] = error.headers[name]
            return response

    return show_refusals
