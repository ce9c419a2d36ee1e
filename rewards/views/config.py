"""Rewards admin pages for configuration: budget pools, campaigns (officials) and the rules (admins)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.pages import actor_of, flash, go_to, int_param, now_of, services_of, staff_of
from bot.admin.security import require
from bot.i18n import N_
from rewards.announcement import announce_url
from rewards.budget import PoolError, create_campaign, create_pool, fund_pool, pool_statuses, waiting_for_budget
from rewards.jobs import RETRY_PENDING_JOB
from rewards.models import Campaign
from rewards.views.common import FormError, day_field, money_field, page_context

POOL_CREATED = N_("Budget pool #%(id)s created.")
POOL_FUNDED = N_("Budget pool #%(id)s topped up.")
CAMPAIGN_CREATED = N_("Campaign #%(id)s created.")
BAD_MULTIPLIER = N_("The multiplier is a whole percentage, e.g. 200 for double.")


async def _retry_pending(request: web.Request) -> None:
    """Money arrived: grants waiting for budget are booked by the worker (one job per minute)."""
    minute = int(now_of(request).timestamp()) // 60
    await services_of(request).redis.enqueue_job(RETRY_PENDING_JOB, _job_id=f"rewards:retry:{minute}")


@require(Role.OFFICIAL)
async def pools_page(request: web.Request) -> web.StreamResponse:
    waiting, waiting_fen = await waiting_for_budget()
    context = {
        **await page_context(request),
        "statuses": await pool_statuses(now_of(request)),
        "campaigns": await Campaign.all().order_by("-starts_at"),
        "waiting": waiting,
        "waiting_fen": waiting_fen,
    }
    return aiohttp_jinja2.render_template("rewards/pools.html", request, context)


@require(Role.OFFICIAL)
async def add_pool(request: web.Request) -> web.StreamResponse:
    form, rules = await request.post(), (await page_context(request))["rules"]
    campaign = str(form.get("campaign_id", "")).strip()
    try:
        pool = await create_pool(
            str(form.get("name", "")),
            day_field(form, "starts_on", rules),
            day_field(form, "ends_on", rules, end=True),
            money_field(form, "amount"),
            campaign_id=int(campaign) if campaign.isdigit() else None,
            created_by_id=staff_of(request).id,
            now=now_of(request),
        )
    except (FormError, PoolError) as error:
        await flash(request, "error", str(error))
        go_to("/admin/rewards/pools")
    await _retry_pending(request)
    await flash(request, "ok", POOL_CREATED, id=pool.id)
    go_to("/admin/rewards/pools")


@require(Role.OFFICIAL)
async def top_up_pool(request: web.Request) -> web.StreamResponse:
    pool_id = int_param(request, "pool_id")
    try:
        amount_fen = money_field(await request.post(), "amount")
        await fund_pool(pool_id, amount_fen, actor=actor_of(request), now=now_of(request))
    except (FormError, PoolError) as error:
        await flash(request, "error", str(error))
        go_to("/admin/rewards/pools")
    await _retry_pending(request)
    await flash(request, "ok", POOL_FUNDED, id=pool_id)
    go_to("/admin/rewards/pools")


@require(Role.OFFICIAL)
async def campaigns_page(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    settings, campaigns = services.settings, await Campaign.all().order_by("-starts_at")
    zone = ZoneInfo(settings.local_timezone)
    context = {
        **await page_context(request),
        "campaigns": campaigns,
        "categories": services.categories,
        "announce": {c.id: announce_url(c, settings.supported_locales, services.categories, zone) for c in campaigns},
    }
    return aiohttp_jinja2.render_template("rewards/campaigns.html", request, context)


@require(Role.OFFICIAL)
async def add_campaign(request: web.Request) -> web.StreamResponse:
    form, rules = await request.post(), (await page_context(request))["rules"]
    known = {category.key for category in services_of(request).intake.rules.categories}
    try:
        multiplier = str(form.get("multiplier_pct", "")).strip()
        if not multiplier.isdigit():
            raise FormError(BAD_MULTIPLIER)
        campaign = await create_campaign(
            str(form.get("name", "")),
            day_field(form, "starts_on", rules),
            day_field(form, "ends_on", rules, end=True),
            [str(key) for key in form.getall("categories", []) if key in known],
            int(multiplier),
            created_by_id=staff_of(request).id,
            now=now_of(request),
        )
    except (FormError, PoolError) as error:
        await flash(request, "error", str(error))
        go_to("/admin/rewards/campaigns")
    await flash(request, "ok", CAMPAIGN_CREATED, id=campaign.id)
    go_to("/admin/rewards/campaigns")


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/admin/rewards/pools", pools_page)
    router.add_post("/admin/rewards/pools", add_pool)
    router.add_post("/admin/rewards/pools/{pool_id}/fund", top_up_pool)
    router.add_get("/admin/rewards/campaigns", campaigns_page)
    router.add_post("/admin/rewards/campaigns", add_campaign)
