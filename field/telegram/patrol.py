"""Patrol mode in Telegram: /patrol, then photo → location → category, repeated; /cancel ends it.

Each step is one tap (send a photo, tap "Send my location", tap a category), so three hazards take ten.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, Update

from bot.i18n import Translator
from bot.reports.photos import PhotoRejectedError
from bot.services import Services
from bot.telegram.context import AppContext
from bot.telegram.downloads import download_photo
from bot.telegram.report_flow import resident_of
from bot.telegram.texts import PROBLEMS
from field import patrol, texts
from field.cards import category_label
from field.models import PatrolSession
from field.patrol import PatrolRules, Reply, Said
from field.rules import FieldRules
from field.telegram import keyboards

SIMPLE: dict[Said, str] = {
    Said.STARTED: texts.PATROL_START,
    Said.NEED_PHOTO: texts.PATROL_NEED_PHOTO,
    Said.BAD_PHOTO: texts.PATROL_BAD_PHOTO,
}
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


def patrol_rules(services: Services) -> PatrolRules:
    intake = services.intake.rules
    return PatrolRules(
        categories=intake.categories,
        area=intake.area,
        grid=intake.grid,
        photo_limits=intake.photo_limits,
        storage=services.storage,
        dedup=intake.dedup,
        sla=services.sla,
        idle=FieldRules.from_settings(services.settings).patrol_idle,
    )


def rendered(reply: Reply, _: Translator, services: Services) -> tuple[str, Markup]:
    said, categories = reply.said, services.categories
    problem = _(PROBLEMS[reply.problem]) if reply.problem else ""
    if said in SIMPLE:
        return _(SIMPLE[said], problem=problem), None
    if said in (Said.ASK_LOCATION, Said.NEED_LOCATION, Said.BAD_LOCATION):
        text = {
            Said.ASK_LOCATION: texts.PATROL_ASK_LOCATION,
            Said.NEED_LOCATION: texts.PATROL_NEED_LOCATION,
            Said.BAD_LOCATION: texts.PATROL_BAD_LOCATION,
        }[said]
        return _(text, problem=problem), keyboards.send_location(_)
    if said in (Said.ASK_CATEGORY, Said.NEED_CATEGORY):
        text = texts.PATROL_ASK_CATEGORY if said is Said.ASK_CATEGORY else texts.PATROL_NEED_CATEGORY
        return _(text), keyboards.patrol_categories(categories, _)
    assert reply.report is not None
    label = category_label(categories, reply.report.category, _)
    return _(texts.PATROL_FILED, id=reply.report.id, category=label, count=reply.session.filed), None


async def _send(message: Message, reply: Reply, context: AppContext, language: str) -> None:
    text, markup = rendered(reply, Translator(language), context.services)
    await message.reply_text(text, reply_markup=markup)


async def on_patrol_command(update: Update, context: AppContext) -> None:
    message = update.effective_message
    assert message is not None and message.from_user is not None
    resident = await resident_of(update, context)
    staff = await patrol.grid_member(message.from_user.id)
    if staff is None:
        await message.reply_text(Translator(resident.language)(texts.PATROL_NOT_GRID))
        return
    await _send(message, await patrol.start(staff, context.services.clock()), context, resident.language)


async def on_cancel(update: Update, context: AppContext) -> bool:
    """/cancel in patrol mode ends it; False when not on patrol (the kernel's /cancel then answers)."""
    message = update.effective_message
    assert message is not None and message.from_user is not None
    session = await _session(message.from_user.id, context)
    if session is None:
        return False
    resident = await resident_of(update, context)
    count = await patrol.end(session)
    await message.reply_text(Translator(resident.language)(texts.PATROL_ENDED, count=count))
    return True


async def on_message(update: Update, context: AppContext) -> bool:
    """A photo, a location or anything else while on patrol; False when not on patrol."""
    message = update.effective_message
    assert message is not None and message.from_user is not None
    session = await _session(message.from_user.id, context)
    if session is None:
        return False
    resident, services, rules = await resident_of(update, context), context.services, patrol_rules(context.services)
    now = services.clock()
    if message.photo or message.document:
        try:
            data, unique_id = await download_photo(message, context.bot, max_bytes=services.settings.max_photo_bytes)
        except PhotoRejectedError as rejected:
            reply = Reply(Said.BAD_PHOTO, session, problem=rejected.reason)
        else:
            reply = await patrol.add_photo(session, data, unique_id=unique_id, rules=rules, now=now)
    elif message.location is not None:
        location = message.venue.location if message.venue else message.location
        reply = await patrol.set_location(session, location.latitude, location.longitude, rules=rules, now=now)
    else:
        reply = patrol.wrong_input(session)
    await _send(message, reply, context, resident.language)
    return True


async def on_category_button(update: Update, context: AppContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    resident = await resident_of(update, context)
    session = await _session(query.from_user.id, context)
    if session is None or not isinstance(query.message, Message):
        await query.answer(Translator(resident.language)(texts.GONE), show_alert=True)  # patrol ended meanwhile
        return
    await query.answer()
    await query.edit_message_reply_markup(None)  # one tap per category question
    key = query.data.removeprefix(patrol.CALLBACK_PREFIX)
    services = context.services
    reply = await patrol.choose_category(session, key, rules=patrol_rules(services), now=services.clock())
    await _send(query.message, reply, context, resident.language)


async def _session(telegram_user_id: int, context: AppContext) -> PatrolSession | None:
    services = context.services
    idle = FieldRules.from_settings(services.settings).patrol_idle
    return await patrol.current(telegram_user_id, services.clock(), idle)
