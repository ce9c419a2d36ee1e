"""Crew side in Telegram: the card's buttons and the typed answers or photos to the questions they open.

Parse, call one `field.crews` function, answer: a refused press gets an alert saying why (in the presser's
language) and changes nothing; a done one is told in the chat, where a question keeps its buttons.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update, User

from bot.admin.models import StaffUser
from bot.i18n import Translator
from bot.reports.models import Photo
from bot.reports.photo_store import store_photo
from bot.reports.photos import PhotoRejectedError
from bot.reports.residents import Sender, load_resident
from bot.services import Services
from bot.telegram.context import AppContext
from bot.telegram.downloads import download_photo
from bot.telegram.report_flow import resident_of
from bot.telegram.texts import PROBLEMS, STATUS_NAMES
from field import crews, texts, work
from field.crews import REFUSALS, Action, Done, Outcome
from field.models import CrewPrompt
from field.rules import FieldRules
from field.telegram import keyboards

SIMPLE: dict[Done, str] = {
    Done.TOOK: texts.TOOK,
    Done.ON_SITE: texts.WENT_ON_SITE,
    Done.HANDED_BACK: texts.HANDED_BACK,
    Done.EXTENDED: texts.EXTENDED,
    Done.FIXED: texts.MARKED_FIXED,
}


def translator(services: Services, staff: StaffUser | None) -> Translator:
    return Translator(str(staff.language) if staff is not None else services.settings.default_locale)


def refusal_text(outcome: Outcome, _: Translator) -> str:
    assert outcome.refusal is not None
    params = {"id": "?", "name": "-", "due": "-", "max": "-", "example": "-", **outcome.params}
    status = str(params.get("status", ""))
    params["status"] = _(STATUS_NAMES.get(status, status))
    return _(REFUSALS[outcome.refusal], **params)


def rendered(outcome: Outcome, _: Translator, *, group: bool) -> tuple[str, InlineKeyboardMarkup | None]:
    """What the chat is told, and the buttons of a question."""
    assert outcome.done is not None and outcome.report is not None
    report_id, params = outcome.report.id, {"example": "-", **outcome.params, "id": outcome.report.id}
    if "reason" in params:
        params["reason"] = _(str(params["reason"]))
    if outcome.done in SIMPLE:
        return _(SIMPLE[outcome.done], **params), None
    if outcome.done is Done.ASKED_REASON:
        text = _(texts.ASK_NOT_OURS_GROUP if group else texts.ASK_NOT_OURS, **params)
        return text, keyboards.reasons(report_id, _, Action.REASON, texts.NOT_OURS_REASONS)
    if outcome.done is Done.ASKED_UNTIL:
        return _(texts.ASK_UNTIL_GROUP if group else texts.ASK_UNTIL, **params), keyboards.extra_days(report_id, _)
    if outcome.done is Done.ASKED_WHY:
        return _(texts.ASK_WHY_MORE_TIME, **params), keyboards.reasons(
            report_id, _, Action.WHY, texts.MORE_TIME_REASONS
        )
    optional = bool(params.get("photo_optional"))
    text = _(texts.ASK_AFTER_PHOTO_OPTIONAL if optional else texts.ASK_AFTER_PHOTO, **params)
    return text, keyboards.no_photo(report_id, _) if optional else None


async def say(context: AppContext, chat_id: int, outcome: Outcome) -> None:
    """Tell the chat what happened; a question's message is remembered (in a group, answers reply to it)."""
    group = chat_id < 0
    _ = Translator(context.services.settings.default_locale) if group else translator(context.services, outcome.staff)
    text, markup = rendered(outcome, _, group=group)
    sent = await context.bot.send_message(chat_id, text, reply_markup=markup)
    if outcome.prompt is not None:
        await work.prompt_message_sent(outcome.prompt.id, sent.message_id)


def _context(context: AppContext) -> tuple[FieldRules, Services]:
    return FieldRules.from_settings(context.services.settings), context.services


async def on_crew_button(update: Update, context: AppContext) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and query.data is not None and chat is not None
    rules, services = _context(context)
    if chat.type == chat.PRIVATE:  # their resident row carries the mark that their next message answers a question
        await resident_of(update, context)
    outcome = await crews.press(
        query.from_user.id, chat.id, query.data, rules=rules, sla=services.sla, now=services.clock()
    )
    if outcome.refusal is not None:
        await query.answer(refusal_text(outcome, translator(services, outcome.staff)), show_alert=True)
        return
    await query.answer()
    await say(context, chat.id, outcome)


async def answer_prompt(update: Update, context: AppContext, prompt: CrewPrompt) -> None:
    """A crew member's typed answer or photo to the question they were asked."""
    message = update.effective_message
    assert message is not None and message.from_user is not None
    rules, services = _context(context)
    now = services.clock()
    if message.photo or message.document:
        after = await _after_photo(message, message.from_user, context)
        if after is None:
            return
        outcome = await crews.answer_photo(prompt, after, rules=rules, sla=services.sla, now=now)
    else:
        outcome = await crews.answer_text(prompt, message.text or "", rules=rules, sla=services.sla, now=now)
    if outcome.refusal is not None:
        await message.reply_text(refusal_text(outcome, translator(services, outcome.staff)))
        return
    await say(context, message.chat_id, outcome)


async def _after_photo(message: Message, user: User, context: AppContext) -> Photo | None:
    """Download, clean and store the after photo (it joins the report only as its fix's photo)."""
    services = context.services
    staff = await crews.linked_staff(user.id)
    _ = translator(services, staff)
    try:
        data, unique_id = await download_photo(message, context.bot, max_bytes=services.settings.max_photo_bytes)
        # The photo's owner is the crew member as a resident (their private chat has their user id).
        sender = Sender(user.id, user.first_name, user.username, user.language_code)
        await load_resident(sender, default_locale=services.settings.default_locale, now=services.clock())
        return await store_photo(
            data,
            owner_id=user.id,
            limits=services.intake.rules.photo_limits,
            storage=services.storage,
            telegram_file_unique_id=unique_id,
            now=services.clock(),
        )
    except PhotoRejectedError as rejected:
        await message.reply_text(_(texts.PHOTO_REFUSED, problem=_(PROBLEMS[rejected.reason])))
        return None
