"""The residents' command menu: the kernel's report commands, every feature's, then the kernel's tail."""

from __future__ import annotations

from bot.features import BotCommandSpec
from bot.i18n import Translator
from bot.services import Services
from bot.telegram.context import AppContext
from bot.telegram.texts import KERNEL_COMMANDS_FIRST, KERNEL_COMMANDS_LAST, MENU_HEADER, MENU_LINE


def menu_commands(services: Services) -> list[BotCommandSpec]:
    from_features = [command for feature in services.features for command in feature.commands]
    return [*KERNEL_COMMANDS_FIRST, *from_features, *KERNEL_COMMANDS_LAST]


def menu(_: Translator, context: AppContext) -> str:
    """Every command a resident can use, one per line, in the reader's language (/help, /start)."""
    lines = [MENU_LINE % {"name": c.name, "description": _(c.description)} for c in menu_commands(context.services)]
    return "\n".join([_(MENU_HEADER), *lines])
