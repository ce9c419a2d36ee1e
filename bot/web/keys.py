"""Typed aiohttp application keys: the services object and the PTB application, nothing else."""

from __future__ import annotations

from aiohttp import web

from bot.services import Services
from bot.telegram.context import BotApplication

services_key = web.AppKey("services", Services)
ptb_key = web.AppKey("ptb", BotApplication)
