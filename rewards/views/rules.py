"""The reward rules page (admins): the rules as a form, the file itself for what the form does not cover, and the
history of saved versions (who, when). Both ways store a new version of the TOML file (rewards.rulebook)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.pages import flash, now_of, services_of, staff_of
from bot.admin.security import require
from bot.i18n import N_
from rewards.models import RulesVersion
from rewards.rulebook import current_rules_text, save_rules
from rewards.rules import ANY, RulesError
from rewards.rules_form import LIMITS, SEVERITIES, amount_field, apply_form, form_values
from rewards.views.common import page_context

RULES_SAVED = N_("The new rules are in force.")
FORM_ERRORS = N_("The rules were not saved: correct the fields marked below.")
HISTORY_SHOWN = 20
PATH = "/admin/rewards/rules"


async def _render(
    request: web.Request,
    *,
    text: str,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    known = services_of(request).intake.rules.categories
    categories = [c.key for c in known]
    rows = [ANY, *sorted({name.split(".")[1] for name in values if name.startswith("amount.")} - {ANY})]
    context: dict[str, Any] = {
        **await page_context(request),
        "text": text,
        "values": values,
        "errors": errors or {},
        "error": error,
        "limits": LIMITS,
        "severities": SEVERITIES,
        "amount_rows": rows,
        "new_categories": [key for key in categories if key not in rows],
        "amount_field": amount_field,
        "category_names": {c.key: c.label for c in known},
        "history": await RulesVersion.all().order_by("-id").limit(HISTORY_SHOWN).prefetch_related("created_by"),
    }
    return aiohttp_jinja2.render_template("rewards/rules.html", request, context, status=status)


@require(Role.ADMIN)
async def rules_page(request: web.Request) -> web.StreamResponse:
    text = await current_rules_text(services_of(request).settings)
    return await _render(request, text=text, values=form_values(text))


@require(Role.ADMIN)
async def save_rules_form(request: web.Request) -> web.StreamResponse:
    """The form: each field checked on its own (a message beside it), then the whole as rules."""
    fields = {key: value for key, value in (await request.post()).items() if isinstance(value, str)}
    text = await current_rules_text(services_of(request).settings)
    categories = frozenset(c.key for c in services_of(request).intake.rules.categories)
    try:
        new_text, errors = apply_form(text, fields, categories)
    except RulesError as whole:
        return await _render(request, text=text, values=fields, error=str(whole), status=400)
    if new_text is None:
        return await _render(request, text=text, values=fields, errors=errors, error=FORM_ERRORS, status=400)
    await save_rules(new_text, staff_id=staff_of(request).id, now=now_of(request))
    await flash(request, "ok", RULES_SAVED)
    raise web.HTTPSeeOther(PATH)


@require(Role.ADMIN)
async def save_rules_file(request: web.Request) -> web.StreamResponse:
    """The file itself (what the form does not cover: currency, time zone, ignored photo hashes...)."""
    text = str((await request.post()).get("text", "")).replace("\r\n", "\n")
    try:
        await save_rules(text, staff_id=staff_of(request).id, now=now_of(request))
    except RulesError as error:
        current = await current_rules_text(services_of(request).settings)
        return await _render(request, text=text, values=form_values(current), error=str(error), status=400)
    await flash(request, "ok", RULES_SAVED)
    raise web.HTTPSeeOther(PATH)


def add_routes(app: web.Application) -> None:
    app.router.add_get(PATH, rules_page)
    app.router.add_post(PATH, save_rules_file)
    app.router.add_post(f"{PATH}/form", save_rules_form)
