"""Typed aiohttp application keys."""

from __future__ import annotations

from aiohttp import web
from arq.connections import ArqRedis

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.context import BotApplication, BotServices

settings_key = web.AppKey("settings", Settings)
services_key = web.AppKey("services", BotServices)
ptb_key = web.AppKey("ptb", BotApplication)
arq_key = web.AppKey("arq", ArqRedis)
clock_key: web.AppKey[Clock] = web.AppKey("clock")
