"""Downloading a resident's or staff member's photo for a feature that stores it on its own terms (an answer
to a moderator, a crew's after photo, a patrol photo); the report conversation has its own path (report_flow)."""

from __future__ import annotations

from typing import Any

from telegram import Message
from telegram.ext import ExtBot

from bot.reports.photos import PhotoRejectedError, RejectReason
from bot.telegram.report_flow import largest_file


async def download_photo(message: Message, bot: ExtBot[Any], *, max_bytes: int) -> tuple[bytes, str]:
    """The photo's largest size (or the photo sent as a file) and its unique id; a file Telegram says is over
    `max_bytes` is refused (PhotoRejectedError) before anything is downloaded."""
    file_id, unique_id, size = largest_file(message)
    if size is not None and size > max_bytes:
        raise PhotoRejectedError(RejectReason.TOO_LARGE)
    return bytes(await (await bot.get_file(file_id)).download_as_bytearray()), unique_id
