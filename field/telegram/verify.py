"""The reporter's and grid staff's answer to "is it fixed?" (buttons "fv:"); a refusal says why and changes nothing."""

from __future__ import annotations

from telegram import Message, Update

from bot.i18n import Translator
from bot.jobs import queue_text
from bot.telegram.context import AppContext
from bot.telegram.report_flow import resident_of
from bot.telegram.texts import STATUS_NAMES
from field import texts, verification
from field.verification import Answer

REPLIES: dict[Answer, str] = {
    Answer.CONFIRMED: texts.CONFIRMED,
    Answer.OBJECTED: texts.OBJECTED,
    Answer.LIMIT: texts.REOPEN_LIMIT,
    Answer.NOT_ALLOWED: texts.NOT_ALLOWED_TO_CONFIRM,
    Answer.CREW: texts.CREW_CANNOT_CONFIRM,
    Answer.NOT_AWAITING: texts.NOT_AWAITING,
}
TAKEN = frozenset({Answer.CONFIRMED, Answer.OBJECTED, Answer.LIMIT})


async def on_verify_button(update: Update, context: AppContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    resident = await resident_of(update, context)
    _ = Translator(resident.language)
    parsed = verification.parse_callback(query.data)
    if parsed is None:
        await query.answer(_(texts.GONE), show_alert=True)
        return
    report_id, fixed = parsed
    answer, report = await verification.answer(
        report_id, query.from_user.id, fixed, sla=services.sla, now=services.clock()
    )
    status = report.status if report is not None else ""
    text = _(REPLIES[answer], id=report_id, status=_(STATUS_NAMES.get(status, status)))
    if answer not in TAKEN:
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(None)  # answered: the question's buttons go
    await context.bot.send_message(query.from_user.id, text)
    moderators = services.settings.moderators_chat_id
    if answer is Answer.LIMIT and moderators is not None:
        group = Translator(services.settings.default_locale)
        note = group(texts.MODERATORS_STILL_THERE, id=report_id, who=resident.first_name)
        await queue_text(services, f"field:still-there:{report_id}:{query.id}", moderators, note)
