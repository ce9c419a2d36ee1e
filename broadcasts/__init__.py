"""Broadcasts: officials' open letters, the monthly safety-education day, campaign announcements, subscriptions.

Domain modules (models, targeting, timing, ratelimit, message, delivery, control, compose, education,
subscriptions, campaigns) import neither `telegram` nor `aiohttp`; `jobs` (arq + the Telegram sender),
`views` / `education_views` (admin pages) and `bot/handlers/subscriptions.py` are the thin transports.
"""
