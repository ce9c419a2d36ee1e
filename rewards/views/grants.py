"""Rewards admin pages for money: grants, held rewards, payout batches; `setup_routes` wires them all.

Every route needs an official (money) or an admin (the rules editor, in views_config). Views parse
the form, call one domain function, and redirect with a flash message or render.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from tortoise.functions import Count, Sum

from bot.admin.accounts import Role
from bot.admin.pages import actor_of, flash, go_to, int_param, now_of, services_of, staff_of
from bot.admin.security import require
from bot.i18n import N_
from bot.reports.models import Photo
from rewards.budget import pool_statuses, waiting_for_budget
from rewards.crypto import Cipher
from rewards.grants import GrantError, reject, release, reverse
from rewards.identity import mask_account, mask_name
from rewards.jobs import NOTIFY_GRANTED_JOB, NOTIFY_PAID_JOB
from rewards.models import PayoutBatch, PayoutLine, RewardGrant
from rewards.payouts import BatchError, batch_grant_ids, cancel_batch, create_batch, export_csv, mark_paid
from rewards.states import GrantState
from rewards.texts import SIGNAL_NAMES, STATE_NAMES
from rewards.views.common import FormError, money_field, page_context

GRANTS_SHOWN = 200
RELEASED = N_("Reward #%(id)s released.")
REJECTED = N_("Reward #%(id)s rejected.")
REVERSED = N_("Reward #%(id)s reversed.")
BATCH_CREATED = N_("Payout batch #%(id)s created.")
BATCH_PAID = N_("Payout batch #%(id)s marked paid; the residents are being told.")
BATCH_CANCELLED = N_("Payout batch #%(id)s cancelled; its rewards go to the next batch.")
BATCH_STATE_NAMES = {
    "open": N_("open"),
    "exported": N_("exported"),
    "paid": N_("paid"),
    "cancelled": N_("cancelled"),
}


async def _warnings() -> dict[str, Any]:
    waiting, waiting_fen = await waiting_for_budget()
    return {"waiting": waiting, "waiting_fen": waiting_fen, "held": await RewardGrant.filter(state="held").count()}


@require(Role.OFFICIAL)
async def grants_page(request: web.Request) -> web.StreamResponse:
    state = request.query.get("state", "")
    grants = RewardGrant.all() if state not in set(GrantState) else RewardGrant.filter(state=state)
    totals = (
        await RewardGrant.all()
        .group_by("state")
        .annotate(n=Count("id"), fen=Sum("amount_fen"))
        .values("state", "n", "fen")
    )
    context = {
        **await page_context(request),
        **await _warnings(),
        "grants": await grants.order_by("-id").limit(GRANTS_SHOWN).prefetch_related("resident"),
        "totals": totals,
        "state": state,
        "state_names": STATE_NAMES,
        "exhausted": [s for s in await pool_statuses(now_of(request)) if s.exhausted],
    }
    return aiohttp_jinja2.render_template("rewards/grants.html", request, context)


@require(Role.OFFICIAL)
async def held_page(request: web.Request) -> web.StreamResponse:
    held = await RewardGrant.filter(state=GrantState.HELD).order_by("id").prefetch_related("resident")
    report_ids = {grant.report_id for grant in held}
    for grant in held:
        report_ids.update(int(s["detail"]["report_id"]) for s in grant.signals if "report_id" in s.get("detail", {}))
    thumbnails: dict[int, list[int]] = {}
    for photo_id, report_id in (
        await Photo.filter(report_id__in=list(report_ids)).order_by("position").values_list("id", "report_id")
    ):
        thumbnails.setdefault(int(report_id), []).append(int(photo_id))
    context = {**await page_context(request), "held": held, "thumbnails": thumbnails, "signal_names": SIGNAL_NAMES}
    return aiohttp_jinja2.render_template("rewards/held.html", request, context)


async def _grant_action(request: web.Request, done: str, back_to: str, action: Any) -> web.StreamResponse:
    grant_id = int_param(request, "grant_id")
    form = await request.post()
    try:
        await action(grant_id, str(form.get("reason", "")))
    except GrantError as error:
        await flash(request, "error", str(error))
    else:
        await flash(request, "ok", done, id=grant_id)
    go_to(back_to)


@require(Role.OFFICIAL)
async def release_grant(request: web.Request) -> web.StreamResponse:
    async def act(grant_id: int, _: str) -> None:
        grant = await release(grant_id, actor=actor_of(request), now=now_of(request))
        if grant.state == GrantState.GRANTED:
            await services_of(request).redis.enqueue_job(
                NOTIFY_GRANTED_JOB, grant.id, _job_id=f"rewards:granted:{grant.id}"
            )

    return await _grant_action(request, RELEASED, "/admin/rewards/held", act)


@require(Role.OFFICIAL)
async def reject_grant(request: web.Request) -> web.StreamResponse:
    async def act(grant_id: int, reason: str) -> None:
        await reject(grant_id, reason=reason, actor=actor_of(request), now=now_of(request))

    return await _grant_action(request, REJECTED, "/admin/rewards/held", act)


@require(Role.OFFICIAL)
async def reverse_grant(request: web.Request) -> web.StreamResponse:
    async def act(grant_id: int, reason: str) -> None:
        await reverse(grant_id, reason=reason, actor=actor_of(request), now=now_of(request))

    return await _grant_action(request, REVERSED, "/admin/rewards", act)


@require(Role.OFFICIAL)
async def payouts_page(request: web.Request) -> web.StreamResponse:
    context = {
        **await page_context(request),
        "batches": await PayoutBatch.all().order_by("-id").limit(100),
        "batch_states": BATCH_STATE_NAMES,
    }
    return aiohttp_jinja2.render_template("rewards/payouts.html", request, context)


@require(Role.OFFICIAL)
async def create_payout(request: web.Request) -> web.StreamResponse:
    context = await page_context(request)
    try:
        min_fen = money_field(await request.post(), "min_amount")
        batch = await create_batch(
            min_fen=min_fen, currency=context["rules"].currency, created_by_id=staff_of(request).id, now=now_of(request)
        )
    except (FormError, BatchError) as error:
        await flash(request, "error", str(error))
        go_to("/admin/rewards/payouts")
    await flash(request, "ok", BATCH_CREATED, id=batch.id)
    go_to(f"/admin/rewards/payouts/{batch.id}")


@require(Role.OFFICIAL)
async def batch_page(request: web.Request) -> web.StreamResponse:
    batch = await PayoutBatch.get_or_none(id=int_param(request, "batch_id"))
    if batch is None:
        raise web.HTTPNotFound()
    cipher = Cipher.from_settings(services_of(request).settings)
    lines = await PayoutLine.filter(batch_id=batch.id).order_by("id")
    shown = [
        {
            "line": line,
            "name": mask_name(cipher.decrypt(line.real_name_enc) or ""),
            "account": mask_account(cipher.decrypt(line.payout_account_enc) or ""),
        }
        for line in lines
    ]
    context = {
        **await page_context(request),
        "batch": batch,
        "lines": shown,
        "grant_ids": await batch_grant_ids(batch.id),
        "batch_states": BATCH_STATE_NAMES,
    }
    return aiohttp_jinja2.render_template("rewards/batch.html", request, context)


@require(Role.OFFICIAL)
async def batch_csv(request: web.Request) -> web.StreamResponse:
    batch_id = int_param(request, "batch_id")
    try:
        cipher = Cipher.from_settings(services_of(request).settings)
        text = await export_csv(batch_id, cipher, actor=actor_of(request), now=now_of(request))
    except BatchError:
        raise web.HTTPNotFound() from None
    return web.Response(
        body=("\ufeff" + text).encode(),  # a BOM so spreadsheet programs read the Chinese names as UTF-8
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="payout-{batch_id}.csv"', "Cache-Control": "no-store"},
    )


@require(Role.OFFICIAL)
async def batch_paid(request: web.Request) -> web.StreamResponse:
    batch_id = int_param(request, "batch_id")
    form = await request.post()
    try:
        await mark_paid(
            batch_id, reference=str(form.get("reference", "")), actor=actor_of(request), now=now_of(request)
        )
    except BatchError as error:
        await flash(request, "error", str(error))
    else:
        await services_of(request).redis.enqueue_job(NOTIFY_PAID_JOB, batch_id, _job_id=f"rewards:paid:{batch_id}")
        await flash(request, "ok", BATCH_PAID, id=batch_id)
    go_to(f"/admin/rewards/payouts/{batch_id}")


@require(Role.OFFICIAL)
async def batch_cancel(request: web.Request) -> web.StreamResponse:
    batch_id = int_param(request, "batch_id")
    try:
        await cancel_batch(batch_id, actor=actor_of(request), now=now_of(request))
    except BatchError as error:
        await flash(request, "error", str(error))
    else:
        await flash(request, "ok", BATCH_CANCELLED, id=batch_id)
    go_to(f"/admin/rewards/payouts/{batch_id}")


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/admin/rewards", grants_page)
    router.add_post("/admin/rewards/grants/{grant_id}/reverse", reverse_grant)
    router.add_get("/admin/rewards/held", held_page)
    router.add_post("/admin/rewards/held/{grant_id}/release", release_grant)
    router.add_post("/admin/rewards/held/{grant_id}/reject", reject_grant)
    router.add_get("/admin/rewards/payouts", payouts_page)
    router.add_post("/admin/rewards/payouts", create_payout)
    router.add_get("/admin/rewards/payouts/{batch_id}", batch_page)
    router.add_post("/admin/rewards/payouts/{batch_id}/export.csv", batch_csv)
    router.add_post("/admin/rewards/payouts/{batch_id}/paid", batch_paid)
    router.add_post("/admin/rewards/payouts/{batch_id}/cancel", batch_cancel)
