"""The field's Telegram handlers, in the feature's own handler group (before moderation's and the kernel's).

Within one group PTB runs only the first matching handler, so messages go through one handler that asks the
database whose they are: a crew member's answer to their open question (private chat, or a reply in the
agency's group), else grid staff on patrol; anything else passes on to later groups untouched.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.reports.residents import awaits
from bot.telegram.context import AppContext, BotApplication, final
from bot.telegram.report_flow import resident_of
from field import work
from field.crews import CALLBACK_PREFIX as CREW_PREFIX
from field.patrol import CALLBACK_PREFIX as PATROL_PREFIX
from field.patrol import PATROL_EXCHANGE
from field.rules import FieldRules
from field.telegram import crew, patrol, verify
from field.verification import CALLBACK_PREFIX as VERIFY_PREFIX
from field.work import CREW_EXCHANGE


async def on_message(update: Update, context: AppContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or message.from_user is None or chat is None:
        return
    reply_to = message.reply_to_message.message_id if message.reply_to_message is not None else None
    if not await _may_be_ours(update, context, reply_to):
        return  # a resident's message: nothing of the field's waits for it (no query spent on it)
    services = context.services
    ttl = FieldRules.from_settings(services.settings).question_ttl
    prompt = await work.pending_prompt(message.from_user.id, chat.id, reply_to, now=services.clock(), ttl=ttl)
    if prompt is not None:
        await crew.answer_prompt(update, context, prompt)
        raise ApplicationHandlerStop
    if chat.type == chat.PRIVATE and await patrol.on_message(update, context):
        raise ApplicationHandlerStop


async def _may_be_ours(update: Update, context: AppContext, reply_to: int | None) -> bool:
    """In a group only a reply can answer a crew question; in a private chat, only someone marked as awaited
    (a crew question asked there, or on patrol)."""
    chat = update.effective_chat
    if chat is not None and chat.type != chat.PRIVATE:
        return reply_to is not None
    resident = await resident_of(update, context)  # loaded once per update for every group
    return awaits(resident, CREW_EXCHANGE) or awaits(resident, PATROL_EXCHANGE)


async def on_cancel(update: Update, context: AppContext) -> None:
    if awaits(await resident_of(update, context), PATROL_EXCHANGE) and await patrol.on_cancel(update, context):
        raise ApplicationHandlerStop


def register(application: BotApplication, group: int) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("patrol", final(patrol.on_patrol_command), filters=private), group=group)
    application.add_handler(CommandHandler("cancel", on_cancel, filters=private), group=group)
    application.add_handler(CallbackQueryHandler(final(crew.on_crew_button), pattern=f"^{CREW_PREFIX}"), group=group)
    application.add_handler(
        CallbackQueryHandler(final(verify.on_verify_button), pattern=f"^{VERIFY_PREFIX}"), group=group
    )
    application.add_handler(
        CallbackQueryHandler(final(patrol.on_category_button), pattern=f"^{PATROL_PREFIX}"), group=group
    )
    # Every kind of message (a sticker on patrol gets "send a photo"); the handler passes on what is not its own.
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, on_message), group=group)
