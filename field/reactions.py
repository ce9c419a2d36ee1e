"""What the field does when a report's status changes, or a report is overdue (run by the outbox, at least once).

Each reaction records what it opened under a unique key (one task per dispatch, one verification per fix) and
queues jobs under ids derived from it, whose sends are claimed by key: running one twice sends nothing twice.
"""

from __future__ import annotations

from bot.admin.models import StaffUser
from bot.city.models import Agency
from bot.events import DomainEvent, EventKind
from bot.features import EventReaction, Reaction
from bot.i18n import Translator
from bot.jobs import queue_text
from bot.reports.models import DueExtension, Report, StatusChange
from bot.reports.statuses import Status
from bot.services import Services
from field import texts
from field.cards import category_label, place_label
from field.rules import FieldRules
from field.tasks import WORKED, agency_chats, close_tasks_left_behind, current_task, open_task, staff_name
from field.verification import open_verification

CARD_JOB = "field.send_card"
ASK_REPORTER_JOB = "field.ask_reporter"
ASK_VERIFIER_JOB = "field.ask_verifier"


async def follow_crew(services: Services, change: StatusChange, report: Report) -> None:
    """A dispatch sends the crew its card; a hand-back tells the moderators; any other way out ends the task."""
    if change.to_status == Status.DISPATCHED:
        task = await open_task(change, report)
        agency = await Agency.get_or_none(key=task.agency) if task is not None else None
        if task is None or agency is None or task.closed_at is not None:
            return
        for chat_id in await agency_chats(agency):
            await services.redis.enqueue_job(CARD_JOB, task.id, chat_id, _job_id=f"field:card:{task.id}:{chat_id}")
        return
    await close_tasks_left_behind(report, change.changed_at)
    if change.to_status == Status.ACCEPTED and change.from_status in WORKED:
        await _tell_moderators(services, change, report)


async def _tell_moderators(services: Services, change: StatusChange, report: Report) -> None:
    chat_id = services.settings.moderators_chat_id
    kind, _colon, raw_id = change.actor.partition(":")
    crew = await StaffUser.get_or_none(id=int(raw_id)) if kind == "staff" and raw_id.isdigit() else None
    if chat_id is None or crew is None or not crew.agency:
        return  # an official's own hand-over, not a crew's "not ours"
    _ = Translator(services.settings.default_locale)
    agency = await Agency.get_or_none(key=crew.agency)
    text = _(
        texts.MODERATORS_HANDED_BACK,
        id=report.id,
        agency=agency.label(_.locale) if agency is not None else crew.agency,
        name=crew.display_name or crew.username,
        reason=_(change.reason),
    )
    await queue_text(services, f"field:handed-back:{change.id}", chat_id, text)


async def start_verification(services: Services, change: StatusChange, report: Report) -> None:
    """A fix (by the crew or an official's hand): ask the reporter, and grid staff where the category wants it."""
    verification = await open_verification(change, report, FieldRules.from_settings(services.settings))
    if verification is None or verification.outcome is not None:
        return
    await services.redis.enqueue_job(ASK_REPORTER_JOB, verification.id, _job_id=f"field:ask-reporter:{verification.id}")
    if verification.verifier_id is not None:
        await services.redis.enqueue_job(
            ASK_VERIFIER_JOB, verification.id, _job_id=f"field:ask-verifier:{verification.id}"
        )


async def escalate_to_supervisor(services: Services, event: DomainEvent) -> None:
    """An agency's report ran past its deadline: its supervisor hears of it (officials do from moderation)."""
    report = await Report.get_or_none(id=int(event.payload.get("report_id", 0)))
    if event.payload.get("stage") != "resolution" or report is None or not report.agency:
        return
    agency = await Agency.get_or_none(key=report.agency)
    if agency is None or agency.supervisor_chat_id is None:
        return
    settings = services.settings
    _, rules = Translator(settings.default_locale), FieldRules.from_settings(settings)
    task = await current_task(report)
    taker = await staff_name(task.taken_by_id) if task is not None and task.taken_by_id is not None else _(texts.NOBODY)
    text = _(
        texts.OVERDUE_SUPERVISOR,
        id=report.id,
        category=category_label(services.categories, report.category, _),
        place=place_label(services.grid, report, _.locale),
        agency=agency.label(_.locale),
        due=rules.local(report.resolution_due_at) if report.resolution_due_at else "-",
        taker=taker,
        extensions=await DueExtension.filter(report_id=report.id).count(),
    )
    await queue_text(services, f"field:overdue:{event.id}", agency.supervisor_chat_id, text)


REACTIONS = (
    Reaction("field.crew", follow_crew),
    Reaction("field.verification", start_verification),
)
EVENT_REACTIONS = (EventReaction(EventKind.REPORT_OVERDUE, "field.supervisor", escalate_to_supervisor),)
