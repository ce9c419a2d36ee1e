"""Telegram side of filing a report: parse the update, call one `Intake` method, send the reply.

The resident and their draft are loaded once per update (one statement) and shared by every handler
group through the context. An update handled again (a replay after a crash) that already moved the
draft gets the answer for where the conversation stands; a step that lost a race for the draft (another
process moved it first) answers from the draft as it is now.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.reports.drafts import DraftChangedError, Turn
from bot.reports.geo import parse_typed_position
from bot.reports.intake import Intake, Problem, Prompt, Reply, Step
from bot.reports.models import Draft, Resident
from bot.reports.photos import RejectReason
from bot.reports.residents import Sender, load_resident
from bot.telegram import keyboards
from bot.telegram.context import AppContext
from bot.telegram.duplicates import send_candidates
from bot.telegram.prompts import live_prompt, set_live_prompt
from bot.telegram.render import render
from bot.telegram.texts import NO_DRAFT_HINT

log = logging.getLogger(__name__)

#: One intake step, given the resident's live draft and the turn.
StepFn = Callable[[Intake, Draft, Turn], Awaitable[Reply]]


def turn_of(update: Update, context: AppContext) -> Turn:
    return Turn(update.update_id, context.services.clock())


async def resident_of(update: Update, context: AppContext) -> Resident:
    """The resident who sent this update, with their live draft (`draft_of`), loaded once for every group."""
    if context.resident is None:
        user = update.effective_user
        assert user is not None  # the pipeline takes no update without a sender
        sender = Sender(user.id, user.first_name, user.username, user.language_code)
        services, turn = context.services, turn_of(update, context)
        resident, draft = await load_resident(sender, default_locale=services.settings.default_locale, now=turn.now)
        context.resident, context.draft = resident, await services.intake.live(draft, turn)
    return context.resident


async def draft_of(update: Update, context: AppContext) -> Draft | None:
    """The resident's live draft as this update found it (or as this update's steps left it)."""
    await resident_of(update, context)
    return context.draft


async def send_reply(
    message: Message, reply: Reply, resident: Resident, context: AppContext, *, tapped: int | None = None
) -> None:
    """The reply, after taking the buttons off the previous prompt (unless it is the one just tapped)."""
    _, previous = Translator(resident.language), live_prompt()
    if previous not in (None, tapped):
        with suppress(TelegramError):  # already edited, deleted, or too old to edit: nothing to take back
            await context.bot.edit_message_reply_markup(resident.chat_id, previous, reply_markup=None)
    if reply.prompt is Prompt.ASK_DUPLICATE and reply.duplicates is not None and reply.problem is None:
        await send_candidates(message, reply.duplicates, _, context.services)  # the cards, then the question
    rendered = await render(reply, _, context.services)
    sent = await message.reply_text(rendered.text, reply_markup=rendered.markup)
    set_live_prompt(sent.message_id if isinstance(rendered.markup, InlineKeyboardMarkup) else None)


async def _answer(update: Update, context: AppContext, message: Message, step: Callable[[], Awaitable[Reply]]) -> None:
    """Run one step (a replay answers without changing anything) and send its reply."""
    resident, draft, turn = await resident_of(update, context), context.draft, turn_of(update, context)
    intake = context.services.intake
    replayed = await intake.replayed(draft, turn) if draft is not None else None
    try:
        reply = replayed or await step()
    except DraftChangedError:  # another step took the draft first: answer from where it is now
        log.info("update %s: the draft changed meanwhile", update.update_id)
        fresh = await intake.current_draft(resident, turn)
        reply = await intake.reprompt(fresh, Problem.NO_DRAFT) if fresh else Reply(Prompt.ALREADY_SUBMITTED)
    context.draft = reply.draft
    tapped = message.message_id if update.callback_query is not None else None
    await send_reply(message, reply, resident, context, tapped=tapped)


async def on_report_command(update: Update, context: AppContext) -> None:
    """/report: start a fresh draft."""
    message = update.effective_message
    assert message is not None
    resident, intake = await resident_of(update, context), context.services.intake
    await _answer(update, context, message, lambda: intake.start(resident, context.draft, turn_of(update, context)))


async def on_cancel(update: Update, context: AppContext) -> None:
    message = update.effective_message
    assert message is not None
    draft = await draft_of(update, context)
    await _answer(update, context, message, lambda: context.services.intake.cancel(draft))


async def on_photo(update: Update, context: AppContext) -> None:
    """A photo or a file: a new draft starts when there is none (the "snap and report" path)."""
    message = update.effective_message
    assert message is not None
    resident, draft = await resident_of(update, context), context.draft
    services, turn = context.services, turn_of(update, context)
    intake = services.intake

    async def step() -> Reply:
        file_id, unique_id, size = largest_file(message)
        if size is not None and size > services.settings.max_photo_bytes:
            return await intake.reprompt(draft, RejectReason.TOO_LARGE) if draft else _refused_first_photo()
        if draft is not None and draft.step != Step.PHOTOS:
            return await intake.reprompt(draft)
        data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
        return await intake.add_photo(resident, draft, data, telegram_file_unique_id=unique_id, turn=turn)

    await _answer(update, context, message, step)


def _refused_first_photo() -> Reply:
    return Reply(Prompt.ASK_PHOTO, None, RejectReason.TOO_LARGE)


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
        lambda intake, draft, turn: intake.set_location(draft, location.latitude, location.longitude, source, turn),
    )


async def on_text(update: Update, context: AppContext) -> None:
    """Text is a description, typed coordinates, or the wrong thing for this step."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text

    async def step(intake: Intake, draft: Draft, turn: Turn) -> Reply:
        if draft.step == Step.DESCRIPTION:
            return await intake.set_description(draft, text, turn)
        position = parse_typed_position(text)
        if draft.step in (Step.LOCATION, Step.EXIF_LOCATION) and position is not None:
            return await intake.set_location(draft, position[0], position[1], "typed", turn)
        return await intake.reprompt(draft)

    await _with_draft(update, context, step)


async def on_other(update: Update, context: AppContext) -> None:
    """Stickers, voice notes, contacts...: say what is needed instead."""
    await _with_draft(update, context, lambda intake, draft, turn: intake.reprompt(draft, Problem.WRONG_INPUT))


async def _with_draft(update: Update, context: AppContext, step: StepFn) -> None:
    message = update.effective_message
    assert message is not None
    resident, draft = await resident_of(update, context), context.draft
    if draft is None:
        await message.reply_text(Translator(resident.language)(NO_DRAFT_HINT))
        return
    await _answer(update, context, message, lambda: step(context.services.intake, draft, turn_of(update, context)))


async def on_button(update: Update, context: AppContext) -> None:
    """Inline buttons of the intake flow; a tap on a stale keyboard gets a clear answer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    if not isinstance(query.message, Message) or query.message.chat.type != ChatType.PRIVATE:
        return  # intake's buttons live in the resident's own chat only
    resident, draft = await resident_of(update, context), context.draft
    if draft is None and query.data != keyboards.CONFIRM_SUBMIT:
        await context.bot.send_message(resident.chat_id, Translator(resident.language)(NO_DRAFT_HINT))
        return
    message, intake, turn = query.message, context.services.intake, turn_of(update, context)

    async def step() -> Reply:
        if draft is None:  # "Submit" with the draft gone: filed already (a double tap) or by this very update
            return await intake.confirm(None, resident, turn)
        reply = await _button_step(intake, draft, resident, query.data or "", turn)
        await show_answer(query, message)
        return reply

    await _answer(update, context, message, step)


async def _button_step(intake: Intake, draft: Draft, resident: Resident, data: str, turn: Turn) -> Reply:
    if data == keyboards.PHOTOS_DONE:
        return await intake.photos_done(draft, turn)
    if data in (keyboards.USE_PHOTO_LOCATION, keyboards.OTHER_LOCATION):
        return await intake.answer_photo_location(draft, data == keyboards.USE_PHOTO_LOCATION, turn)
    if data in (keyboards.DANGER_YES, keyboards.DANGER_NO):
        return await intake.answer_danger(draft, data == keyboards.DANGER_YES, turn)
    if data.startswith(keyboards.CATEGORY_PREFIX):
        return await intake.choose_category(draft, data.removeprefix(keyboards.CATEGORY_PREFIX), turn)
    if data.startswith(keyboards.DUPLICATE_PREFIX):
        return await _duplicate_answer(intake, draft, resident, data, turn)
    if data == keyboards.SKIP_DESCRIPTION:
        return await intake.set_description(draft, None, turn)
    if data == keyboards.CONFIRM_SUBMIT:
        return await intake.confirm(draft, resident, turn)
    if data == keyboards.CONFIRM_CANCEL:
        return await intake.cancel(draft)
    return await intake.reprompt(draft)


async def show_answer(query: CallbackQuery, message: Message) -> None:
    """The question stays in the chat with the tapped answer under it (how the chat reads later), buttons gone."""
    label = _pressed_label(message, query.data)
    with suppress(TelegramError):  # a replayed tap: already shown
        if message.text and label:
            await query.edit_message_text(f"{message.text}\n\n✓ {label}")
        else:
            await query.edit_message_reply_markup(None)


def _pressed_label(message: Message, data: str | None) -> str | None:
    markup = message.reply_markup
    if markup is None:
        return None
    return next((b.text for row in markup.inline_keyboard for b in row if b.callback_data == data), None)


async def _duplicate_answer(intake: Intake, draft: Draft, resident: Resident, data: str, turn: Turn) -> Reply:
    """ "dup:new" goes on to the description; "dup:<id>" follows report <id> instead of filing."""
    if data == keyboards.DUPLICATE_NEW:
        return await intake.duplicate_is_new(draft, turn)
    report_id = data.removeprefix(keyboards.DUPLICATE_PREFIX)
    if not report_id.isdigit():
        return await intake.reprompt(draft)
    return await intake.pick_duplicate(draft, resident, int(report_id), turn)
