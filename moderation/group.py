"""The moderators' Telegram group without Telegram: the button data, what a press does, and the post's record.

A report is posted to the group once, when it is submitted (`GroupPost` remembers the message). A press
runs the same decision as the web admin, after the same role and scope checks, as the linked staff
member. Any change that takes the report out of `submitted` closes the post: buttons gone, one line
saying what happened. The Telegram side lives in moderation/group_jobs.py and bot/handlers/moderators_group.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.exceptions import IntegrityError

from bot.admin.accounts import has_role
from bot.admin.models import StaffUser
from bot.i18n import N_, Translator
from bot.reports.lifecycle import TransitionError
from bot.reports.models import Report, StatusChange
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from moderation import decisions, texts
from moderation.decisions import DECIDING_ROLE, SEVERITY_LABELS, DecisionError, Severity
from moderation.models import GroupPost
from moderation.queue import OutOfScopeError, report_for

CALLBACK_PREFIX = "mg:"
GROUP_POST_JOB, GROUP_CLOSE_JOB = "moderation.group_post", "moderation.group_close"
#: Severities offered on the buttons; "critical" stays a web decision, made with the whole report page.
BUTTON_SEVERITIES = (Severity.LOW, Severity.MEDIUM, Severity.HIGH)
#: Rejection templates offered on the buttons, each with a short label (the reporter reads the full reason).
BUTTON_REJECTIONS: dict[str, str] = {
    "not_hazard": N_("Reject: not a hazard"),
    "unclear": N_("Reject: unclear"),
    "location": N_("Reject: wrong location"),
    "outside": N_("Reject: outside our area"),
}
ACCEPT_BUTTON = N_("Accept · %(severity)s")
OPEN_IN_ADMIN = N_("Open in admin")
POST_BODY = N_(
    "New report #%(id)s: %(category)s\nArea: %(area)s\nLocation: %(lat).6f, %(lon).6f\n"
    "Moderation due: %(due)s\nDescription: %(description)s"
)
BACK_IN_QUEUE = N_("The reporter answered: back awaiting moderation.")
ACCEPTED_NOTE = N_("Accepted (%(severity)s) by %(name)s")
REJECTED_NOTE = N_("Rejected by %(name)s: %(reason)s")
MERGED_NOTE = N_("Merged into report #%(original)s by %(name)s")
EXIT_NOTES: dict[str, str] = {
    Status.NEEDS_INFO: N_("%(name)s asked the reporter for more information"),
    Status.NOT_RESPONSIBLE: N_("Closed as not our responsibility by %(name)s"),
    Status.NO_ACTION: N_("Closed without action by %(name)s"),
}
OTHER_EXIT_NOTE = N_("Status changed by %(name)s")
THE_REPORTER, THE_SYSTEM = N_("the reporter"), N_("the system")
#: Telegram's limits: a photo's caption, a text message (a little under, for safety).
CAPTION_LIMIT, TEXT_LIMIT = 1000, 4000
#: A note longer than this (a long free-text reason) is cut; the report page has it whole.
NOTE_MAX_CHARS = 300
#: Only the newest notes are shown (a report may go back and forth with its reporter).
NOTES_SHOWN = 4


class GroupAction(StrEnum):
    ACCEPT = "a"
    REJECT = "r"


@dataclass(frozen=True)
class ButtonPress:
    action: GroupAction
    report_id: int
    choice: str  # a severity, or a rejection template key


def callback_data(action: GroupAction, report_id: int, choice: str) -> str:
    return f"{CALLBACK_PREFIX}{action}:{report_id}:{choice}"


def parse_callback(data: str) -> ButtonPress | None:
    """The press a button's data stands for, or None when it is not one of ours."""
    parts = data.removeprefix(CALLBACK_PREFIX).split(":")
    if not data.startswith(CALLBACK_PREFIX) or len(parts) != 3 or not parts[1].isdigit():
        return None
    if parts[0] not in {action.value for action in GroupAction}:
        return None
    return ButtonPress(GroupAction(parts[0]), int(parts[1]), parts[2])


# --- a press -----------------------------------------------------------------------------------------
class PressOutcome(StrEnum):
    DONE = "done"
    NOT_LINKED = "not_linked"  #: no active staff member has this Telegram account
    NOT_PERMITTED = "not_permitted"  #: their role may not decide
    OUT_OF_SCOPE = "out_of_scope"  #: another area's or category's report
    HANDLED = "handled"  #: no longer awaiting moderation (someone was quicker)
    GONE = "gone"  #: no such report, or a button that is not ours
    REFUSED = "refused"  #: the decision itself said no (DecisionError)


@dataclass(frozen=True)
class PressResult:
    outcome: PressOutcome
    staff: StaffUser | None = None
    report_id: int = 0
    report: Report | None = None  # as it is after the press (when the staff member may see it)
    error: DecisionError | None = None


async def linked_staff(telegram_user_id: int) -> StaffUser | None:
    """The active staff member whose account is linked to this Telegram user."""
    return await StaffUser.filter(telegram_user_id=telegram_user_id, active=True).order_by("id").first()


async def press(telegram_user_id: int, data: str, *, sla: SlaRules, now: datetime) -> PressResult:
    """A moderator's button: identify them, check role and scope like the web admin, then decide as them."""
    staff = await linked_staff(telegram_user_id)
    if staff is None:
        return PressResult(PressOutcome.NOT_LINKED)
    wanted = parse_callback(data)
    if wanted is None:
        return PressResult(PressOutcome.GONE, staff)
    if not has_role(staff, DECIDING_ROLE):
        return PressResult(PressOutcome.NOT_PERMITTED, staff, wanted.report_id)
    try:
        report = await report_for(staff, wanted.report_id)
    except LookupError:
        return PressResult(PressOutcome.GONE, staff, wanted.report_id)
    except OutOfScopeError:
        return PressResult(PressOutcome.OUT_OF_SCOPE, staff, wanted.report_id)
    if report.status != Status.SUBMITTED:
        return PressResult(PressOutcome.HANDLED, staff, report.id, report)
    try:
        if wanted.action is GroupAction.ACCEPT:
            await decisions.accept(report, staff, wanted.choice, sla=sla, now=now)
        else:
            await decisions.reject(report, staff, template=wanted.choice, sla=sla, now=now)
    except TransitionError:  # another moderator's decision committed first
        return PressResult(PressOutcome.HANDLED, staff, report.id, await Report.get(id=report.id))
    except DecisionError as refused:
        return PressResult(PressOutcome.REFUSED, staff, report.id, report, refused)
    return PressResult(PressOutcome.DONE, staff, report.id, report)


# --- what the post says --------------------------------------------------------------------------------
async def actor_name(actor: str, _: Translator) -> str:
    kind, _colon, raw_id = actor.partition(":")
    if kind == "staff" and raw_id.isdigit():
        staff = await StaffUser.get_or_none(id=int(raw_id))
        if staff is not None:
            return str(staff.display_name or staff.username)
    return _(THE_REPORTER) if kind == "resident" else _(THE_SYSTEM)


async def exit_note(report: Report, change: StatusChange, _: Translator) -> str:
    """The line a change out of `submitted` adds to the post, e.g. "Accepted (medium) by Wang Fang"."""
    to, name = Status(change.to_status), await actor_name(change.actor, _)
    if to is Status.ACCEPTED:
        severity = _(SEVERITY_LABELS[Severity(report.severity)]) if report.severity in set(Severity) else "-"
        note = _(ACCEPTED_NOTE, severity=severity, name=name)
    elif to is Status.REJECTED:
        note = _(REJECTED_NOTE, name=name, reason=_(change.reason) if change.reason else _(texts.NO_REASON_GIVEN))
    elif to is Status.DUPLICATE:
        note = _(MERGED_NOTE, original=report.duplicate_of_id or "?", name=name)
    else:
        note = _(EXIT_NOTES.get(to, OTHER_EXIT_NOTE), name=name)
    return note if len(note) <= NOTE_MAX_CHARS else note[: NOTE_MAX_CHARS - 1] + "…"


async def last_exit(report_id: int) -> StatusChange | None:
    """The newest change that took the report out of `submitted`."""
    return await StatusChange.filter(report_id=report_id, from_status=Status.SUBMITTED).order_by("-id").first()


def render(post: GroupPost) -> str:
    """The body, then the newest notes, cut to fit Telegram's limit (the body gives way first)."""
    limit = CAPTION_LIMIT if post.has_photo else TEXT_LIMIT
    tail = "\n\n" + "\n".join(post.notes[-NOTES_SHOWN:]) if post.notes else ""
    room = limit - len(tail)
    body = post.body if len(post.body) <= room else post.body[: max(room - 1, 0)] + "…"
    return body + tail


# --- the post's record -----------------------------------------------------------------------------------
async def post_for(report_id: int, chat_id: int) -> GroupPost | None:
    return await GroupPost.get_or_none(report_id=report_id, chat_id=chat_id)


async def claim_post(report: Report, chat_id: int, *, body: str, has_photo: bool) -> GroupPost | None:
    """Reserve the report's post in this chat before sending; None when it exists (posted or being posted)."""
    try:
        return await GroupPost.create(report=report, chat_id=chat_id, body=body, has_photo=has_photo)
    except IntegrityError:
        return None


async def mark_posted(post: GroupPost, message_id: int) -> None:
    post.message_id = message_id
    await post.save(update_fields=["message_id"])


async def release(post: GroupPost) -> None:
    """The send failed: forget the reservation so a retry may post."""
    await GroupPost.filter(id=post.id, message_id__isnull=True).delete()


async def change_post(post: GroupPost, *, open_: bool, note: str) -> bool:
    """Open or close the posted message with a note; False when it already is so or another change won."""
    if post.open == open_ or post.message_id is None:
        return False
    won = await GroupPost.filter(id=post.id, version=post.version).update(
        open=open_, notes=[*post.notes, note], version=post.version + 1
    )
    await post.refresh_from_db()
    return bool(won)


async def mark_shown(post: GroupPost, version: int) -> None:
    """The Telegram message now shows `version` (a newer one may already be shown: never go back)."""
    await GroupPost.filter(id=post.id, shown_version__lt=version).update(shown_version=version)
