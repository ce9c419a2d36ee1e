"""The risk rules editor (/admin/risk/rules, admins): the rules in force as text, validated on save, every
saved version kept with who, when and why, and any of them loadable back into the editor."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.pages import flash, int_param, now_of, services_of, staff_of
from bot.admin.security import require
from bot.i18n import N_, Translator
from risk.models import RiskRulesVersion
from risk.rulebook import current_rules_text, rules_history, save_rules
from risk.rules import RiskRulesError
from risk.views.common import locale_of

RULES_SAVED = N_("The new risk rules are in force; every cell is being recomputed.")
RECOMPUTE_JOB = "risk.nightly_recompute"


async def _render(request: web.Request, text: str, note: str, error: str | None, status: int = 200) -> web.Response:
    context = {"text": text, "note": note, "error": error, "history": await rules_history()}
    return aiohttp_jinja2.render_template("risk/rules.html", request, context, status=status)


@require(Role.ADMIN)
async def rules_page(request: web.Request) -> web.StreamResponse:
    version_id = request.query.get("version", "")
    version = await RiskRulesVersion.get_or_none(id=int(version_id)) if version_id.isdigit() else None
    text = (
        version.text if version is not None else await current_rules_text(services_of(request).settings.risk_rules_file)
    )
    return await _render(request, text, "", None)


@require(Role.ADMIN)
async def save_rules_page(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    text, note = str(form.get("text", "")).replace("\r\n", "\n"), str(form.get("note", ""))
    try:
        version = await save_rules(text, note=note, staff_id=staff_of(request).id, now=now_of(request))
    except RiskRulesError as error:
        message = Translator(locale_of(request))(error.message, **error.params)
        return await _render(request, text, note, message, status=400)
    await services_of(request).redis.enqueue_job(RECOMPUTE_JOB, True, _job_id=f"risk.rules:{version.id}")
    await flash(request, "ok", RULES_SAVED)
    raise web.HTTPSeeOther("/admin/risk/rules")


@require(Role.ADMIN)
async def version_text(request: web.Request) -> web.StreamResponse:
    version = await RiskRulesVersion.get_or_none(id=int_param(request, "version_id"))
    if version is None:
        raise web.HTTPNotFound(text="no such version")
    return web.Response(text=version.text, content_type="text/plain")
