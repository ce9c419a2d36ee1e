"""Typed access to the process-wide services from PTB callbacks (no string-keyed grab bag)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.reports.intake import Intake


@dataclass
class BotServices:
    settings: Settings
    intake: Intake
    clock: Clock


class AppContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Our CallbackContext: `context.services` instead of `bot_data["..."]`."""

    @property
    def services(self) -> BotServices:
        services = self.application.bot_data["services"]
        assert isinstance(services, BotServices)
        return services


BotApplication = Application[ExtBot[None], AppContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
