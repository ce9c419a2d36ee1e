"""Risk's arq jobs: the nightly recomputation of every cell, and the weekly / monthly bulletin.

The crons run every hour and act only when due (the configured local hour; a bulletin whose moment has
passed and that does not exist yet), so a worker that was down catches up, and running twice does
nothing twice: a bulletin is one row per period, and each of its messages is sent once per key.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from arq import Retry, cron
from arq.worker import Function, func
from telegram.error import RetryAfter

from bot.i18n import Translator
from bot.outbound import retry_after_s, send_once
from bot.services import Services, services_of
from risk.bulletin import due_periods, make_bulletin
from risk.bulletin_map import render_map
from risk.bulletin_text import legend, summary, title
from risk.models import Bulletin
from risk.recompute import recompute
from risk.rulebook import current_rules

NIGHTLY_ACTOR = "system:risk.nightly"
SEND_BULLETIN_JOB = "risk.send_bulletin"


async def nightly_recompute(ctx: dict[str, Any], force: bool = False) -> int:
    """Recompute every cell with facts or a level (decay moves levels with no status change); returns changes."""
    services = services_of(ctx)
    now, settings = services.clock(), services.settings
    if not force and now.astimezone(ZoneInfo(settings.local_timezone)).hour != settings.risk_nightly_hour:
        return 0
    rules = await current_rules(settings.risk_rules_file)
    done = await recompute(None, rules, services.grid, actor=NIGHTLY_ACTOR, now=now)
    return len(done.changes)


async def make_bulletins(ctx: dict[str, Any]) -> list[int]:
    """Make the due bulletins that do not exist yet and queue the sending of every unsent one."""
    services = services_of(ctx)
    settings, now = services.settings, services.clock()
    zone = ZoneInfo(settings.local_timezone)
    made = []
    for period in due_periods(now, zone, settings.bulletin_weekday, settings.bulletin_send_time):
        bulletin, _ = await make_bulletin(period, services.grid, zone, now)
        made.append(bulletin.id)
        if bulletin.sent_at is None and settings.officials_chat_id is not None:
            await services.redis.enqueue_job(
                SEND_BULLETIN_JOB, bulletin.id, _job_id=f"{SEND_BULLETIN_JOB}:{bulletin.id}"
            )
    return made


def archive_link(services: Services, bulletin_id: int) -> str:
    base = services.settings.public_url.rstrip("/")
    return f"{base}/admin/bulletins/{bulletin_id}" if base else ""


async def send_bulletin(ctx: dict[str, Any], bulletin_id: int) -> int:
    """The officials' chat gets the map (captioned with the title) and the summary in each language."""
    services = services_of(ctx)
    settings = services.settings
    bulletin = await Bulletin.get_or_none(id=bulletin_id)
    if bulletin is None or settings.officials_chat_id is None:
        return 0
    chat, zone_name, sent = settings.officials_chat_id, settings.local_timezone, 0
    first = Translator(settings.default_locale)
    png = render_map(services.grid, bulletin.data, title(bulletin, zone_name, first), legend(first), None)
    messages: list[tuple[str, str, bytes | None]] = [
        (f"bulletin:{bulletin.id}:map", title(bulletin, zone_name, first), png)
    ]
    for locale in settings.supported_locales:
        _ = Translator(locale)
        text = summary(
            bulletin, bulletin.data, services.grid, services.categories, zone_name=zone_name, _=_,
            link=archive_link(services, bulletin.id),
        )  # fmt: skip
        messages.append((f"bulletin:{bulletin.id}:text:{locale}", text, None))
    try:
        for key, text, photo in messages:
            await send_once(services.bot, key, chat, text, now=services.clock(), photo=photo)
            sent += 1
    except RetryAfter as error:
        raise Retry(defer=retry_after_s(error)) from error
    await Bulletin.filter(id=bulletin.id).update(sent_at=services.clock())
    return sent


FUNCTIONS: tuple[Function, ...] = (
    func(nightly_recompute, name="risk.nightly_recompute"),
    func(make_bulletins, name="risk.make_bulletins"),
    func(send_bulletin, name=SEND_BULLETIN_JOB, max_tries=5),
)
CRON_JOBS = (
    cron(nightly_recompute, name="cron:risk.nightly_recompute", minute={23}, second={0}, unique=True),
    cron(make_bulletins, name="cron:risk.make_bulletins", minute={0, 15, 30, 45}, second={20}, unique=True),
)
