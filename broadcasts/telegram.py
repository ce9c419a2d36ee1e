"""Telegram side of broadcasts: /subscribe, /unsubscribe, /stop, and the buttons under broadcasts.

Its handler group runs before the kernel's report conversation. Locations and typed coordinates are
taken (and stop there) only when a /subscribe is waiting for a location AND no intake draft is at a
step that wants one; otherwise they pass on unchanged.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyKeyboardRemove, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.i18n import Translator
from bot.reports.geo import parse_typed_position
from bot.reports.intake import Step
from bot.reports.models import Resident
from bot.reports.residents import awaits, set_awaiting
from bot.telegram import keyboards
from bot.telegram.context import AppContext, BotApplication, final
from bot.telegram.report_flow import draft_of, resident_of, send_reply, turn_of
from broadcasts import subscriptions as subs
from broadcasts.education import AnswerResult, record_answer
from broadcasts.message import REPORT_CALLBACK, SELF_CHECK_PREFIX, pick_text
from broadcasts.models import Subscriber
from broadcasts.texts import (
    ASK_LOCATION,
    BAD_POSITION,
    BROADCASTS_BACK_ON,
    BUTTON_DONE,
    BUTTON_MY_AREA,
    BUTTON_NEARBY,
    BUTTON_RADIUS,
    BUTTON_UNSUBSCRIBE_ALL,
    NEARBY,
    NONE,
    NOT_A_LOCATION,
    NOTHING_TO_UNSUBSCRIBE,
    OUTSIDE_AREAS,
    SAVED,
    SELF_CHECK_ALREADY,
    SELF_CHECK_CLOSED,
    SELF_CHECK_THANKS,
    STALE_BUTTON,
    STOPPED,
    SUBSCRIBE_INTRO,
    SUBSCRIBED_AREA,
    SUBSCRIBED_RADIUS,
    SUMMARY,
    TOPIC_LABELS,
    UNSUBSCRIBE_PROMPT,
    UNSUBSCRIBED,
    Topic,
)

SUBSCRIBE_PREFIX = "sub:"
UNSUBSCRIBE_PREFIX = "uns:"
#: Intake steps at which a location (shared or typed) belongs to the report being filed.
LOCATION_STEPS = (Step.LOCATION, Step.EXIF_LOCATION)
MAX_CALLBACK_BYTES = 64
#: The resident's `awaiting` mark while a /subscribe waits for their location.
LOCATION_EXCHANGE = "broadcasts.location"


def _km(radius_m: int) -> str:
    return f"{radius_m / 1000:g}"


def subscribe_keyboard(_: Translator, followed: set[str], radius_choices_m: tuple[int, ...]) -> InlineKeyboardMarkup:
    topic_buttons = [
        InlineKeyboardButton(
            ("✓ " if topic in followed else "") + _(TOPIC_LABELS[topic]),
            callback_data=f"{SUBSCRIBE_PREFIX}t:{topic.value}",
        )
        for topic in Topic
    ]
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(BUTTON_MY_AREA), callback_data=f"{SUBSCRIBE_PREFIX}r:0")],
            [
                InlineKeyboardButton(_(BUTTON_RADIUS, km=_km(r)), callback_data=f"{SUBSCRIBE_PREFIX}r:{r}")
                for r in radius_choices_m
            ],
            *(topic_buttons[i : i + 2] for i in range(0, len(topic_buttons), 2)),
            [InlineKeyboardButton(_(BUTTON_DONE), callback_data=f"{SUBSCRIBE_PREFIX}done")],
        ]
    )


async def on_subscribe(update: Update, context: AppContext) -> None:
    """/subscribe: broadcasts on again, then choose a place and topics."""
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    _ = Translator(resident.language)
    was_stopped = await subs.start(resident.id)
    text = _(SUBSCRIBE_INTRO)
    if was_stopped:
        text = f"{_(BROADCASTS_BACK_ON)}\n\n{text}"
    markup = subscribe_keyboard(
        _, await subs.topics_of(resident.id), context.services.settings.subscribe_radius_choices_m
    )
    await update.effective_message.reply_text(text, reply_markup=markup)


async def on_subscribe_button(update: Update, context: AppContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    resident = await resident_of(update, context)
    _, services = Translator(resident.language), context.services
    choice = query.data.removeprefix(SUBSCRIBE_PREFIX)
    if choice.startswith("r:") and choice[2:].isdigit():
        radius_m = int(choice[2:])
        if radius_m and radius_m not in services.settings.subscribe_radius_choices_m:
            await context.bot.send_message(resident.chat_id, _(STALE_BUTTON))
            return
        await subs.await_location(resident.id, radius_m, services.clock())
        await set_awaiting(resident, LOCATION_EXCHANGE)
        await context.bot.send_message(resident.chat_id, _(ASK_LOCATION), reply_markup=keyboards.request_location(_))
    elif choice.startswith("t:") and await subs.toggle_topic(resident.id, choice[2:], services.clock()) is not None:
        if isinstance(query.message, Message):
            await query.edit_message_reply_markup(
                subscribe_keyboard(_, await subs.topics_of(resident.id), services.settings.subscribe_radius_choices_m)
            )
    elif choice == "done":
        if isinstance(query.message, Message):
            await query.edit_message_reply_markup(None)
        await context.bot.send_message(resident.chat_id, f"{await _summary(resident, context)}\n\n{_(SAVED)}")
    else:
        await context.bot.send_message(resident.chat_id, _(STALE_BUTTON))


async def _summary(resident: Resident, context: AppContext) -> str:
    _, areas = Translator(resident.language), context.services.areas
    summary = await subs.summary(resident.id)
    return _(
        SUMMARY,
        areas=", ".join(areas.label(key, resident.language) for key in summary.areas) or _(NONE),
        nearby=_(NEARBY, km=_km(summary.radius_m)) if summary.radius_m else _(NONE),
        topics=", ".join(_(TOPIC_LABELS[Topic(t)]) for t in summary.topics) or _(NONE),
    )


async def _wants_location(update: Update, context: AppContext) -> tuple[Resident, Subscriber | None]:
    """The subscriber waiting for a location, unless an intake draft wants the location instead.

    Looked for only when the resident's `awaiting` mark (loaded with them) says a /subscribe asked."""
    resident = await resident_of(update, context)
    if not awaits(resident, LOCATION_EXCHANGE):
        return resident, None
    waiting = await subs.awaiting_location(resident.id, context.services.clock())
    if waiting is None:  # answered, stopped, or too long ago: the mark was all that was left
        await set_awaiting(resident, LOCATION_EXCHANGE, False)
        return resident, None
    draft = await draft_of(update, context)
    return resident, None if draft is not None and draft.step in LOCATION_STEPS else waiting


async def on_location(update: Update, context: AppContext) -> None:
    message = update.effective_message
    assert message is not None
    resident, waiting = await _wants_location(update, context)
    if waiting is None:
        return  # the report conversation's (or nobody's)
    location = message.venue.location if message.venue else message.location
    assert location is not None
    await _take_location(message, resident, waiting, location.latitude, location.longitude, context)
    raise ApplicationHandlerStop


async def on_text(update: Update, context: AppContext) -> None:
    """Text answers a waiting /subscribe only when no report draft is open (a draft wants every text)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    resident, waiting = await _wants_location(update, context)
    if waiting is None or await draft_of(update, context):
        return  # the report conversation's (or nobody's)
    position = parse_typed_position(message.text)
    if position is not None:
        await _take_location(message, resident, waiting, position[0], position[1], context)
    else:
        _ = Translator(resident.language)
        await message.reply_text(_(NOT_A_LOCATION), reply_markup=keyboards.request_location(_))
    raise ApplicationHandlerStop


async def _take_location(
    message: Message, resident: Resident, waiting: Subscriber, lat: float, lon: float, context: AppContext
) -> None:
    _, rules = Translator(resident.language), context.services.intake.rules
    result, area_key = await subs.take_location(
        waiting, lat, lon, grid=context.services.grid, service_area=rules.area, now=context.services.clock()
    )
    if result is subs.LocationResult.AREA_ADDED:
        text = _(SUBSCRIBED_AREA, area=context.services.areas.label(area_key, resident.language))
    elif result is subs.LocationResult.RADIUS_SET:
        text = _(SUBSCRIBED_RADIUS, km=_km(waiting.radius_m or 0))
    else:
        problem = OUTSIDE_AREAS if result is subs.LocationResult.OUTSIDE_AREAS else BAD_POSITION
        await message.reply_text(_(problem), reply_markup=keyboards.request_location(_))
        return
    await set_awaiting(resident, LOCATION_EXCHANGE, False)
    await message.reply_text(
        f"{text}\n\n{await _summary(resident, context)}\n\n{_(SAVED)}", reply_markup=ReplyKeyboardRemove()
    )


async def on_unsubscribe(update: Update, context: AppContext) -> None:
    """/unsubscribe: a button per area, the nearby circle and each topic, plus "all of the above"."""
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    _, areas = Translator(resident.language), context.services.areas
    summary = await subs.summary(resident.id)
    if summary.empty:
        await update.effective_message.reply_text(_(NOTHING_TO_UNSUBSCRIBE))
        return
    options = [(areas.label(key, resident.language), subs.AREA_PREFIX + key) for key in summary.areas]
    if summary.radius_m:
        options.append((_(BUTTON_NEARBY, km=_km(summary.radius_m)), subs.NEARBY))
    options += [(_(TOPIC_LABELS[Topic(t)]), subs.TOPIC_PREFIX + t) for t in summary.topics]
    options.append((_(BUTTON_UNSUBSCRIBE_ALL), subs.ALL))
    rows = [
        [InlineKeyboardButton(label, callback_data=UNSUBSCRIBE_PREFIX + what)]
        for label, what in options
        if len((UNSUBSCRIBE_PREFIX + what).encode()) <= MAX_CALLBACK_BYTES
    ]
    await update.effective_message.reply_text(_(UNSUBSCRIBE_PROMPT), reply_markup=InlineKeyboardMarkup(rows))


async def on_unsubscribe_button(update: Update, context: AppContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    resident = await resident_of(update, context)
    _ = Translator(resident.language)
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(None)
    removed = await subs.unsubscribe(resident.id, query.data.removeprefix(UNSUBSCRIBE_PREFIX))
    text = _(UNSUBSCRIBED) if removed else _(STALE_BUTTON)
    await context.bot.send_message(resident.chat_id, f"{text}\n\n{await _summary(resident, context)}")


async def on_stop(update: Update, context: AppContext) -> None:
    """/stop: no broadcasts at all until /subscribe."""
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    await subs.stop(resident.id)
    await update.effective_message.reply_text(Translator(resident.language)(STOPPED))


async def on_self_check(update: Update, context: AppContext) -> None:
    """One tap under the education-day message: counted once per resident and month."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    resident = await resident_of(update, context)
    _ = Translator(resident.language)
    month_key, _sep, option = query.data.removeprefix(SELF_CHECK_PREFIX).partition(":")
    result, check = await record_answer(resident.id, month_key, option, context.services.clock())
    if result is AnswerResult.RECORDED and check is not None:
        text = _(
            SELF_CHECK_THANKS,
            answer=pick_text(check.labels, resident.language, context.services.settings.default_locale),
        )
    else:
        text = _(SELF_CHECK_ALREADY) if result is AnswerResult.ALREADY else _(SELF_CHECK_CLOSED)
    await context.bot.send_message(resident.chat_id, text)


async def on_report_button(update: Update, context: AppContext) -> None:
    """ "Report a hazard" under a broadcast: the same as /report."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    resident = await resident_of(update, context)
    reply = await context.services.intake.start(resident, context.draft, turn_of(update, context))
    context.draft = reply.draft
    if isinstance(query.message, Message):
        await send_reply(query.message, reply, resident, context)


def register(application: BotApplication, group: int) -> None:
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE & private
    for name, callback in (("subscribe", on_subscribe), ("unsubscribe", on_unsubscribe), ("stop", on_stop)):
        application.add_handler(CommandHandler(name, final(callback), filters=private), group=group)
    application.add_handler(MessageHandler(message & (filters.LOCATION | filters.VENUE), on_location), group=group)
    application.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, on_text), group=group)
    for prefix, callback in (
        (SUBSCRIBE_PREFIX, on_subscribe_button),
        (UNSUBSCRIBE_PREFIX, on_unsubscribe_button),
        (SELF_CHECK_PREFIX, on_self_check),
        (REPORT_CALLBACK, on_report_button),
    ):
        application.add_handler(CallbackQueryHandler(final(callback), pattern=f"^{prefix}"), group=group)
