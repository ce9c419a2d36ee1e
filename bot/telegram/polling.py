"""Long polling (a token and no PUBLIC_URL): getUpdates feeds the very pipeline the webhook feeds.

Raw JSON, not PTB's `get_updates`: one malformed update must be dropped by our checks, not make the
whole batch unreadable (the offset would never move on).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from bot.telegram.pipeline import UpdatePipeline

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 25
ALLOWED_UPDATES = ["message", "callback_query"]


async def poll_updates(pipeline: UpdatePipeline, api_url: str, token: str) -> None:
    """Forever: fetch what Telegram has, store and queue each, then confirm them with the next offset."""
    offset = 0
    url = f"{api_url}{token}/getUpdates"
    async with httpx.AsyncClient(timeout=POLL_TIMEOUT_S + 10) as client:
        while True:
            try:
                batch = await _fetch(client, url, offset)
            except (httpx.HTTPError, ValueError) as error:
                log.warning("getUpdates failed (%s); trying again", type(error).__name__)
                await asyncio.sleep(2)
                continue
            try:
                offset = await _accept_all(pipeline, batch, offset)
            except Exception:  # the inbox away: the offset stays, Telegram keeps the rest for the next try
                log.exception("could not store polled updates")
                await asyncio.sleep(2)


async def _accept_all(pipeline: UpdatePipeline, batch: list[Any], offset: int) -> int:
    """Store and queue each update; returns the offset that confirms them (one that fails to store is not)."""
    for body in batch:
        update_id = body.get("update_id") if isinstance(body, dict) else None
        await pipeline.accept(body)
        if isinstance(update_id, int) and not isinstance(update_id, bool):
            offset = max(offset, update_id + 1)
    return offset


async def _fetch(client: httpx.AsyncClient, url: str, offset: int) -> list[Any]:
    params: dict[str, Any] = {"offset": offset, "timeout": POLL_TIMEOUT_S, "allowed_updates": ALLOWED_UPDATES}
    response = await client.post(url, json=params)
    payload = response.json()
    if not isinstance(payload, dict) or not payload.get("ok") or not isinstance(payload.get("result"), list):
        raise ValueError("unexpected getUpdates answer")
    return list(payload["result"])
