"""The admin's language: each staff member's own (`StaffUser.language`), switched in the header; before login the
one chosen on the login page (a cookie), which becomes theirs when they log in with it."""

from __future__ import annotations

from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.security import require, staff_key
from bot.i18n import KNOWN_LOCALES

LANGUAGE_COOKIE = "admin_lang"
LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600
#: Each language named in itself: whoever cannot read the page's language still finds their own.
ENDONYMS = {"zh_CN": "简体中文", "en": "English"}


def language_names() -> dict[str, str]:
    return {locale: ENDONYMS.get(locale, locale) for locale in KNOWN_LOCALES}


def chosen_language(request: web.Request) -> str | None:
    """The language picked on the login page (`?lang=`, then remembered), or None when nobody picked one."""
    chosen = request.query.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return str(chosen) if chosen in KNOWN_LOCALES else None


def remember_language(response: web.StreamResponse, locale: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE, locale, max_age=LANGUAGE_COOKIE_MAX_AGE_S, path="/admin", httponly=True, samesite="Strict"
    )


def _back(path: str) -> str:
    """Back to the page the switch was pressed on, never off-site."""
    return path if path.startswith("/admin") and not path.startswith("//") else "/admin"


@require(Role.MODERATOR)
async def switch_language(request: web.Request) -> web.StreamResponse:
    """The header's switch: the staff member's language from now on, on every page and at every login."""
    form = await request.post()
    locale, staff = str(form.get("language", "")), request[staff_key]
    response = web.HTTPSeeOther(_back(str(form.get("next", "/admin"))))
    if locale in KNOWN_LOCALES:
        if staff.language != locale:
            staff.language = locale
            await staff.save(update_fields=["language"])
        remember_language(response, locale)  # the login page speaks it too
    raise response
