"""The PTB application: kernel handlers, then every feature's, in one explicit order.

Handler groups, in the order PTB runs them:
- `REDELIVERY_GROUP`: an update already started elsewhere stops here.
- one group per feature, in `bot.composition` order (`FIRST_FEATURE_GROUP` upwards): a feature's
  handler that took the update raises ApplicationHandlerStop; otherwise the update passes on.
- group 0, the kernel: /start, /help, /language, /my_reports, the report conversation, and the menu
  for any command nobody took.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.i18n import Translator
from bot.outbound import reply_rate_limiter
from bot.reports.inbox import claim_update
from bot.services import Services
from bot.telegram import commands, keyboards, report_flow
from bot.telegram.context import AppContext, BotApplication
from bot.telegram.menu import menu_commands

log = logging.getLogger(__name__)

REDELIVERY_GROUP = -100
FIRST_FEATURE_GROUP = -50


async def drop_redelivered(update: Update, context: AppContext) -> None:
    """An update already started (a webhook retry, a stranded copy, a second process) stops here."""
    if not await claim_update(update.update_id, context.services.clock()):
        log.info("dropping redelivered update %s", update.update_id)
        raise ApplicationHandlerStop


async def on_error(update: object, context: AppContext) -> None:
    log.error("handler failed for update %r", update, exc_info=context.error)


def build_application(services: Services, *, polling: bool = False) -> BotApplication:
    """The PTB application: no Updater unless polling (our aiohttp server feeds webhook updates)."""
    settings = services.settings
    builder: Any = (
        Application.builder()
        .token(settings.bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=AppContext))
        # Replies: per-chat and per-group limits only, shared across processes; never the bulk budget.
        .rate_limiter(reply_rate_limiter(services.outbound))
    )
    if not polling:
        builder = builder.updater(None)
    application: BotApplication = builder.build()
    application.bot_data["services"] = services
    application.add_handler(TypeHandler(Update, drop_redelivered), group=REDELIVERY_GROUP)
    for offset, feature in enumerate(services.features):
        if feature.telegram is not None:
            feature.telegram(application, FIRST_FEATURE_GROUP + offset)
    _register_kernel(application)
    application.add_error_handler(on_error)
    return application


def _register_kernel(application: BotApplication) -> None:
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE & private  # edits (live locations) are ignored on purpose
    for name, callback in (
        ("start", commands.on_start),
        ("help", commands.on_help),
        ("language", commands.on_language),
        ("my_reports", commands.on_my_reports),
        ("report", report_flow.on_report_command),
        ("cancel", report_flow.on_cancel),
    ):
        application.add_handler(CommandHandler(name, callback, filters=private))
    # After every known command (features' commands stop in their own groups): the rest get the menu.
    application.add_handler(MessageHandler(message & filters.COMMAND, commands.on_unknown_command))
    application.add_handler(MessageHandler(message & (filters.PHOTO | filters.Document.ALL), report_flow.on_photo))
    application.add_handler(MessageHandler(message & (filters.LOCATION | filters.VENUE), report_flow.on_location))
    application.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, report_flow.on_text))
    application.add_handler(MessageHandler(message & ~filters.COMMAND, report_flow.on_other))
    application.add_handler(CallbackQueryHandler(commands.on_language_button, pattern=f"^{keyboards.LANGUAGE_PREFIX}"))
    application.add_handler(CallbackQueryHandler(report_flow.on_button))  # last: every other button


async def publish_commands(application: BotApplication, services: Services) -> None:
    """The command menu in both languages (Telegram shows one list: "English / 中文")."""
    english, chinese = Translator("en"), Translator("zh_CN")
    await application.bot.set_my_commands(
        [
            BotCommand(spec.name, f"{english(spec.description).capitalize()} / {chinese(spec.description)}")
            for spec in menu_commands(services)
        ]
    )
