"""Asking for a fix's confirmation (the reporter; grid staff of the place), and the window passing."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.worker import Function, func

from bot.admin.models import StaffUser
from bot.i18n import Translator
from bot.outbound import send_location_once, send_once
from bot.reports.models import Report, Resident
from bot.reports.statuses import Status
from bot.services import Services, services_of
from field import texts
from field.cards import category_label, place_label
from field.jobs.common import deferring
from field.models import CrewTask, Verification
from field.pictures import before_and_after
from field.reactions import ASK_REPORTER_JOB, ASK_VERIFIER_JOB
from field.telegram import keyboards
from field.verification import lapse_due

MAX_TRIES = 5
LAPSE_JOB = "field.lapse_verifications"


async def _open(verification_id: int) -> tuple[Verification, Report] | None:
    """The verification and its report, while it still waits for an answer."""
    verification = await Verification.get_or_none(id=verification_id)
    report = await Report.get_or_none(id=verification.report_id) if verification is not None else None
    if verification is None or report is None or verification.outcome is not None or report.status != Status.FIXED:
        return None
    return verification, report


async def _picture(services: Services, verification: Verification) -> bytes | None:
    task = await CrewTask.get_or_none(id=verification.task_id) if verification.task_id is not None else None
    after_id = task.after_photo_id if task is not None else None
    return await before_and_after(services.storage, verification.report_id, after_id)


async def _ask(
    services: Services, key: str, chat_id: int, text: str, picture: bytes | None, _: Translator, report_id: int
) -> str:
    bot, now, markup = services.bot, services.clock(), keyboards.verify(report_id, _)
    return await deferring(lambda: send_once(bot, key, chat_id, text, now=now, reply_markup=markup, photo=picture))


async def ask_reporter(ctx: dict[str, Any], verification_id: int) -> str:
    """ "Is it fixed? Here is the after photo": before and after side by side, with Yes / No."""
    services = services_of(ctx)
    opened = await _open(verification_id)
    if opened is None:
        return "not needed"
    verification, report = opened
    reporter = await Resident.get_or_none(id=report.reporter_id) if report.reporter_id is not None else None
    if reporter is None:  # a partner system filed it: a verifier or the window decides
        return "no resident"
    if reporter.blocked_bot:
        return "blocked"
    _ = Translator(reporter.language)
    picture = await _picture(services, verification)
    text = _(
        texts.ASK_REPORTER if picture is not None else texts.ASK_REPORTER_NO_PHOTO,
        id=report.id,
        category=category_label(services.categories, report.category, _),
    )
    return await _ask(services, f"field:ask-reporter:{verification.id}", reporter.chat_id, text, picture, _, report.id)


async def ask_verifier(ctx: dict[str, Any], verification_id: int) -> str:
    """Grid staff of the place: a map pin, then before and after side by side, with Yes / No."""
    services = services_of(ctx)
    opened = await _open(verification_id)
    verifier = await StaffUser.get_or_none(id=opened[0].verifier_id, active=True) if opened is not None else None
    if opened is None or verifier is None or verifier.telegram_user_id is None:
        return "not needed"
    verification, report = opened
    chat_id, _ = int(verifier.telegram_user_id), Translator(verifier.language)
    key = f"field:ask-verifier:{verification.id}"
    await deferring(
        lambda: send_location_once(services.bot, f"{key}:pin", chat_id, report.lat, report.lon, now=services.clock())
    )
    text = _(
        texts.ASK_VERIFIER,
        id=report.id,
        category=category_label(services.categories, report.category, _),
        place=place_label(services.grid, report, _.locale),
    )
    return await _ask(services, key, chat_id, text, await _picture(services, verification), _, report.id)


async def lapse_verifications(ctx: dict[str, Any]) -> int:
    """Cron: fixes nobody objected to within the window count as verified (not a listed hazard's)."""
    services = services_of(ctx)
    return len(await lapse_due(sla=services.sla, now=services.clock()))


FUNCTIONS: list[Function] = [
    func(ask_reporter, name=ASK_REPORTER_JOB, max_tries=MAX_TRIES),
    func(ask_verifier, name=ASK_VERIFIER_JOB, max_tries=MAX_TRIES),
    func(lapse_verifications, name=LAPSE_JOB),
]
CRON_JOBS = [cron(lapse_verifications, name=f"cron:{LAPSE_JOB}", minute=set(range(4, 60, 10)), second={0}, unique=True)]
