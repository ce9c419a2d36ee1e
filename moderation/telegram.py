"""Telegram side of moderation: the reporter's follow-up messages and the moderators' group buttons.

Follow-up runs in its own handler group before intake: when the resident has no draft and one of
their reports waits for an answer (or was just reopened by them), their message belongs to that
report and intake never sees it (ApplicationHandlerStop). Otherwise it lets the update through.
The reporter's Yes / No to "is it really fixed?" comes here too.

The moderators' group: only presses in the configured group count. `moderation.group.press` decides
(the web admin's role and scope checks and domain functions, as the linked staff member); this
module answers the press (an alert when refused) and, on success, edits the post.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from bot.config import Settings
from bot.i18n import N_, Translator
from bot.reports.models import Photo, Report, Resident
from bot.reports.photo_store import store_photo
from bot.reports.photos import PhotoRejectedError
from bot.reports.residents import awaits, set_awaiting
from bot.reports.statuses import MAX_REOPENS
from bot.telegram.context import AppContext, BotApplication, final
from bot.telegram.downloads import download_photo
from bot.telegram.report_flow import draft_of, resident_of
from bot.telegram.texts import PROBLEMS, STATUS_NAMES
from moderation import texts
from moderation.answers import (
    ANSWER_EXCHANGE,
    answer_question,
    note_added_photo,
    open_question,
    recently_reopened,
)
from moderation.followup import CALLBACK_PREFIX as FIXED_CHECK_PREFIX
from moderation.followup import FixedAnswer, answer_fixed_check, parse_callback
from moderation.group import CALLBACK_PREFIX as GROUP_PREFIX
from moderation.group import PressOutcome, PressResult, change_post, exit_note, last_exit, post_for, press
from moderation.jobs.group import show

FIXED_REPLIES = {
    FixedAnswer.THANKS: texts.FIXED_THANKS,
    FixedAnswer.REOPENED: texts.REOPENED_BY_REPORTER,
    FixedAnswer.LIMIT_REACHED: texts.REOPEN_LIMIT,
    FixedAnswer.NO_LONGER_FIXED: texts.NOT_FIXED_ANY_MORE,
    FixedAnswer.NOT_YOURS: texts.NOT_YOUR_REPORT,
    FixedAnswer.UNKNOWN: texts.NOT_FIXED_ANY_MORE,
}


async def on_reporter_message(update: Update, context: AppContext) -> None:
    """A text or photo from a resident whose report is waiting for them; anything else passes on."""
    message = update.effective_message
    assert message is not None
    resident = await resident_of(update, context)
    services, now = context.services, context.services.clock()
    if not awaits(resident, ANSWER_EXCHANGE) or await draft_of(update, context) is not None:
        return  # nothing waits for them here, or they are filing a new report: intake owns the message
    has_photo = bool(message.photo or message.document)
    question = await open_question(resident.id)
    if question is not None and (has_photo or message.text):
        photo = await _photo(message, resident, question.report_id, context) if has_photo else None
        if has_photo and photo is None:
            raise ApplicationHandlerStop  # refused photo: already explained, the question stays open
        report = await answer_question(
            question, resident.id, text=message.text or "", photo=photo, sla=services.sla, now=now
        )
        await message.reply_text(Translator(resident.language)(texts.ANSWER_TAKEN, id=report.id))
        raise ApplicationHandlerStop
    window = timedelta(minutes=services.settings.reopen_photo_window_min)
    reopened = await recently_reopened(resident.id, now=now, window=window)
    if question is None and reopened is None:  # answered or too long ago: the mark was all that was left
        await set_awaiting(resident, ANSWER_EXCHANGE, False)
    if reopened is not None and has_photo:
        photo = await _photo(message, resident, reopened.id, context)
        if photo is not None:
            await note_added_photo(reopened, resident.id, photo, now=now)
            await message.reply_text(Translator(resident.language)(texts.PHOTO_ADDED, id=reopened.id))
        raise ApplicationHandlerStop


async def _photo(message: Message, resident: Resident, report_id: int, context: AppContext) -> Photo | None:
    """Download, clean and store the photo on the report; on a refusal tell the resident and return None."""
    services = context.services
    _ = Translator(resident.language)
    try:
        data, unique_id = await download_photo(message, context.bot, max_bytes=services.settings.max_photo_bytes)
        return await store_photo(
            data,
            owner_id=resident.id,
            limits=services.intake.rules.photo_limits,
            storage=services.storage,
            telegram_file_unique_id=unique_id,
            now=services.clock(),
            report_id=report_id,
        )
    except PhotoRejectedError as rejected:
        await message.reply_text(_(texts.ANSWER_PHOTO_REFUSED, problem=_(PROBLEMS[rejected.reason])))
        return None


async def on_fixed_button(update: Update, context: AppContext) -> None:
    """The reporter's Yes / No to "is it really fixed?"."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    resident = await resident_of(update, context)
    parsed = parse_callback(query.data)
    if parsed is None:
        return
    report_id, fixed = parsed
    outcome = await answer_fixed_check(
        report_id, resident.id, fixed, sla=context.services.sla, now=context.services.clock()
    )
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(None)
    text = Translator(resident.language)(FIXED_REPLIES[outcome], id=report_id, max=MAX_REOPENS)
    await context.bot.send_message(resident.chat_id, text)


log = logging.getLogger(__name__)

NOT_HERE = N_("These buttons work only in the moderators' group.")
ALERTS: dict[PressOutcome, str] = {
    PressOutcome.NOT_LINKED: N_(
        "Your Telegram account is not linked to a staff account. An admin can link it on the staff page."
    ),
    PressOutcome.NOT_PERMITTED: N_("Your role cannot decide on reports."),
    PressOutcome.OUT_OF_SCOPE: N_("Report #%(id)s is outside your areas or categories."),
    PressOutcome.HANDLED: N_("Report #%(id)s was already handled: it is %(status)s now."),
    PressOutcome.GONE: N_("This button no longer works; open the report in the admin."),
}


def alert(result: PressResult, _: Translator) -> str:
    if result.error is not None:
        return _(result.error.message, **result.error.params)
    status = result.report.status if result.report is not None else ""
    return _(ALERTS[result.outcome], id=result.report_id, status=_(STATUS_NAMES.get(status, status)))


async def on_group_button(update: Update, context: AppContext) -> None:
    """Accept or reject from the group; refusals change nothing and say why, in the presser's language."""
    query = update.callback_query
    assert query is not None and query.data is not None
    settings, chat = context.services.settings, update.effective_chat
    if settings.moderators_chat_id is None or chat is None or chat.id != settings.moderators_chat_id:
        await query.answer(Translator(settings.default_locale)(NOT_HERE), show_alert=True)
        return
    result = await press(query.from_user.id, query.data, sla=context.services.sla, now=context.services.clock())
    _ = Translator(result.staff.language if result.staff is not None else settings.default_locale)
    if result.outcome is not PressOutcome.DONE or result.report is None:
        await query.answer(alert(result, _), show_alert=True)
        return
    await close_post(context, settings, result.report)
    change = await last_exit(result.report_id)
    await query.answer(await exit_note(result.report, change, _) if change is not None else None)


async def close_post(context: AppContext, settings: Settings, report: Report) -> None:
    """Remove the post's buttons at once (the close job, queued by the change, finds nothing left to do)."""
    assert settings.moderators_chat_id is not None
    post, change = await post_for(report.id, settings.moderators_chat_id), await last_exit(report.id)
    if post is None or change is None:
        return
    await change_post(post, open_=False, note=await exit_note(report, change, Translator(settings.default_locale)))
    try:
        await show(context.bot, post, settings)
    except TelegramError:  # a flood limit or a network error: the close job, queued by the change, edits it
        log.warning("group post of report %s not edited yet", report.id, exc_info=True)


def register(application: BotApplication, group: int) -> None:
    private_message = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
    answers = private_message & ~filters.COMMAND & (filters.TEXT | filters.PHOTO | filters.Document.ALL)
    application.add_handler(MessageHandler(answers, on_reporter_message), group=group)
    application.add_handler(CallbackQueryHandler(final(on_fixed_button), pattern=f"^{FIXED_CHECK_PREFIX}"), group=group)
    # The moderators' group (the only handler for a group chat): checks the chat id itself.
    application.add_handler(CallbackQueryHandler(final(on_group_button), pattern=f"^{GROUP_PREFIX}"), group=group)
