"""Warning proposals (officials): each incident's proposed broadcast, prefilled; one click sends it."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.pages import flash, go_to, int_param, services_of, staff_of
from bot.admin.security import require
from bot.city.models import Incident
from hotspots.escalation import place_name
from hotspots.models import ProposalState, WarningProposal
from hotspots.policy import escalation
from hotspots.texts import ALREADY_DECIDED, WARNING_DISMISSED, WARNING_SENT
from hotspots.views.common import labels
from hotspots.warnings import Decision, SendRefusedError, dismiss, send

BASE = "/admin/warnings"
DECIDED_SHOWN = 30


@require(Role.OFFICIAL)
async def list_page(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    open_ones = await WarningProposal.filter(state=ProposalState.PROPOSED).order_by("-proposed_at", "-id")
    decided = await WarningProposal.exclude(state=ProposalState.PROPOSED).order_by("-decided_at").limit(DECIDED_SHOWN)
    proposals = [*open_ones, *decided]
    incidents = {i.id: i for i in await Incident.filter(id__in=[p.incident_id for p in proposals])}
    context = {
        "open_ones": open_ones,
        "decided": decided,
        "incidents": incidents,
        "kinds": escalation(services.settings, services.grid).rules.rules,
        "locales": services.settings.supported_locales,
        "place_name": place_name,
        **labels(request),
    }
    return aiohttp_jinja2.render_template("hotspots/warnings.html", request, context)


def _decision(request: web.Request) -> Decision:
    return Decision(int_param(request, "proposal_id"), staff_of(request).id, services_of(request).clock())


@require(Role.OFFICIAL)
async def send_view(request: web.Request) -> web.StreamResponse:
    services, form = services_of(request), await request.post()
    decision = _decision(request)
    texts = {locale: str(form.get(f"text_{locale}", "")) for locale in services.settings.supported_locales}
    try:
        sent = await send(decision, texts, default_locale=services.settings.default_locale)
    except SendRefusedError as refusal:
        await flash(request, "error", refusal.message, **refusal.params)
        go_to(f"{BASE}#proposal-{decision.proposal_id}")
    if not sent:
        await flash(request, "error", ALREADY_DECIDED)
        go_to(BASE)
    proposal = await WarningProposal.get(id=decision.proposal_id)
    place = place_name(proposal.scope, services.grid, staff_of(request).language)
    await flash(request, "ok", WARNING_SENT, place=place)
    go_to(BASE)


@require(Role.OFFICIAL)
async def dismiss_view(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    done = await dismiss(_decision(request), str(form.get("why", "")).strip())
    await flash(request, "ok" if done else "error", WARNING_DISMISSED if done else ALREADY_DECIDED)
    go_to(BASE)


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get(BASE, list_page)
    router.add_post(BASE + r"/{proposal_id:\d+}/send", send_view)
    router.add_post(BASE + r"/{proposal_id:\d+}/dismiss", dismiss_view)
