"""Telegram side of follow-up: answers to a moderator's question, photos after reopening, "is it fixed?".

Runs in its own handler group before intake: when the resident has no draft and one of their reports
waits for an answer (or was just reopened by them), their message belongs to that report and intake
never sees it (ApplicationHandlerStop). Otherwise it lets the update through untouched.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.handlers.context import AppContext
from bot.handlers.report_flow import resident_of
from bot.handlers.texts import PROBLEMS
from bot.i18n import Translator
from bot.reports.lifecycle import MAX_REOPENS
from bot.reports.models import Photo, Report, Resident
from bot.reports.photos import PhotoRejectedError, RejectReason
from moderation import texts
from moderation.answers import (
    answer_question,
    note_added_photo,
    open_question,
    recently_reopened,
    store_report_photo,
)
from moderation.followup import FixedAnswer, answer_fixed_check, parse_callback

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
    if await services.intake.current_draft(resident, now) is not None:
        return  # they are filing a new report: intake owns the message
    has_photo = bool(message.photo or message.document)
    question = await open_question(resident.id)
    if question is not None and (has_photo or message.text):
        photo = await _photo(message, resident, question.report_id, context) if has_photo else None
        if has_photo and photo is None:
            raise ApplicationHandlerStop  # refused photo: already explained, the question stays open
        report = await answer_question(question, resident.id, text=message.text or "", photo=photo, now=now)
        await message.reply_text(Translator(resident.language)(texts.ANSWER_TAKEN, id=report.id))
        raise ApplicationHandlerStop
    window = timedelta(minutes=services.settings.reopen_photo_window_min)
    reopened = await recently_reopened(resident.id, now=now, window=window) if has_photo else None
    if reopened is not None:
        photo = await _photo(message, resident, reopened.id, context)
        if photo is not None:
            await note_added_photo(reopened, resident.id, photo, now=now)
            await message.reply_text(Translator(resident.language)(texts.PHOTO_ADDED, id=reopened.id))
        raise ApplicationHandlerStop


async def _photo(message: Message, resident: Resident, report_id: int, context: AppContext) -> Photo | None:
    """Download, clean and store the photo on the report; on a refusal tell the resident and return None."""
    services = context.services
    if message.photo:
        file_id, unique_id, size = (
            message.photo[-1].file_id,
            message.photo[-1].file_unique_id,
            message.photo[-1].file_size,
        )
    else:
        assert message.document is not None
        file_id, unique_id, size = message.document.file_id, message.document.file_unique_id, message.document.file_size
    _ = Translator(resident.language)
    try:
        if size is not None and size > services.settings.max_photo_bytes:
            raise PhotoRejectedError(RejectReason.TOO_LARGE)
        data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
        return await store_report_photo(
            await Report.get(id=report_id),
            resident.id,
            data,
            limits=services.intake.rules.photo_limits,
            storage=services.intake.storage,
            telegram_file_unique_id=unique_id,
            now=services.clock(),
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
    outcome = await answer_fixed_check(report_id, resident.id, fixed, now=context.services.clock())
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(None)
    text = Translator(resident.language)(FIXED_REPLIES[outcome], id=report_id, max=MAX_REOPENS)
    await context.bot.send_message(resident.chat_id, text)
