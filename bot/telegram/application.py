"""The PTB application: kernel handlers, then every feature's, in one explicit order.

Updates reach it through our own pipeline (bot/telegram/pipeline.py), never PTB's queue: it stores,
orders and replays them. Handler groups, in the order PTB runs them:
- one group per feature, in `bot.composition` order (`FIRST_FEATURE_GROUP` upwards): a feature's
  handler that took the update raises ApplicationHandlerStop; otherwise the update passes on.
- group 0, the kernel: /start, /help, /language, /my_reports, the report conversation, and the menu
  for any command nobody took.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.i18n import Translator
from bot.logs import log_update_failure
from bot.outbound import reply_rate_limiter, unused_get_updates_request
from bot.services import Services
from bot.telegram import commands, keyboards, report_flow
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.context import AppContext, BotApplication
from bot.telegram.menu import menu_commands
from bot.telegram.once import OnceRequest

log = logging.getLogger(__name__)

FIRST_FEATURE_GROUP = -50
#: Bot API requests in flight at once from one web process (updates of different chats run at once).
CONNECTION_POOL_SIZE = 256


async def on_error(update: object, context: AppContext) -> None:
    """The update's id, type and traceback; never its body (phone numbers and names during /claim)."""
    log_update_failure(log, update, context.error)


def build_application(services: Services) -> BotApplication:
    """The PTB application, without PTB's Updater: our pipeline feeds it webhook and polled updates alike."""
    settings = services.settings
    request = OnceRequest(AiohttpRequest(CONNECTION_POOL_SIZE), services.redis)
    builder: Any = (
        Application.builder()
        .token(settings.bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=AppContext))
        .request(request)
        .get_updates_request(unused_get_updates_request())
        .updater(None)
        # Replies: per-chat and per-group limits only, shared across processes; never the bulk budget
        # (the cluster-wide budget for unsolicited messages is bot/outbound.py's).
        .rate_limiter(reply_rate_limiter(services.outbound))
    )
    application: BotApplication = builder.build()
    application.bot_data["services"] = services
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


#: Telegram's language codes (two letters) for which the menu is set in that language, and the locale used.
MENU_LANGUAGES = {"zh": "zh_CN", "en": "en"}


async def publish_commands(application: BotApplication, services: Services) -> None:
    """The command menu in each language, for clients in that language; everyone else gets it in the
    default locale's language."""
    specs = menu_commands(services)

    def commands(locale: str) -> list[BotCommand]:
        _ = Translator(locale)
        return [BotCommand(spec.name, _(spec.description).capitalize()) for spec in specs]

    for language_code, locale in MENU_LANGUAGES.items():
        await application.bot.set_my_commands(commands(locale), language_code=language_code)
    await application.bot.set_my_commands(commands(services.settings.default_locale))
