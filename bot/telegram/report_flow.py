"""Telegram side of filing a report: parse the update, call one `Intake` method, send the reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import datetime

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.reports.geo import parse_typed_position
from bot.reports.intake import Intake, Problem, Prompt, Reply, Step
from bot.reports.models import Draft, Resident
from bot.reports.photos import RejectReason
from bot.reports.residents import set_prompt_message, touch_resident
from bot.telegram import keyboards
from bot.telegram.context import AppContext
from bot.telegram.duplicates import send_candidates
from bot.telegram.render import render
from bot.telegram.texts import NO_DRAFT_HINT

#: One intake step, given the resident's live draft and "now".
StepFn = Callable[[Intake, Draft, datetime], Awaitable[Reply]]


async def resident_of(update: Update, context: AppContext) -> Resident:
    """The resident who sent this update, loaded (and refreshed) once per update for every handler group."""
    if context.resident is None:
        user, chat = update.effective_user, update.effective_chat
        assert user is not None and chat is not None
        context.resident = await touch_resident(
            user.id,
            chat.id,
            first_name=user.first_name,
            username=user.username,
            language_code=user.language_code,
            default_locale=context.services.settings.default_locale,
        )
    return context.resident


async def send_reply(message: Message, reply: Reply, resident: Resident, context: AppContext) -> None:
    _ = Translator(resident.language)
    await retire_prompt_buttons(resident, context)
    if reply.prompt is Prompt.ASK_DUPLICATE and reply.duplicates is not None and reply.problem is None:
        await send_candidates(message, reply.duplicates, _, context.services)  # the cards, then the question
    rendered = await render(reply, _, context.services)
    sent = await message.reply_text(rendered.text, reply_markup=rendered.markup)
    if isinstance(rendered.markup, InlineKeyboardMarkup):
        await set_prompt_message(resident, sent.message_id)


async def retire_prompt_buttons(resident: Resident, context: AppContext) -> None:
    """Only the newest prompt keeps its buttons: a "Skip" or "Done" tapped on an old one would confuse."""
    if resident.prompt_message_id is None:
        return
    with suppress(TelegramError):  # already edited, deleted, or too old to edit: nothing to take back
        await context.bot.edit_message_reply_markup(resident.chat_id, resident.prompt_message_id, reply_markup=None)
    await set_prompt_message(resident, None)


async def on_report_command(update: Update, context: AppContext) -> None:
    """/report: start a fresh draft."""
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    reply = await context.services.intake.start(resident, context.services.clock())
    await send_reply(update.effective_message, reply, resident, context)


async def on_cancel(update: Update, context: AppContext) -> None:
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    await send_reply(update.effective_message, await context.services.intake.cancel(resident), resident, context)


async def on_photo(update: Update, context: AppContext) -> None:
    """A photo or a file: a new draft starts when there is none (the "snap and report" path)."""
    message = update.effective_message
    assert message is not None
    resident = await resident_of(update, context)
    services, now = context.services, context.services.clock()
    intake = services.intake
    draft = await intake.current_draft(resident, now)
    if draft is None:
        draft = (await intake.start(resident, now)).draft
        assert draft is not None
    file_id, unique_id, size = largest_file(message)
    if size is not None and size > services.settings.max_photo_bytes:
        reply = await intake.reprompt(draft, RejectReason.TOO_LARGE)
    elif draft.step != Step.PHOTOS:
        reply = await intake.reprompt(draft)
    else:
        data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
        reply = await intake.add_photo(draft, data, telegram_file_unique_id=unique_id, now=now)
    await send_reply(message, reply, resident, context)


def largest_file(message: Message) -> tuple[str, str, int | None]:
    """(file id, unique id, size) of a photo's largest size, or of a photo sent as a file."""
    if message.photo:
        biggest = message.photo[-1]
        return biggest.file_id, biggest.file_unique_id, biggest.file_size
    assert message.document is not None
    document = message.document
    return document.file_id, document.file_unique_id, document.file_size


async def on_location(update: Update, context: AppContext) -> None:
    """A shared location or a venue (live-location edits never reach here: MESSAGE updates only)."""
    message = update.effective_message
    assert message is not None
    location = message.venue.location if message.venue else message.location
    assert location is not None
    source = "venue" if message.venue else "shared"
    await _with_draft(
        update,
        context,
        lambda intake, draft, now: intake.set_location(draft, location.latitude, location.longitude, source, now),
    )


async def on_text(update: Update, context: AppContext) -> None:
    """Text is a description, typed coordinates, or the wrong thing for this step."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text

    async def step(intake: Intake, draft: Draft, now: datetime) -> Reply:
        if draft.step == Step.DESCRIPTION:
            return await intake.set_description(draft, text, now)
        position = parse_typed_position(text)
        if draft.step in (Step.LOCATION, Step.EXIF_LOCATION) and position is not None:
            return await intake.set_location(draft, position[0], position[1], "typed", now)
        return await intake.reprompt(draft)

    await _with_draft(update, context, step)


async def on_other(update: Update, context: AppContext) -> None:
    """Stickers, voice notes, contacts...: say what is needed instead."""
    await _with_draft(update, context, lambda intake, draft, now: intake.reprompt(draft, Problem.WRONG_INPUT))


async def _with_draft(update: Update, context: AppContext, step: StepFn) -> None:
    message = update.effective_message
    assert message is not None
    resident = await resident_of(update, context)
    now = context.services.clock()
    draft = await context.services.intake.current_draft(resident, now)
    if draft is None:
        await message.reply_text(Translator(resident.language)(NO_DRAFT_HINT))
        return
    reply = await step(context.services.intake, draft, now)
    await send_reply(message, reply, resident, context)


async def on_button(update: Update, context: AppContext) -> None:
    """Inline buttons of the intake flow; a tap on a stale keyboard gets a clear answer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    resident = await resident_of(update, context)
    services, now, data = context.services, context.services.clock(), query.data
    intake = services.intake
    draft = await intake.current_draft(resident, now)
    if draft is None or not isinstance(query.message, Message):
        await context.bot.send_message(resident.chat_id, Translator(resident.language)(NO_DRAFT_HINT))
        return
    if data == keyboards.PHOTOS_DONE:
        reply = await intake.photos_done(draft, now)
    elif data in (keyboards.USE_PHOTO_LOCATION, keyboards.OTHER_LOCATION):
        reply = await intake.answer_photo_location(draft, data == keyboards.USE_PHOTO_LOCATION, now)
    elif data in (keyboards.DANGER_YES, keyboards.DANGER_NO):
        reply = await intake.answer_danger(draft, data == keyboards.DANGER_YES, now)
    elif data.startswith(keyboards.CATEGORY_PREFIX):
        reply = await intake.choose_category(draft, data.removeprefix(keyboards.CATEGORY_PREFIX), now)
    elif data.startswith(keyboards.DUPLICATE_PREFIX):
        reply = await _duplicate_answer(intake, draft, resident, data, now)
    elif data == keyboards.SKIP_DESCRIPTION:
        reply = await intake.set_description(draft, None, now)
    elif data == keyboards.CONFIRM_SUBMIT:
        reply = await intake.confirm(draft, resident, now)
    elif data == keyboards.CONFIRM_CANCEL:
        reply = await intake.cancel(resident)
    else:
        reply = await intake.reprompt(draft)
    await show_answer(query, query.message)
    if resident.prompt_message_id == query.message.message_id:
        await set_prompt_message(resident, None)  # its buttons just went
    await send_reply(query.message, reply, resident, context)


async def show_answer(query: CallbackQuery, message: Message) -> None:
    """The question stays in the chat with the tapped answer under it (how the chat reads later), buttons gone."""
    label = _pressed_label(message, query.data)
    if message.text and label:
        await query.edit_message_text(f"{message.text}\n\n✓ {label}")
    else:
        await query.edit_message_reply_markup(None)


def _pressed_label(message: Message, data: str | None) -> str | None:
    markup = message.reply_markup
    if markup is None:
        return None
    return next((b.text for row in markup.inline_keyboard for b in row if b.callback_data == data), None)


async def _duplicate_answer(intake: Intake, draft: Draft, resident: Resident, data: str, now: datetime) -> Reply:
    """ "dup:new" goes on to the description; "dup:<id>" follows report <id> instead of filing."""
    if data == keyboards.DUPLICATE_NEW:
        return await intake.duplicate_is_new(draft, now)
    report_id = data.removeprefix(keyboards.DUPLICATE_PREFIX)
    if not report_id.isdigit():
        return await intake.reprompt(draft)
    return await intake.pick_duplicate(draft, resident, int(report_id), now)
