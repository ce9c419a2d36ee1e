"""Admin pages of the education day (role official): the twelve-month calendar, editing a month, and the
self-check dashboard (answers per month and option).
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.actors import actor_names
from bot.admin.pages import actor_of, services_of
from bot.admin.security import require, staff_key
from bot.i18n import Translator
from broadcasts.compose import Problem
from broadcasts.education import (
    MAX_CHECKS,
    CheckRow,
    Theme,
    calendar,
    checks_from_rows,
    dashboard,
    save_theme,
    theme_for,
    theme_history,
)
from broadcasts.policy import education_schedule, local_zone
from broadcasts.texts import LANGUAGE_NAMES, NEED_THEME_TEXT

BASE = "/admin/broadcasts/education"
MONTH = r"{month:\d+}"  # 1..12, checked by the view


def _check_values(theme: Theme) -> dict[str, str]:
    """The self-check rows' fields: check_<i>_key and check_<i>_<locale>."""
    values = {}
    for index, check in enumerate(theme.checks):
        values[f"check_{index}_key"] = check.key
        values.update({f"check_{index}_{locale}": label for locale, label in check.labels.items()})
    return values


def _check_rows(values: dict[str, str], locales: tuple[str, ...]) -> list[CheckRow]:
    return [
        CheckRow(
            values.get(f"check_{index}_key", ""),
            {locale: values.get(f"check_{index}_{locale}", "") for locale in locales},
        )
        for index in range(MAX_CHECKS)
    ]


@require(Role.OFFICIAL)
async def calendar_page(request: web.Request) -> web.StreamResponse:
    settings, now = services_of(request).settings, services_of(request).clock()
    next_send = education_schedule(settings).next_send(now).astimezone(local_zone(settings))
    context = {
        "themes": await calendar(),
        "next_send": next_send.strftime("%Y-%m-%d %H:%M"),
        "zone": settings.local_timezone,
        "day": settings.education_day_of_month,
    }
    return aiohttp_jinja2.render_template("broadcasts/education.html", request, context)


def _month(request: web.Request) -> int:
    month = int(request.match_info["month"])
    if not 1 <= month <= 12:
        raise web.HTTPNotFound(text="no such month")
    return month


async def _edit(
    request: web.Request,
    month: int,
    values: dict[str, str],
    problems: list[Problem],
    status: int = 200,
    check_problems: dict[int, str] | None = None,
) -> web.StreamResponse:
    history = await theme_history(month)
    context: dict[str, Any] = {
        "month": month,
        "values": values,
        "problems": problems,
        "check_rows": range(MAX_CHECKS),
        "check_problems": check_problems or {},
        "locales": services_of(request).settings.supported_locales,
        "language_names": LANGUAGE_NAMES,
        "history": history,
        "names": await actor_names((save.actor for save in history), Translator(str(request[staff_key].language))),
    }
    return aiohttp_jinja2.render_template("broadcasts/education_edit.html", request, context, status=status)


@require(Role.OFFICIAL)
async def edit_page(request: web.Request) -> web.StreamResponse:
    month = _month(request)
    theme = await theme_for(month)
    values = {f"title_{locale}": title for locale, title in theme.titles.items()}
    values.update({f"text_{locale}": text for locale, text in theme.texts.items()})
    values.update(_check_values(theme))
    return await _edit(request, month, values, [])


@require(Role.OFFICIAL)
async def edit_save(request: web.Request) -> web.StreamResponse:
    month, form = _month(request), await request.post()
    values = {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}
    locales = services_of(request).settings.supported_locales
    titles = {locale: values.get(f"title_{locale}", "")[:128] for locale in locales}
    texts = {locale: values.get(f"text_{locale}", "")[:3000] for locale in locales}
    checks, check_problems = checks_from_rows(_check_rows(values, locales), locales)
    problems = []
    if not all(titles.values()) or not all(texts.values()):
        problems.append(Problem(NEED_THEME_TEXT))
    if problems or check_problems:
        return await _edit(request, month, values, problems, status=400, check_problems=check_problems)
    theme = Theme(month, titles, texts, checks, edited=True)
    now = services_of(request).clock()
    await save_theme(theme, staff_id=request[staff_key].id, actor=actor_of(request), now=now)
    raise web.HTTPSeeOther(BASE)


@require(Role.OFFICIAL)
async def self_check_page(request: web.Request) -> web.StreamResponse:
    context = {"months": await dashboard()}
    return aiohttp_jinja2.render_template("broadcasts/self_check.html", request, context)


def add_routes(app: web.Application) -> None:
    app.router.add_get(BASE, calendar_page)
    app.router.add_get(f"{BASE}/self-check", self_check_page)
    app.router.add_get(f"{BASE}/{MONTH}", edit_page)
    app.router.add_post(f"{BASE}/{MONTH}", edit_save)
