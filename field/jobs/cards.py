"""The crew's card: a dispatched report's map pin, then its photo (or text) with the crew's buttons."""

from __future__ import annotations

from typing import Any

from arq.worker import Function, func

from bot.city.models import Agency
from bot.i18n import Translator
from bot.outbound import send_location_once, send_once
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.services import services_of
from field import cards
from field.jobs.common import chat_language, deferring
from field.models import CrewTask
from field.pictures import first_photo_id, stored
from field.reactions import CARD_JOB
from field.rules import FieldRules
from field.tasks import WORKED
from field.telegram import keyboards

MAX_TRIES = 5


async def send_card(ctx: dict[str, Any], task_id: int, chat_id: int) -> str:
    """Send one chat the card of a task that is still the crew's (a stale one is not sent)."""
    services = services_of(ctx)
    task = await CrewTask.get_or_none(id=task_id)
    report = await Report.get_or_none(id=task.report_id) if task is not None else None
    agency = await Agency.get_or_none(key=task.agency) if task is not None else None
    if task is None or report is None or agency is None or task.closed_at is not None:
        return "gone"
    if Status(report.status) not in WORKED or report.agency != task.agency:
        return "moved on"
    _ = Translator(await chat_language(services, chat_id))
    text = cards.card(
        report,
        agency,
        _,
        categories=services.categories,
        grid=services.grid,
        rules=FieldRules.from_settings(services.settings),
    )
    markup, now, bot = keyboards.card(report.id, _), services.clock(), services.bot
    key = f"field:card:{task.id}:{chat_id}"
    await deferring(lambda: send_location_once(bot, f"{key}:pin", chat_id, report.lat, report.lon, now=now))
    photo = await stored(services.storage, await first_photo_id(report.id))  # None: the card is a text
    return await deferring(lambda: send_once(bot, key, chat_id, text, now=now, reply_markup=markup, photo=photo))


FUNCTIONS: list[Function] = [func(send_card, name=CARD_JOB, max_tries=MAX_TRIES)]
