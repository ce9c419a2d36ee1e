"""Incidents (officials): the latest ones, recording one by hand, importing an events file, each import's page."""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path
from urllib.parse import unquote

import aiohttp_jinja2
from aiohttp import web

from bot.admin.accounts import Role
from bot.admin.pages import actor_of, flash, go_to, int_param, services_of, staff_of
from bot.admin.security import require
from bot.city.models import Incident
from bot.services import Services
from forecast.events import REASON_TEXT
from hotspots.importer import start_run
from hotspots.incidents import FormRules, parse_form, record_incident
from hotspots.jobs import IMPORT
from hotspots.models import ImportBadRow, ImportRun, ImportState
from hotspots.policy import escalation, local_zone
from hotspots.texts import INCIDENT_RECORDED, INCIDENT_RECORDED_WARNING, NO_FILE
from hotspots.views.common import labels
from hotspots.warnings import propose_for

BASE = "/admin/incidents"
LATEST = 50
#: An import that wrote nothing for this long has stopped (its worker died): the page offers to resume it.
STALLED_S = 120
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _form_rules(services: Services) -> FormRules:
    settings = services.settings
    kinds = frozenset(escalation(settings, services.grid).rules.rules)
    return FormRules(services.grid, services.intake.rules.area, local_zone(settings), kinds)


async def _page(request: web.Request, values: dict[str, str], problems: list[str], status: int = 200) -> web.Response:
    services = services_of(request)
    rules = escalation(services.settings, services.grid).rules
    context = {
        "incidents": await Incident.all().order_by("-occurred_at", "-id").limit(LATEST),
        "runs": await ImportRun.all().order_by("-id").limit(10),
        "kinds": rules.rules,
        "values": values,
        "problems": problems,
        **labels(request),
    }
    return aiohttp_jinja2.render_template("hotspots/incidents.html", request, context, status=status)


@require(Role.OFFICIAL)
async def list_page(request: web.Request) -> web.StreamResponse:
    return await _page(request, {}, [])


@require(Role.OFFICIAL)
async def record_view(request: web.Request) -> web.StreamResponse:
    """Record an incident; when its kind calls for a warning, the proposal is made at once (the outbox
    reaction finds it made) and the official is taken to it."""
    services = services_of(request)
    fields = {key: str(value) for key, value in (await request.post()).items() if isinstance(value, str)}
    now = services.clock()
    given, problems = parse_form(fields, _form_rules(services), now)
    if given is None:
        return await _page(request, fields, problems, status=400)
    incident = await record_incident(given, services.grid, staff_id=staff_of(request).id, now=now)
    proposal = await propose_for(incident, escalation(services.settings, services.grid), now)
    await flash(request, "ok", INCIDENT_RECORDED_WARNING if proposal else INCIDENT_RECORDED)
    raise web.HTTPSeeOther(f"/admin/warnings#proposal-{proposal.id}" if proposal else BASE)


def _keep(services: Services, name: str, data: bytes) -> Path:
    """Keep the upload under VAR_DIR (owner-only), named by its content: a resumed run finds it again."""
    folder = services.settings.var_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{_SAFE_NAME.sub('_', name)[-80:]}"
    if not path.exists():
        path.write_bytes(data)
        path.chmod(0o600)
    return path


@require(Role.OFFICIAL)
async def upload(request: web.Request) -> web.StreamResponse:
    services, form = services_of(request), await request.post()
    upload_field = form.get("file")
    if not isinstance(upload_field, web.FileField):
        await flash(request, "error", NO_FILE)
        go_to(BASE)
    data = upload_field.file.read()
    if not data:
        await flash(request, "error", NO_FILE)
        go_to(BASE)
    # Browsers percent-encode quotes (and some clients every space) in the multipart file name.
    name = Path(unquote(upload_field.filename or "events.csv")).name or "events.csv"
    path = await asyncio.to_thread(_keep, services, name, data)  # up to 25 MB: hashed and written off the loop
    run = await start_run(path, name, actor=actor_of(request), now=services.clock(), queued=True)
    await services.redis.enqueue_job(IMPORT, run.id, _job_id=f"{IMPORT}:{run.id}")
    go_to(f"{BASE}/imports/{run.id}")


@require(Role.OFFICIAL)
async def run_page(request: web.Request) -> web.StreamResponse:
    run = await ImportRun.get_or_none(id=int_param(request, "run_id"))
    if run is None:
        raise web.HTTPNotFound(text="no such import")
    now = services_of(request).clock()
    last = run.progress_at or run.created_at
    context = {
        "run": run,
        "bad_rows": await ImportBadRow.filter(run_id=run.id).order_by("line"),
        "reason_text": {reason.value: text for reason, text in REASON_TEXT.items()},
        "stalled": run.state in (ImportState.RUNNING, ImportState.QUEUED) and (now - last).total_seconds() > STALLED_S,
        **labels(request),
    }
    return aiohttp_jinja2.render_template("hotspots/import_run.html", request, context)


@require(Role.OFFICIAL)
async def resume(request: web.Request) -> web.StreamResponse:
    """Queue a stalled run again: it continues after its last written batch."""
    services, run_id = services_of(request), int_param(request, "run_id")
    stamp = int(services.clock().timestamp())
    await services.redis.enqueue_job(IMPORT, run_id, _job_id=f"{IMPORT}:{run_id}:resume:{stamp}")
    go_to(f"{BASE}/imports/{run_id}")


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get(BASE, list_page)
    router.add_post(BASE, record_view)
    router.add_post(f"{BASE}/import", upload)
    router.add_get(BASE + r"/imports/{run_id:\d+}", run_page)
    router.add_post(BASE + r"/imports/{run_id:\d+}/resume", resume)
