"""Typed access to the services and to this update's resident from PTB callbacks (no string-keyed grab bag)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext, ExtBot

from bot.reports.models import Draft, Resident
from bot.services import Services


class AppContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Our CallbackContext: `context.services` instead of `bot_data["..."]`.

    PTB builds one context per update and hands it to every handler group, so the resident and their
    draft, loaded together by the first handler that needs them (`bot.telegram.report_flow.resident_of`),
    are kept here for the rest (and the draft follows the steps taken on it).
    """

    resident: Resident | None = None
    draft: Draft | None = None

    @property
    def services(self) -> Services:
        services = self.application.bot_data["services"]
        assert isinstance(services, Services)
        return services


BotApplication = Application[ExtBot[None], AppContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]


Callback = Callable[[Update, AppContext], Coroutine[Any, Any, None]]


def final(callback: Callback) -> Callback:
    """A feature's handler that fully answers its update: later handler groups (the kernel's menu for
    unknown commands, intake) must not see it too."""

    @wraps(callback)
    async def handled(update: Update, context: AppContext) -> None:
        await callback(update, context)
        raise ApplicationHandlerStop

    return handled
