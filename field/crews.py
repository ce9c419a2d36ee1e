"""A crew member's buttons and typed answers, checked before anything happens.

Every press names a report; it does something only when the presser is an active crew member of the agency
the report is with now, and the report is still in a state where the button applies. Otherwise nothing
changes and the outcome says why (the transport translates it). A button that needs an answer (not ours,
need more time, fixed) opens a question (`CrewPrompt`) that the next typed message or photo answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from bot.admin.accounts import Role, is_crew_of
from bot.admin.models import StaffUser
from bot.reports.lifecycle import TransitionError
from bot.reports.models import Photo, Report
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from field import texts, work
from field.models import CrewPrompt, CrewTask
from field.rules import FieldRules
from field.tasks import WORKED, current_task, staff_name
from field.work import PromptKind

CALLBACK_PREFIX = "fc:"
DATE_RE = re.compile(r"(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})")


class Action(StrEnum):
    TAKE = "t"
    NOT_OURS = "n"
    ON_SITE = "s"
    FIXED = "f"
    MORE_TIME = "m"
    REASON = "r"  #: not ours, for this template reason (arg: its key)
    DAYS = "d"  #: need more time: this many days more (arg)
    WHY = "w"  #: need more time, for this template reason (arg: its key)
    NO_PHOTO = "x"  #: fixed, without an after photo (where the category allows it)


class Refusal(StrEnum):
    NOT_LINKED = "not_linked"
    NOT_CREW = "not_crew"
    OTHER_AGENCY = "other_agency"
    GONE = "gone"
    NOT_NOW = "not_now"
    TAKEN = "taken"
    ALREADY = "already"
    NO_QUESTION = "no_question"
    PHOTO_REQUIRED = "photo_required"
    PHOTO_NOT_TEXT = "photo_not_text"
    BAD_DATE = "bad_date"
    ANSWER_NEEDED = "answer_needed"


REFUSALS: dict[Refusal, str] = {
    Refusal.NOT_LINKED: texts.NOT_LINKED,
    Refusal.NOT_CREW: texts.NOT_CREW,
    Refusal.OTHER_AGENCY: texts.OTHER_AGENCY,
    Refusal.GONE: texts.GONE,
    Refusal.NOT_NOW: texts.NOT_NOW,
    Refusal.TAKEN: texts.TAKEN_BY_OTHER,
    Refusal.ALREADY: texts.ALREADY,
    Refusal.NO_QUESTION: texts.NO_QUESTION,
    Refusal.PHOTO_REQUIRED: texts.PHOTO_REQUIRED,
    Refusal.PHOTO_NOT_TEXT: texts.PHOTO_NOT_TEXT,
    Refusal.BAD_DATE: texts.BAD_DATE,
    Refusal.ANSWER_NEEDED: texts.ANSWER_NEEDED,
}


class Done(StrEnum):
    TOOK = "took"
    ON_SITE = "on_site"
    ASKED_REASON = "asked_reason"
    HANDED_BACK = "handed_back"
    ASKED_UNTIL = "asked_until"
    ASKED_WHY = "asked_why"
    EXTENDED = "extended"
    ASKED_PHOTO = "asked_photo"
    FIXED = "fixed"


@dataclass
class Outcome:
    refusal: Refusal | None = None
    done: Done | None = None
    staff: StaffUser | None = None
    report: Report | None = None
    task: CrewTask | None = None
    prompt: CrewPrompt | None = None  # a question just asked: the transport records its message
    params: dict[str, object] = field(default_factory=dict)  # for the message (id, name, due, reason...)


@dataclass(frozen=True)
class Press:
    action: Action
    report_id: int
    arg: str = ""


def callback_data(action: Action, report_id: int, arg: str = "") -> str:
    return f"{CALLBACK_PREFIX}{action}:{report_id}" + (f":{arg}" if arg else "")


def parse(data: str) -> Press | None:
    """The press a button's data stands for, or None for anything forged or not ours."""
    parts = data.removeprefix(CALLBACK_PREFIX).split(":")
    if not data.startswith(CALLBACK_PREFIX) or len(parts) not in (2, 3) or not parts[1].isdigit():
        return None
    if parts[0] not in {action.value for action in Action}:
        return None
    return Press(Action(parts[0]), int(parts[1]), parts[2] if len(parts) == 3 else "")


async def linked_staff(telegram_user_id: int) -> StaffUser | None:
    return await StaffUser.filter(telegram_user_id=telegram_user_id, active=True).order_by("id").first()


async def _checked(telegram_user_id: int, report_id: int) -> Outcome:
    """Who presses, and whether the report is with their agency and being worked; `refusal` set if not."""
    staff = await linked_staff(telegram_user_id)
    if staff is None:
        return Outcome(Refusal.NOT_LINKED)
    if staff.role != Role.CREW:
        return Outcome(Refusal.NOT_CREW, staff=staff)
    report = await Report.get_or_none(id=report_id)
    if report is None:
        return Outcome(Refusal.GONE, staff=staff)
    name = staff.display_name or staff.username
    outcome = Outcome(staff=staff, report=report, params={"id": report.id, "status": report.status, "name": name})
    if not is_crew_of(staff, report.agency):
        outcome.refusal = Refusal.OTHER_AGENCY
        return outcome
    outcome.task = await current_task(report)
    if Status(report.status) not in WORKED or outcome.task is None:
        outcome.refusal = Refusal.NOT_NOW
    return outcome


async def press(
    telegram_user_id: int, chat_id: int, data: str, *, rules: FieldRules, sla: SlaRules, now: datetime
) -> Outcome:
    """A crew member's button, in their private chat or the agency's group."""
    wanted = parse(data)
    if wanted is None:
        return Outcome(Refusal.GONE, staff=await linked_staff(telegram_user_id))
    outcome = await _checked(telegram_user_id, wanted.report_id)
    if outcome.refusal is not None:
        return outcome
    assert outcome.staff is not None and outcome.report is not None and outcome.task is not None
    try:
        await _run(outcome, wanted, chat_id, rules=rules, sla=sla, now=now)
    except TransitionError:  # someone else moved the report meanwhile
        report = await Report.get(id=outcome.report.id)
        return Outcome(
            Refusal.NOT_NOW, staff=outcome.staff, report=report, params={"id": report.id, "status": report.status}
        )
    return outcome


async def _run(
    outcome: Outcome, wanted: Press, chat_id: int, *, rules: FieldRules, sla: SlaRules, now: datetime
) -> None:
    staff, report, task = outcome.staff, outcome.report, outcome.task
    assert staff is not None and report is not None and task is not None
    action = wanted.action
    if action is Action.TAKE and task.taken_by_id == staff.id:
        outcome.refusal = Refusal.ALREADY
        return
    if action in (Action.TAKE, Action.ON_SITE, Action.FIXED) and not await _claimed(outcome, now):
        return
    if action is Action.TAKE:
        outcome.done = Done.TOOK
    elif action is Action.ON_SITE:
        if task.on_site_at is not None:
            outcome.refusal = Refusal.ALREADY
            return
        await work.on_site(report, task, staff, sla=sla, now=now)
        outcome.done = Done.ON_SITE
    elif action in (Action.NOT_OURS, Action.MORE_TIME, Action.FIXED):
        await _ask(outcome, action, chat_id, rules, now)
    else:
        await _follow_up(outcome, wanted, chat_id, rules=rules, sla=sla, now=now)


async def _claimed(outcome: Outcome, now: datetime) -> bool:
    """Take the task for the presser unless another crew member has it (then refuse, naming them)."""
    assert outcome.staff is not None and outcome.task is not None
    task = outcome.task
    if task.taken_by_id == outcome.staff.id:
        return True
    if await work.take(task, outcome.staff, now):
        return True
    fresh = await CrewTask.get(id=task.id)
    outcome.refusal = Refusal.TAKEN
    outcome.params["name"] = await staff_name(fresh.taken_by_id)
    return False


async def _ask(outcome: Outcome, action: Action, chat_id: int, rules: FieldRules, now: datetime) -> None:
    assert outcome.staff is not None and outcome.task is not None and outcome.report is not None
    kind = {Action.NOT_OURS: PromptKind.NOT_OURS, Action.MORE_TIME: PromptKind.MORE_TIME}.get(
        action, PromptKind.AFTER_PHOTO
    )
    outcome.prompt = await work.ask(outcome.task, outcome.staff, kind, chat_id, now)
    outcome.done = {
        PromptKind.NOT_OURS: Done.ASKED_REASON,
        PromptKind.MORE_TIME: Done.ASKED_UNTIL,
        PromptKind.AFTER_PHOTO: Done.ASKED_PHOTO,
    }[kind]
    outcome.params["photo_optional"] = not rules.needs_after_photo(outcome.report.category)
    current = outcome.report.resolution_due_at
    outcome.params.update(due=rules.local(current) if current else "-", example=example_date(rules, current, now))


async def _follow_up(
    outcome: Outcome, wanted: Press, chat_id: int, *, rules: FieldRules, sla: SlaRules, now: datetime
) -> None:
    """A button under a question (a reason, a number of days, "no photo"): only while that question is open."""
    assert outcome.staff is not None and outcome.report is not None and outcome.task is not None
    kind = {Action.REASON: PromptKind.NOT_OURS, Action.NO_PHOTO: PromptKind.AFTER_PHOTO}.get(
        wanted.action, PromptKind.MORE_TIME
    )
    prompt = await CrewPrompt.get_or_none(staff_id=outcome.staff.id, task_id=outcome.task.id, kind=kind)
    if prompt is None:
        outcome.refusal = Refusal.NO_QUESTION
        return
    if wanted.action is Action.REASON and wanted.arg in texts.NOT_OURS_REASONS:
        await _hand_back(outcome, texts.NOT_OURS_REASONS[wanted.arg], sla=sla, now=now)
    elif wanted.action is Action.DAYS and wanted.arg.isdigit() and outcome.report.resolution_due_at is not None:
        until = work.extended_due(outcome.report.resolution_due_at, int(wanted.arg))
        await _set_until(outcome, prompt, until, rules, now)
    elif wanted.action is Action.WHY and wanted.arg in texts.MORE_TIME_REASONS and prompt.until is not None:
        await _extend(outcome, prompt.until, texts.MORE_TIME_REASONS[wanted.arg], rules, now)
    elif wanted.action is Action.NO_PHOTO:
        await fix(outcome, None, rules=rules, sla=sla, now=now)
    else:
        outcome.refusal = Refusal.NO_QUESTION


async def answer_text(prompt: CrewPrompt, text: str, *, rules: FieldRules, sla: SlaRules, now: datetime) -> Outcome:
    """A typed answer to the open question: a reason, a date, or (wrongly) text where a photo is wanted."""
    outcome = await _checked(prompt.telegram_user_id, (await CrewTask.get(id=prompt.task_id)).report_id)
    if outcome.refusal is not None:
        await CrewPrompt.filter(id=prompt.id).delete()
        return outcome
    assert outcome.report is not None
    reason = work.clean_reason(text)
    try:
        if prompt.kind == PromptKind.AFTER_PHOTO or reason is None:
            outcome.refusal = Refusal.PHOTO_NOT_TEXT if prompt.kind == PromptKind.AFTER_PHOTO else Refusal.ANSWER_NEEDED
        elif prompt.kind == PromptKind.NOT_OURS:
            await _hand_back(outcome, reason, sla=sla, now=now)
        elif prompt.until is None:
            await _set_until(outcome, prompt, parse_until(text, outcome.report.resolution_due_at, rules), rules, now)
        else:
            await _extend(outcome, prompt.until, reason, rules, now)
    except TransitionError:
        outcome.refusal = Refusal.NOT_NOW
    return outcome


async def answer_photo(prompt: CrewPrompt, after: Photo, *, rules: FieldRules, sla: SlaRules, now: datetime) -> Outcome:
    """The after photo (already cleaned and stored by the transport) answers "Fixed"."""
    outcome = await _checked(prompt.telegram_user_id, (await CrewTask.get(id=prompt.task_id)).report_id)
    if outcome.refusal is None:
        try:
            await fix(outcome, after, rules=rules, sla=sla, now=now)
        except TransitionError:
            outcome.refusal = Refusal.NOT_NOW
    return outcome


async def fix(outcome: Outcome, after: Photo | None, *, rules: FieldRules, sla: SlaRules, now: datetime) -> None:
    assert outcome.staff is not None and outcome.report is not None and outcome.task is not None
    if after is None and rules.needs_after_photo(outcome.report.category):
        outcome.refusal = Refusal.PHOTO_REQUIRED
        return
    await work.mark_fixed(outcome.report, outcome.task, outcome.staff, after, sla=sla, now=now)
    outcome.done = Done.FIXED


async def _hand_back(outcome: Outcome, reason: str, *, sla: SlaRules, now: datetime) -> None:
    assert outcome.staff is not None and outcome.report is not None and outcome.task is not None
    await work.hand_back(outcome.report, outcome.task, outcome.staff, reason, sla=sla, now=now)
    outcome.done, outcome.params["reason"] = Done.HANDED_BACK, reason


async def _set_until(
    outcome: Outcome, prompt: CrewPrompt, until: datetime | None, rules: FieldRules, now: datetime
) -> None:
    """Take the new deadline if it is later than the current one and within the allowed extension."""
    assert outcome.report is not None
    current = outcome.report.resolution_due_at
    outcome.params.update(
        due=rules.local(current) if current else "-",
        max=rules.max_extension.days,
        example=example_date(rules, current, now),
    )
    if until is None or current is None or until <= max(current, now) or until > now + rules.max_extension:
        outcome.refusal = Refusal.BAD_DATE
        return
    await CrewPrompt.filter(id=prompt.id).update(until=until)
    outcome.done, outcome.params["due"] = Done.ASKED_WHY, rules.local(until)


async def _extend(outcome: Outcome, until: datetime, reason: str, rules: FieldRules, now: datetime) -> None:
    assert outcome.staff is not None and outcome.report is not None and outcome.task is not None
    await work.extend(outcome.report, outcome.task, outcome.staff, until, reason, now=now)
    outcome.done, outcome.params["due"] = Done.EXTENDED, rules.local(until)


def parse_until(text: str, current: datetime | None, rules: FieldRules) -> datetime | None:
    """A typed date ("2026-12-05", "12-05", "12/5") at the current deadline's local time of day."""
    match = DATE_RE.fullmatch(text.strip())
    if match is None or current is None:
        return None
    local = current.astimezone(rules.zone)
    year = int(match.group(1)) if match.group(1) else local.year
    try:
        day = date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    if match.group(1) is None and day < local.date():  # "01-10" typed in December means next January
        day = day.replace(year=year + 1)
    return datetime.combine(day, time(local.hour, local.minute), tzinfo=rules.zone)


def example_date(rules: FieldRules, current: datetime | None, now: datetime) -> str:
    """A date to show in the question: three days after the current deadline."""
    return f"{work.extended_due(current or now, 3).astimezone(rules.zone):%Y-%m-%d}"
