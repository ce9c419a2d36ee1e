"""Telegram transport: builds the PTB Application and registers every handler in one explicit order."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers import commands, followup, keyboards, moderators_group, report_flow, subscriptions
from bot.handlers.context import AppContext, BotApplication, BotServices
from bot.reports.inbox import claim_update
from broadcasts.message import REPORT_CALLBACK, SELF_CHECK_PREFIX
from moderation.followup import CALLBACK_PREFIX as FIXED_CHECK_PREFIX
from moderation.group import CALLBACK_PREFIX as GROUP_PREFIX
from rewards import handlers as rewards_handlers

log = logging.getLogger(__name__)

COMMANDS = [
    ("report", "Report a hazard / 举报隐患"),
    ("my_reports", "My reports / 我的举报"),
    ("language", "Language / 语言"),
    ("cancel", "Cancel / 取消"),
    ("balance", "My rewards / 我的奖励"),
    ("claim", "Claim rewards / 领取奖励"),
    ("leaderboard", "Leaderboard / 排行榜"),
    ("subscribe", "Safety news / 安全资讯订阅"),
    ("unsubscribe", "Unsubscribe / 取消订阅"),
    ("stop", "Stop all broadcasts / 停止推送"),
    ("help", "Help / 帮助"),
]


async def drop_redelivered(update: Update, context: AppContext) -> None:
    """Group -3: an update already started (a webhook retry, a stranded copy, a second process) stops here."""
    if not await claim_update(update.update_id, context.services.clock()):
        log.info("dropping redelivered update %s", update.update_id)
        raise ApplicationHandlerStop


async def on_error(update: object, context: AppContext) -> None:
    log.error("handler failed for update %r", update, exc_info=context.error)


def build_application(services: BotServices, *, polling: bool = False) -> BotApplication:
    """The PTB application: no Updater unless polling (our aiohttp server feeds webhook updates)."""
    settings = services.settings
    builder: Any = (
        Application.builder()
        .token(settings.bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=AppContext))
        .rate_limiter(AIORateLimiter(max_retries=2))
    )
    if not polling:
        builder = builder.updater(None)
    application: BotApplication = builder.build()
    application.bot_data["services"] = services
    _register(application)
    return application


def _register(application: BotApplication) -> None:
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE & private  # edits (live locations) are ignored on purpose
    application.add_handler(TypeHandler(Update, drop_redelivered), group=-3)
    # Group -2: rewards (/balance, /claim, /leaderboard); a contact or text is taken only while a claim
    # is active (it stops there); other commands and report input end the claim and pass on unchanged.
    rewards_handlers.register(application, group=-2)
    # Group -1: a reporter's answer to a moderator's question (or a photo after reopening) when no
    # draft is open; it stops the update there, otherwise intake (group 0) gets it unchanged.
    application.add_handler(
        MessageHandler(
            message & ~filters.COMMAND & (filters.TEXT | filters.PHOTO | filters.Document.ALL),
            followup.on_reporter_message,
        ),
        group=-1,
    )
    for name, callback in (
        ("start", commands.on_start),
        ("help", commands.on_help),
        ("language", commands.on_language),
        ("my_reports", commands.on_my_reports),
        ("report", report_flow.on_report_command),
        ("cancel", report_flow.on_cancel),
        ("subscribe", subscriptions.on_subscribe),
        ("unsubscribe", subscriptions.on_unsubscribe),
        ("stop", subscriptions.on_stop),
    ):
        application.add_handler(CommandHandler(name, callback, filters=private))
    # After every known command of group 0 (rewards' commands stop in group -2): the rest get the menu.
    application.add_handler(MessageHandler(message & filters.COMMAND, commands.on_unknown_command))
    application.add_handler(MessageHandler(message & (filters.PHOTO | filters.Document.ALL), report_flow.on_photo))
    # Locations and text pass through the /subscribe flow, which hands them to the intake's on_location /
    # on_text unless a /subscribe waits for a location and no draft wants one (handlers/subscriptions.py).
    application.add_handler(MessageHandler(message & (filters.LOCATION | filters.VENUE), subscriptions.on_location))
    application.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, subscriptions.on_text))
    application.add_handler(MessageHandler(message & ~filters.COMMAND, report_flow.on_other))
    application.add_handler(CallbackQueryHandler(commands.on_language_button, pattern=f"^{keyboards.LANGUAGE_PREFIX}"))
    application.add_handler(CallbackQueryHandler(followup.on_fixed_button, pattern=f"^{FIXED_CHECK_PREFIX}"))
    # The moderators' group (the only handler for a group chat): checks the chat id itself.
    application.add_handler(CallbackQueryHandler(moderators_group.on_group_button, pattern=f"^{GROUP_PREFIX}"))
    for prefix, callback in (
        (subscriptions.SUBSCRIBE_PREFIX, subscriptions.on_subscribe_button),
        (subscriptions.UNSUBSCRIBE_PREFIX, subscriptions.on_unsubscribe_button),
        (SELF_CHECK_PREFIX, subscriptions.on_self_check),
        (REPORT_CALLBACK, subscriptions.on_report_button),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^{prefix}"))
    application.add_handler(CallbackQueryHandler(report_flow.on_button))  # last: every other button
    application.add_error_handler(on_error)


async def publish_commands(application: BotApplication) -> None:
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
